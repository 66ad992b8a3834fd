import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LoadResult, ScalingSample } from "../../loadtest/types";
import { parse } from "yaml";
import { ROOT, runNode } from "../../tests/harness";
import { ChaosWindow, chaosVerdict, fallbackGraceS, firingAlerts } from "./chaos";

// Report shapes written down by hand: a keda run of 300 s, the signal lost from 90 s to 330 s (the
// workflow's window), maxReplicas and the fallback 2, failureThreshold 3 (grace 165 s: from 255 s on).
const START = "2026-12-05T10:00:00.000Z";
const at = (s: number) => new Date(Date.parse(START) + s * 1000).toISOString();
const CHAOS: ChaosWindow = { kind: "podmonitor", startedAt: at(90), endedAt: at(330), fallbackReplicas: 2, failureThreshold: 3 };
const FALLBACK = "KEDA fallback (FallbackExists): the signal is lost, the fallback replicas hold";
const sample = (t: number, replicas: number, lost = false): ScalingSample => ({ t, replicas, readyReplicas: replicas, ...(lost ? { signalLost: FALLBACK } : {}) });
const report = (samples: ScalingSample[]): LoadResult => ({
    options: { host: "http://localhost:8080", path: "/p", users: 100, spawnRate: 10, runTimeMs: 300000, minWaitMs: 10, maxWaitMs: 100, timeoutMs: 10000 },
    startedAt: START, durationS: 300, requests: 100000, failures: 0, failuresByCause: {}, rps: 333, latencyMs: null, timeline: [],
    scaling: { samples, errors: 0, errorsByMessage: {}, namespace: "seldon", deployment: "d" },
});
const every15 = (from: number, to: number, f: (t: number) => ScalingSample) => Array.from({ length: Math.floor((to - from) / 15) + 1 }, (_, i) => f(from + i * 15));
const FIRING = { status: "success", data: { alerts: [{ labels: { alertname: "ModelMetricsMissing", severity: "critical" }, state: "firing" }, { labels: { alertname: "Other" }, state: "pending" }] } };

/** Held: at 2 throughout the loss (the fallback from ~150 s, marked so), back to 1 after the load and the window. */
const HELD = [
    ...every15(0, 75, t => sample(t, t < 45 ? 1 : 2)),
    ...every15(90, 135, t => sample(t, 2)),
    ...every15(150, 330, t => sample(t, 2, true)),
    ...every15(345, 480, t => sample(t, t < 450 ? 2 : 1)),
];
/** Missed (the old behaviour): the silence read as 0, so after the 120 s scale-down window the replicas fell to the minimum. */
const MISSED = [
    ...every15(0, 75, t => sample(t, t < 45 ? 1 : 2)),
    ...every15(90, 255, t => sample(t, 2)),
    ...every15(270, 480, t => sample(t, 1)),
];

describe("the chaos steps' verdict (tools/e2e/chaos.ts)", () => {
    it("a fallback held: passes, with the window, the replicas held and the alert in the row", () => {
        assert.strictEqual(fallbackGraceS(3), 165);
        const v = chaosVerdict(report(HELD), CHAOS, FIRING);
        assert.deepStrictEqual(v.problems, []);
        assert.strictEqual(v.row, "| podmonitor (90–330 s) | 150–345 s | 2–2 | 2 | ModelMetricsMissing firing | passed |");
    });

    it("a fallback missed: fails, naming the replicas it fell to and when, that the report never showed it, and the silent alert", () => {
        const v = chaosVerdict(report(MISSED), CHAOS, { status: "success", data: { alerts: [] } });
        assert.match(v.problems.join("\n"), /replicas fell to 1 at 270 s, below the fallback of 2: the silence was read as no load/);
        assert.match(v.problems.join("\n"), /never showed the signal as lost/);
        assert.match(v.problems.join("\n"), /ModelMetricsMissing did not fire while the PodMonitor was gone \(firing: none\)/);
    });

    it("at the grace's edge: a dip just before it is allowed, a dip at it is not", () => {
        const dipBefore = HELD.map(s => (s.t === 240 ? { ...s, replicas: 1, readyReplicas: 1 } : s));
        assert.deepStrictEqual(chaosVerdict(report(dipBefore), CHAOS, FIRING).problems, []);
        const dipAt = HELD.map(s => (s.t === 255 ? { ...s, replicas: 1, readyReplicas: 1 } : s));
        assert.match(chaosVerdict(report(dipAt), CHAOS, FIRING).problems.join(), /fell to 1 at 255 s/);
    });

    it("Prometheus stopped: no alerts to ask; a window no longer than the grace proves nothing", () => {
        assert.deepStrictEqual(chaosVerdict(report(HELD), { ...CHAOS, kind: "prometheus" }).problems, []);
        const short = chaosVerdict(report(HELD), { ...CHAOS, endedAt: at(90 + 165) }, FIRING);
        assert.match(short.problems.join(), /lost for 165 s, not longer than the 165 s the fallback needs/);
        assert.deepStrictEqual(firingAlerts({ status: "error" }), undefined);
        assert.deepStrictEqual(firingAlerts("garbage"), undefined);
        assert.deepStrictEqual(firingAlerts(FIRING), ["ModelMetricsMissing"]);
    });

    it("the command line: exit 0 on a held fallback, 1 with reasons on a missed one, a row in the job summary", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chaos-"));
        const write = (name: string, value: unknown) => { fs.writeFileSync(path.join(dir, name), JSON.stringify(value)); return path.join(dir, name); };
        const summary = path.join(dir, "summary.md");
        const ok = await runNode(["--import", "tsx", "tools/e2e/chaos-verdict.ts", write("held.json", report(HELD)), write("chaos.json", CHAOS), write("alerts.json", FIRING)],
            { env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
        assert.strictEqual(ok.status, 0, ok.stderr);
        const bad = await runNode(["--import", "tsx", "tools/e2e/chaos-verdict.ts", write("missed.json", report(MISSED)), path.join(dir, "chaos.json"), path.join(dir, "alerts.json")],
            { env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
        assert.strictEqual(bad.status, 1);
        assert.match(bad.stderr, /chaos-verdict: while the signal was lost the replicas fell to 1/);
        const text = fs.readFileSync(summary, "utf8");
        assert.strictEqual(text.match(/### Losing the signal/g)?.length, 1);
        assert.match(text, /\| passed \|\n.*FAILED/);
    });

    it("the workflow's chaos steps break the signal longer than the grace plus the 120 s scale-down window, then ask this verdict", () => {
        const steps: Array<{ name?: string; run?: string }> = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/e2e-kind.yml"), "utf8")).jobs.e2e.steps;
        for (const [name, kind, alerts] of [["Chaos (a): the PodMonitor deleted", "podmonitor", true], ["Chaos (b): Prometheus stopped", "prometheus", false]] as const) {
            const run = steps.find(st => st.name?.startsWith(name))?.run ?? "";
            const sleeps = [...run.matchAll(/^\s*sleep (\d+)$/gm)].map(m => Number(m[1]));
            assert.ok(sleeps.length === 2 && sleeps[1] > fallbackGraceS(3) + 60, `${name}: the break lasts ${sleeps[1]} s`);
            assert.match(run, new RegExp(`kind: "${kind}"`));
            assert.match(run, /--watch/);
            assert.match(run, new RegExp(`tools/e2e/chaos-verdict.ts "\\$dir/report.json" "\\$dir/chaos.json"${alerts ? ' "\\$dir/alerts.json"' : "$"}`, "m"));
        }
    });
});
