// `npm run simulate`: what it prints and writes, its exit status, and its refusals.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LoadResult } from "../loadtest/types";
import { runNode } from "../tests/harness";
import { simulateCommand, USAGE } from "./cli";
import { capacityOf, ESTIMATED_PROFILE, profileFromReport, unloadedMsOf } from "./profile";
import { assumptionsFor, PLAN_ASSUMPTIONS } from "./compare";
import { MEASURED_FILE, MeasuredFileError, readMeasured } from "./measured";

async function simulateIn(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = "";
    const stderr: string[] = [];
    const status = await simulateCommand(args, { out: t => (stdout += t), err: l => stderr.push(l) });
    return { status, stdout, stderr: stderr.join("\n") };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "simulate-"));

describe("npm run simulate", function () {
    this.timeout(30_000);

    it("prints a table of every mode the stack could use, then what each prediction rests on", async () => {
        const r = await simulateIn(["--stack", "dev"]);
        assert.strictEqual(r.status, 0, r.stderr);
        const [header, ...rows] = r.stdout.split("\n").slice(0, 4);
        assert.match(header, /^mode\s+scale-up\s+peak replicas\s+scale-down\s+mean queue\s+max queue\s+failed\s+reversals$/);
        assert.deepStrictEqual(rows.map(l => l.trim().split(/\s+/)[0]), ["hpa", "none", "keda"]);
        assert.match(r.stdout, /model: estimate: the model's compute alone/);
        assert.match(r.stdout, /readiness: 30 s from a pod's creation to Ready \(default/);
    });

    it("writes the JSON, the HTML charts and a report.json the load test's tools read; calibrating on it gives 0", async () => {
        const dir = tmp();
        const files = { json: path.join(dir, "twin.json"), html: path.join(dir, "twin.html"), report: path.join(dir, "report.json") };
        const r = await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--set", "maxReplicas=4", "--json", files.json, "--html", files.html, "--report", files.report]);
        assert.strictEqual(r.status, 0, r.stderr);
        const json = JSON.parse(fs.readFileSync(files.json, "utf8"));
        assert.strictEqual(json.length, 1);
        assert.strictEqual(json[0].prediction.peakReplicas, 4);
        const html = fs.readFileSync(files.html, "utf8");
        assert.strictEqual((html.match(/<svg /g) ?? []).length, 4, "replicas, metric, throughput, queue");
        assert.match(html, /<h2>keda<\/h2>/);
        const report = JSON.parse(fs.readFileSync(files.report, "utf8")) as LoadResult;
        assert.strictEqual(report.scaling!.deployment, "cifar10-default-0-cifar10-pytorch");
        const c = await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--set", "maxReplicas=4", "--calibrate", files.report, "--markdown"]);
        assert.strictEqual(c.status, 0, c.stderr);
        assert.match(c.stdout, /^### Autoscaling twin against the cluster: keda\n\n- first scale-up 0 s, first new replica Ready 0 s, back at the start 0 s \(cluster minus twin\)\n- replicas off by 0.00 on average, 0 at most/);
        // Other settings than the run's: the error says so.
        const off = await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--set", "maxReplicas=2", "--calibrate", files.report]);
        assert.match(off.stdout, /replicas off by [1-9]\.\d\d on average, 2 at most/);
    });

    it("replays a recorded run's users with --load", async () => {
        const dir = tmp();
        const report = path.join(dir, "report.json");
        assert.strictEqual((await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--set", "loadTestRunTime=60s", "--report", report])).status, 0);
        const r = await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--load", report]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /load: replayed: 100 users for 60 s, pauses 55-55 ms/);
    });

    it("exits 2 with the usage on bad arguments, before simulating", async () => {
        const cases: Array<[string[], RegExp]> = [
            [[], /--stack is required/],
            [["--stack", "dev", "--autoscaler", "knative"], /--autoscaler "knative" is not allowed: use one of none \| hpa \| keda/],
            [["--stack", "dev", "--calibrate", "x.json"], /--calibrate needs --autoscaler/],
            [["--stack", "dev", "--ready-seconds", "0"], /--ready-seconds "0" is not a whole number of seconds from 1 to 3600/],
            [["--stack", "dev", "--load", "/nonexistent.json"], /--load "\/nonexistent.json" cannot be read/],
            [["--stack", "prod"], /no stack "prod"/],
            [["--stack", "dev", "--set", "maxReplicas=0"], /scalable-serving:maxReplicas = 0 is too small/],
            [["--stack", "dev", "--set", "autoscaler=knative"], /scalable-serving:autoscaler = "knative" is not allowed/],
            [["--stack", "dev", "--report", "/tmp/never-written.json"], /--report writes one run: choose it with --autoscaler/],
        ];
        for (const [args, message] of cases) {
            const r = await simulateIn(args);
            assert.strictEqual(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
            assert.match(r.stderr, message);
            assert.ok(r.stderr.endsWith(USAGE), "with the usage");
            assert.strictEqual(r.stdout, "");
        }
        const notReport = path.join(tmp(), "x.json");
        fs.writeFileSync(notReport, "{}");
        assert.match((await simulateIn(["--stack", "dev", "--profile", notReport])).stderr, /is not a load test report.json: it has no timeline/);
    });

    it("as a process: exit 0 with the table on standard output", async () => {
        const r = await runNode(["--import", "tsx", "tools/simulate.ts", "--stack", "dev", "--autoscaler", "none"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^mode\s+scale-up/);
    });
});

describe("model profile from a report", () => {
    const report = (points: Array<[number, number, number]>, ready: number): Pick<LoadResult, "timeline" | "scaling"> => ({
        timeline: points.map(([t, requests, p50]) => ({ t, users: 10, requests, failures: 0, p50, p95: p50 })),
        scaling: { namespace: "seldon", deployment: "d", samples: [{ t: 0, replicas: ready, readyReplicas: ready }], errors: 0, errorsByMessage: {} },
    });

    it("takes capacity from the seconds whose latency had doubled, per Ready replica; the lowest median as the service time", () => {
        const p = profileFromReport(report([[1, 100, 5], [2, 300, 9.9], [3, 400, 10], [4, 380, 30]], 2));
        // 10 ms is twice the lowest 5 ms: saturated at 400 / 2 replicas; 9.9 ms is not.
        // Per replica: 50/s at 5 ms (0.25 in it), 150/s at 9.9 ms (1.485), 200/s at 10 ms (2), 190/s at 30 ms (5.7): past
        // the peak throughput the replica was saturated, so the curve ends at 200/s.
        assert.deepStrictEqual(p.curve, [{ concurrency: 0.25, perSecond: 50, latencyMs: 5 }, { concurrency: 1.485, perSecond: 150, latencyMs: 9.9 }, { concurrency: 2, perSecond: 200, latencyMs: 10 }]);
        assert.deepStrictEqual([capacityOf(p), unloadedMsOf(p), p.source.kind], [200, 5, "report"]);
        assert.strictEqual(p.coresAtCapacity, ESTIMATED_PROFILE.coresAtCapacity * 200 / capacityOf(ESTIMATED_PROFILE));
        assert.match(p.source.text, /3 point\(s\) per replica up to 200 requests\/s at saturation/);
    });

    it("never saturated: the most it served, said to be a lower bound; no watch samples: refused", () => {
        const p = profileFromReport(report([[1, 100, 5], [2, 300, 9.9]], 1));
        assert.strictEqual(capacityOf(p), 300);
        assert.match(p.source.text, /at most \(it never saturated: a lower bound\)/);
        assert.throws(() => profileFromReport({ timeline: [], scaling: undefined }), /no --watch samples/);
    });
});

describe("measurements kept in the repository (twin/measured.json)", () => {
    it("--write-measured keeps a run's profile and readiness; plans and simulations then name them as their source", async () => {
        const dir = tmp();
        const report = path.join(dir, "report.json");
        assert.strictEqual((await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--report", report])).status, 0);
        const out = path.join(dir, "measured.json");
        const r = await simulateIn(["--stack", "dev", "--autoscaler", "keda", "--profile", report, "--write-measured", out]);
        assert.strictEqual(r.status, 0, r.stderr);
        const root = tmp();
        fs.mkdirSync(path.join(root, "twin"));
        fs.copyFileSync(out, path.join(root, MEASURED_FILE));
        const m = readMeasured(root)!;
        assert.strictEqual(m.from.report, `${path.basename(dir)}/report.json`);
        assert.strictEqual(m.profile.source.kind, "report");
        const a = assumptionsFor(m);
        assert.match(a.profile.source.text, new RegExp(`^measured: .* \\(twin/measured.json, from ${path.basename(dir)}/report.json \\(run of 1970-01-01T00:00:00.000Z\\)\\)$`));
        // The twin's own report has no anatomy: the readiness stays the default, said so.
        assert.strictEqual(a.readiness, PLAN_ASSUMPTIONS.readiness);
        assert.strictEqual(assumptionsFor(undefined), PLAN_ASSUMPTIONS);
        assert.strictEqual(readMeasured(tmp()), undefined);
    });

    it("a file that is not a measurement is refused, saying how to write it again; --write-measured needs --profile", async () => {
        const root = tmp();
        fs.mkdirSync(path.join(root, "twin"));
        fs.writeFileSync(path.join(root, MEASURED_FILE), JSON.stringify({ profile: { curve: [{ concurrency: 2, perSecond: 10, latencyMs: 5 }, { concurrency: 1, perSecond: 20, latencyMs: 6 }], coresAtCapacity: 1, source: { text: "x" } }, from: { report: "r" } }));
        assert.throws(() => readMeasured(root), (e: Error) => e instanceof MeasuredFileError && /a profile whose curve of concurrency, perSecond and latencyMs rises/.test(e.message) && /--write-measured twin\/measured.json/.test(e.message));
        fs.writeFileSync(path.join(root, MEASURED_FILE), "{");
        assert.throws(() => readMeasured(root), /twin\/measured.json is not JSON/);
        const r = await simulateIn(["--stack", "dev", "--write-measured", path.join(root, "m.json")]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /--write-measured needs --profile REPORT/);
    });
});
