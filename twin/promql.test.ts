// The twin's PromQL engine on hand-worked cases; tests/upstream/twinPromql.test.ts proves it equal to
// promtool on the program's own queries.
import * as assert from "assert";
import { parse, PromqlError, Query, Series } from "./promql";

const counter = (pod: string, points: Array<[number, number | null]>, extra: Record<string, string> = {}): Series => ({
    labels: { __name__: "reqs_total", pod, ...extra },
    samples: points.map(([t, v]) => ({ t: t * 1000, v })),
});

describe("twin PromQL engine", () => {
    it("rate() extrapolates to the window's edges as Prometheus does, up to the counter's zero point", () => {
        // Samples every 15 s from 0 to 60 (0, 150, ..., 600): +10/s; window [0, 60] is covered edge to edge.
        const s = [counter("a", [0, 15, 30, 45, 60].map(t => [t, t * 10] as [number, number]))];
        const v = new Query("rate(reqs_total[1m])").at(s, 60_000);
        assert.ok(v.kind === "vector");
        assert.strictEqual(v.elements[0].v, 10);
        // Samples at 5 .. 50 of a counter starting at 50: extrapolated 5 s back (within 1.1 × 15), not to 0 (the zero
        // point is 5 s before 5 s, at 0 s, which is further than 5 s: durationToStart stays 5); 10 s ahead.
        const t = [counter("a", [[5, 50], [20, 200], [35, 350], [50, 500]])];
        const r = new Query("increase(reqs_total[1m])").at(t, 60_000);
        assert.ok(r.kind === "vector");
        // 450 over 45 s sampled; + 5 s before + 10 s after = 60 s → 450 × 60 / 45 = 600.
        assert.strictEqual(Math.round(r.elements[0].v * 1e9) / 1e9, 600);
    });

    it("adds back a counter reset and needs two samples", () => {
        const s = [counter("a", [[0, 100], [15, 250], [30, 50], [45, 200], [60, 350]])];
        const v = new Query("increase(reqs_total[1m])").at(s, 60_000);
        assert.ok(v.kind === "vector");
        // 150, then a reset to 50 (counted from 0), then 150 and 150; sampled edge to edge, so not extrapolated.
        assert.strictEqual(v.elements[0].v, 150 + 50 + 150 + 150);
        const one = new Query("rate(reqs_total[1m])").at([counter("a", [[59, 1]])], 60_000);
        assert.deepStrictEqual(one, { kind: "vector", elements: [] });
    });

    it("an instant selector looks back 5 minutes, and a staleness marker ends a series at once", () => {
        const s = [counter("a", [[0, 1]]), counter("b", [[0, 1], [30, null]])];
        const q = new Query("count(reqs_total)");
        assert.strictEqual(q.kedaValue(s, 300_000), 1, "a at exactly 5 minutes is still seen (Prometheus 2.42)");
        assert.strictEqual(q.kedaValue(s, 300_000, { leftOpen: true }), undefined, "Prometheus 3 leaves it out");
        assert.strictEqual(q.kedaValue(s, 300_001), undefined);
        assert.strictEqual(q.kedaValue(s, 29_000), 2);
    });

    it("`or on() (0 * count(up == 1))`: the signal, or 0 while scraped, or nothing", () => {
        const up = (pod: string, v: number): Series => ({ labels: { __name__: "up", pod }, samples: [{ t: 0, v }] });
        const q = new Query("sum(rate(reqs_total[1m])) or on() (0 * count(up == 1))");
        assert.strictEqual(q.kedaValue([up("a", 1)], 10_000), 0);
        assert.strictEqual(q.kedaValue([up("a", 0)], 10_000), undefined);
        const busy = [up("a", 1), counter("a", [[0, 0], [15, 150]])];
        // The counter starts at 0 at 0 s: nothing is extrapolated before its zero point, nor after the last sample at 15 s.
        assert.strictEqual(q.kedaValue(busy, 15_000), 150 / 60);
    });

    it("sums and averages by label, matches =~ anchored, and keeps the name only where Prometheus does", () => {
        const s = [
            counter("a", [[0, 5]], { deployment_name: "cifar10" }),
            counter("b", [[0, 7]], { deployment_name: "cifar10" }),
            counter("c", [[0, 100]], { deployment_name: "cifar10-canary" }),
        ];
        assert.strictEqual(new Query('avg(reqs_total{deployment_name=~"cifar10"})').kedaValue(s, 0), 6);
        assert.strictEqual(new Query('sum(reqs_total{deployment_name!~"cifar10"})').kedaValue(s, 0), 100);
        const by = new Query("sum by (deployment_name) (reqs_total)").at(s, 0);
        assert.ok(by.kind === "vector");
        assert.deepStrictEqual(by.elements.map(e => e.labels), [{ deployment_name: "cifar10" }, { deployment_name: "cifar10-canary" }]);
        const filtered = new Query("reqs_total > 6").at(s, 0);
        assert.ok(filtered.kind === "vector" && filtered.elements.every(e => e.labels.__name__ === "reqs_total"));
        const arithmetic = new Query("reqs_total * 2").at(s, 0);
        assert.ok(arithmetic.kind === "vector" && arithmetic.elements.every(e => e.labels.__name__ === undefined));
        assert.strictEqual(new Query("(sum(reqs_total) / count(reqs_total))").kedaValue(s, 0), 112 / 3);
    });

    it("`and` keeps the left side where the right matches, `unless` where it does not", () => {
        const s = [counter("a", [[0, 1]]), counter("b", [[0, 2]]), { labels: { __name__: "up", pod: "a" }, samples: [{ t: 0, v: 1 }] }];
        assert.strictEqual(new Query("sum(reqs_total and on(pod) up)").kedaValue(s, 0), 1);
        assert.strictEqual(new Query("sum(reqs_total unless on(pod) up)").kedaValue(s, 0), 2);
    });

    it("refuses what it does not cover, naming where and what it expected", () => {
        assert.throws(() => parse("histogram_quantile(0.9, x)"), (e: Error) => e instanceof PromqlError && /"histogram_quantile" at 0: expected a function among rate, increase, abs/.test(e.message));
        assert.throws(() => parse("sum(x) * on(a) group_left() y"), /group_left/);
        assert.throws(() => parse('x{a="b"'), /end of query: expected/);
        assert.throws(() => new Query("x[1m]").at([], 0), /only covered inside rate/);
    });
});
