// The twin's PromQL engine against Prometheus's own (promtool test rules, Debian's 2.42): the
// program's KEDA queries and the tutorial's, over the very series a twin run stores (pods scraped at
// offsets of their own, added by a scale-up, marked stale by a scale-down), at every HPA sync.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { pendingRequestsQuery, requestRateQuery } from "../../lib/queries";
import { rampLoad } from "../../twin/load";
import { Query, Series } from "../../twin/promql";
import { simulate } from "../../twin/simulate";
import { devSettings, READY_30S, SLOW_MODEL } from "../twinFixtures";
import { runProcess } from "../harness";
import { requireTool } from "./tools";

/** The tutorial's trigger query (FACTS §1): a per-pod average. */
const TUTORIAL_QUERY = 'avg(rate(seldon_api_executor_client_requests_seconds_count{deployment_name=~"cifar10"}[1m]))';

/** promtool's series notation, one value a second from 0 s: `_` where nothing was scraped, `stale` for a staleness marker. */
function notation(s: Series, lastS: number): { series: string; values: string } {
    const bySecond = new Map(s.samples.map(p => [p.t / 1000, p.v]));
    const values: string[] = [];
    for (let t = 0; t <= lastS; t++) {
        const v = bySecond.get(t);
        values.push(v === undefined ? "_" : v === null ? "stale" : String(v));
    }
    const { __name__, ...labels } = s.labels;
    return { series: `${__name__}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values: values.join(" ") };
}

/** Every query at every time in one promtool run; exits 0 only if each result equals the twin's. */
async function promtoolAgrees(series: Series[], cases: Array<{ query: string; atS: number; expected: number | undefined }>): Promise<{ status: number; output: string }> {
    const promtool = requireTool("promtool", "apt-get install prometheus (Debian's package ships promtool)");
    const lastS = Math.max(...cases.map(c => c.atS));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "twin-promql-"));
    const file = path.join(dir, "test.yaml");
    fs.writeFileSync(file, stringify({
        rule_files: [],
        evaluation_interval: "15s",
        tests: [{
            interval: "1s",
            input_series: series.map(s => notation(s, lastS)),
            // promtool compares exactly; both engines sum in their own order, so a value is checked to a relative 1e-9
            // (1 when within it); an empty result is checked as empty.
            promql_expr_test: cases.map(c => c.expected === undefined
                ? { expr: c.query, eval_time: `${c.atS}s`, exp_samples: [] }
                : { expr: `abs((${c.query}) - ${c.expected}) <= bool ${1e-9 * Math.max(1, Math.abs(c.expected))}`, eval_time: `${c.atS}s`, exp_samples: [{ labels: "{}", value: 1 }] }),
        }],
    }, { lineWidth: 0 }));
    const r = await runProcess(promtool, ["test", "rules", file]);
    return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

describe("the twin's PromQL engine equals Prometheus's (promtool)", function () {
    this.timeout(120_000);

    for (const signal of ["requestRate", "queue"] as const) {
        it(`keda ${signal}: the trigger's query and the tutorial's, at every sync of a run that scales up and down`, async () => {
            const settings = devSettings("keda", ["autoscaler=keda", `kedaSignal=${signal}`, "kedaScaleDownStabilizationSeconds=30", "maxReplicas=4"]);
            const run = simulate({ settings, load: rampLoad({ users: 100, spawnRate: 10, runTimeS: 120 }), profile: SLOW_MODEL, readiness: READY_30S, keepSeries: true, cooldownS: 240 });
            assert.ok(run.decisions.some(d => d.to > d.from) && run.decisions.some(d => d.to < d.from), "the run scales up and down");
            assert.ok(run.series!.some(s => s.samples.some(p => p.v === null)), "some series went stale");
            const queries = [signal === "queue" ? pendingRequestsQuery(settings.target) : requestRateQuery(settings.target), TUTORIAL_QUERY];
            assert.strictEqual(settings.kedaTrigger!.query, queries[0], "the twin evaluates the trigger's own query");
            const cases = queries.flatMap(query => {
                const q = new Query(query);
                // Every sync, and the seconds either side of each scale decision.
                const times = new Set<number>();
                for (let t = 15; t <= run.timeline.length; t += 15) {
                    times.add(t);
                }
                for (const d of run.decisions) {
                    [d.atS - 1, d.atS + 1, d.atS + 31].forEach(t => times.add(t));
                }
                return [...times].sort((a, b) => a - b).map(atS => ({ query, atS, expected: q.kedaValue(run.series!, atS * 1000) }));
            });
            assert.ok(cases.some(c => c.expected === undefined) || signal === "queue", "the cases include an empty result");
            assert.ok(cases.filter(c => c.expected !== undefined && c.expected > 0).length > 10, "and many non-zero results");
            const r = await promtoolAgrees(run.series!, cases);
            assert.strictEqual(r.status, 0, r.output.slice(0, 4000));
        });
    }

    it("a pod removed while its queue is full: its gauge and `up` end at the staleness marker, not 5 minutes later", async () => {
        const settings = devSettings("keda", ["autoscaler=keda", "kedaSignal=queue"]);
        const t = settings.target;
        const base = { namespace: t.namespace, deployment: t.workload };
        const at = (points: Array<[number, number | null]>) => points.map(([s, v]) => ({ t: s * 1000, v }));
        const series: Series[] = [
            { labels: { __name__: "up", ...base, pod: "a", endpoint: "http" }, samples: at([[0, 1], [15, 1], [30, 1], [45, 1]]) },
            { labels: { __name__: "up", ...base, pod: "b", endpoint: "http" }, samples: at([[5, 1], [20, 1], [32, null]]) },
            { labels: { __name__: "nv_inference_pending_request_count", ...base, pod: "a", model: t.model }, samples: at([[0, 3], [15, 4], [30, 5], [45, 6]]) },
            { labels: { __name__: "nv_inference_pending_request_count", ...base, pod: "b", model: t.model }, samples: at([[5, 40], [20, 50], [32, null]]) },
        ];
        const q = new Query(pendingRequestsQuery(t));
        const cases = [25, 31, 32, 33, 45, 400].map(atS => ({ query: q.text, atS, expected: q.kedaValue(series, atS * 1000) }));
        assert.deepStrictEqual(cases.map(c => c.expected), [54, 55, 5, 5, 6, undefined]);
        const r = await promtoolAgrees(series, cases);
        assert.strictEqual(r.status, 0, r.output.slice(0, 4000));
    });

    it("fails when the engine is wrong (a rate without extrapolation), so the comparison can catch a difference", async () => {
        const settings = devSettings("keda", ["autoscaler=keda"]);
        const run = simulate({ settings, load: rampLoad({ users: 20, spawnRate: 10, runTimeS: 60 }), profile: SLOW_MODEL, readiness: READY_30S, keepSeries: true, cooldownS: 0 });
        const q = new Query(requestRateQuery(settings.target));
        const atS = 45;
        const right = q.kedaValue(run.series!, atS * 1000)!;
        // What a plain (last - first) / range would give: off by the extrapolation.
        const ok = await promtoolAgrees(run.series!, [{ query: requestRateQuery(settings.target), atS, expected: right }]);
        assert.strictEqual(ok.status, 0, ok.output);
        const wrong = await promtoolAgrees(run.series!, [{ query: requestRateQuery(settings.target), atS, expected: right * 0.9 }]);
        assert.notStrictEqual(wrong.status, 0, "promtool rejects a 10% error");
    });
});
