import * as assert from "assert";
import { quantile, randomBodyPool } from "./engine";

describe("load generator engine, pure parts", () => {
    it("quantile uses the nearest rank", () => {
        const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
        assert.deepStrictEqual([0.5, 0.9, 0.95, 0.99, 1].map(q => quantile(sorted, q)), [50, 90, 95, 99, 100]);
        assert.strictEqual(quantile([7], 0.95), 7);
        assert.ok(Number.isNaN(quantile([], 0.5)));
    });

    it("the body pool holds distinct random images covering 0-255, in the V2 request shape", () => {
        const pool = randomBodyPool(16);
        assert.strictEqual(new Set(pool).size, 16);
        const [input] = JSON.parse(pool[0]).inputs;
        assert.deepStrictEqual([input.name, input.datatype, input.shape, input.data.length], ["image__0", "UINT8", [1, 3, 32, 32], 3072]);
        assert.strictEqual(Math.min(...input.data), 0);
        assert.strictEqual(Math.max(...input.data), 255);
        const fixed = JSON.parse(randomBodyPool(1, () => 0.999999)[0]).inputs[0].data;
        assert.ok(fixed.every((x: number) => x === 255));
    });
});
