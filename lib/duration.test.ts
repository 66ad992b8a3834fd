import * as assert from "assert";
import { DurationError, parseDuration } from "./duration";

describe("durations (settings and command lines)", () => {
    it("parses durations", () => {
        assert.strictEqual(parseDuration("180s"), 180000);
        assert.strictEqual(parseDuration("3m"), 180000);
        assert.strictEqual(parseDuration("1m30s"), 90000);
        assert.strictEqual(parseDuration("250ms"), 250);
        assert.strictEqual(parseDuration("1h"), 3600000);
        assert.strictEqual(parseDuration("180"), 180000);
        for (const bad of ["", "3x", "s", "1m 30s", "-5s", "180s!"]) {
            assert.throws(() => parseDuration(bad), DurationError, bad);
        }
    });
});
