import * as assert from "assert";
import { timelineRates } from "./report";

describe("the report's timeline as rates (loadtest/report.ts)", () => {
    it("scales a partial last second to a rate, drops a sliver, leaves full seconds alone", () => {
        const point = (t: number, requests: number, seconds?: number) => ({ t, users: 10, requests, failures: 0, p50: null, p95: null, ...(seconds !== undefined ? { seconds } : {}) });
        assert.deepStrictEqual(timelineRates({ timeline: [point(1, 100), point(2, 100), point(3, 50, 0.5)] }).map(p => [p.t, p.requests]),
            [[1, 100], [2, 100], [2.5, 100]]);
        assert.deepStrictEqual(timelineRates({ timeline: [point(1, 100), point(2, 3, 0.1)] }).map(p => p.t), [1]);
    });
});
