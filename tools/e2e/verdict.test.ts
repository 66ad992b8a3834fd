import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LoadResult, ScalingSample } from "../../loadtest/types";
import { runNode } from "../../tests/harness";
import { anatomyVerdict, scalingVerdict, SUMMARY_HEADER } from "./verdict";
import { STEP_BUDGETS_S } from "./budgets";

const s = (t: number, replicas: number, ready: number): ScalingSample => ({ t, replicas, readyReplicas: ready });
const report = (samples: ScalingSample[], extra: Partial<LoadResult> = {}): LoadResult => ({
    options: { host: "http://localhost:8080", path: "/p", users: 100, spawnRate: 10, runTimeMs: 180000, minWaitMs: 10, maxWaitMs: 100, timeoutMs: 10000 },
    startedAt: "2026-11-25T00:00:00.000Z", durationS: 180, requests: 1000, failures: 3, failuresByCause: {}, rps: 5.5, latencyMs: null, timeline: [],
    scaling: { samples, errors: 0, errorsByMessage: {}, namespace: "seldon", deployment: "d", cooldown: { watchedS: 320, ended: "back" } },
    ...extra,
});
const SCALED = [s(0, 1, 1), s(60, 2, 1), s(75, 2, 2), s(180, 2, 2), s(490, 1, 1)];

describe("the end-to-end workflow's scaling verdict (tools/e2e)", () => {
    it("passes a run that scaled up above one replica and back down, with both times in the row", () => {
        const v = scalingVerdict(report(SCALED), "hpa");
        assert.deepStrictEqual(v.problems, []);
        assert.strictEqual(v.row, "| hpa | 1 → 2 | 75 s (from load start) | 310 s | passed |");
    });

    it("fails a run that never scaled, one that never came back down, one without samples, one without answers", () => {
        assert.match(scalingVerdict(report([s(0, 1, 1), s(180, 1, 1)]), "keda").problems.join(), /did not scale up above one replica/);
        assert.match(scalingVerdict(report(SCALED.slice(0, 4)), "hpa").problems.join(), /did not scale back down to 1 after the load \(watched 320 s/);
        assert.match(scalingVerdict(report([]), "hpa").problems.join(), /no scaling samples/);
        assert.match(scalingVerdict(report(SCALED, { requests: 5, failures: 5 }), "hpa").problems.join(), /no request got a valid answer/);
    });

    it("the command exits 0 or 1 and appends its row under one header to the job summary", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verdict-"));
        const summary = path.join(dir, "summary.md");
        const scaled = report(SCALED);
        scaled.scaling!.anatomy = { clock: { offsetMs: 0, uncertaintyMs: 0, observations: 1 }, notes: [],
            replicas: [{ pod: "p-1", createdS: 20, steps: [], pulls: [], outcome: { kind: "ready", atS: 44 }, seconds: { "model download": 4 } }] };
        fs.writeFileSync(path.join(dir, "hpa.json"), JSON.stringify(scaled));
        fs.writeFileSync(path.join(dir, "keda.json"), JSON.stringify(report([s(0, 1, 1), s(180, 1, 1)])));
        const env = { ...process.env, GITHUB_STEP_SUMMARY: summary };
        const ok = await runNode(["--import", "tsx", "tools/e2e/scaling-verdict.ts", path.join(dir, "hpa.json"), "hpa"], { env });
        assert.strictEqual(ok.status, 0, ok.stderr);
        const bad = await runNode(["--import", "tsx", "tools/e2e/scaling-verdict.ts", path.join(dir, "keda.json"), "keda"], { env });
        assert.strictEqual(bad.status, 1);
        assert.match(bad.stderr, /scaling-verdict \(keda\): did not scale up/);
        const text = fs.readFileSync(summary, "utf8");
        assert.strictEqual(text.split(SUMMARY_HEADER).length, 2, "one header");
        assert.match(text, /\| hpa \| 1 → 2 .*passed \|\n\| keda \| 1 → 1 .*FAILED/);
        // The anatomy of each mode beside the summary, for the workflow's last step to append below the table.
        const anatomy = fs.readFileSync(`${summary}.anatomy`, "utf8");
        assert.match(anatomy, /#### Scale-up anatomy: hpa\n[\s\S]*\| p-1 \| - \| - \| - \| - \| 4 \|[\s\S]*#### Scale-up anatomy: keda\n/);
        const missing = await runNode(["--import", "tsx", "tools/e2e/scaling-verdict.ts", path.join(dir, "none.json"), "hpa"]);
        assert.strictEqual(missing.status, 1);
    });
});

describe("the end-to-end workflow's scale-up anatomy (tools/e2e/budgets.ts)", () => {
    const replica = (seconds: Record<string, number>) => ({
        pod: "p-1", createdS: 20, steps: [], pulls: [], outcome: { kind: "ready" as const, atS: 44 }, seconds,
    });
    const withAnatomy = (seconds: Record<string, number>) => report(SCALED, { scaling: { ...report(SCALED).scaling!,
        anatomy: { clock: { offsetMs: 0, uncertaintyMs: 0, observations: 1 }, replicas: [replica(seconds)], notes: [] } } });

    it("passes steps at their budget and fails one just over it, naming the budget's file", () => {
        const at = anatomyVerdict(withAnatomy({ "model download": STEP_BUDGETS_S["model download"], "image pull": 0 }), "keda");
        assert.deepStrictEqual(at.problems, []);
        const over = anatomyVerdict(withAnatomy({ "model download": STEP_BUDGETS_S["model download"] + 0.1 }), "keda");
        assert.deepStrictEqual(over.problems, ["p-1: model download took 30.1 s, over its budget of 30 s (tools/e2e/budgets.ts)"]);
        assert.match(over.markdown, /^#### Scale-up anatomy: keda\n\n\| replica \| signal \| pod creation \|/);
        assert.match(over.markdown, /\| p-1 \| - \| - \| - \| - \| \*\*30\.1\*\* \(budget 30\) \|/);
        // On kind the images are pre-loaded: any pull during a scale-up fails.
        assert.match(anatomyVerdict(withAnatomy({ "image pull": 0.1 }), "hpa").problems.join(), /image pull took 0\.1 s, over its budget of 0 s/);
    });

    it("fails a report without the anatomy, and a replica that never became ready", () => {
        assert.match(anatomyVerdict(report(SCALED), "hpa").problems.join(), /no scale-up anatomy/);
        const stuck = withAnatomy({});
        stuck.scaling!.anatomy!.replicas[0].outcome = { kind: "not ready", note: "not ready when the watch ended (cifar10-pytorch: ImagePullBackOff)" } as never;
        assert.deepStrictEqual(anatomyVerdict(stuck, "hpa").problems, ["p-1: not ready when the watch ended (cifar10-pytorch: ImagePullBackOff)"]);
    });
});
