import * as assert from "assert";
import { parseQuantity } from "./quantity";

describe("Kubernetes quantities", () => {
    it("quantities compare across units", () => {
        assert.deepStrictEqual(["500m", "0.5", "1", "1Gi", "1G", "1e3", "2Ki", "x", ""].map(parseQuantity), [0.5, 0.5, 1, 2 ** 30, 1e9, 1000, 2048, undefined, undefined]);
    });
});
