import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { WatchError } from "../loadtest/types";
import { startWatch } from "../loadtest/watch";
import { main } from "../loadtest/main";
import { kubeConfigFor } from "../lib/kubernetesApi";
import { fakeKubeConfig, kubeconfigFile } from "./fakeKubernetes";
import { runNode } from "./harness";
import { startV2Server } from "./v2server";

/**
 * A fake Kubernetes API on 127.0.0.1 serving namespace `seldon`, one Deployment and its HPAs, replicas
 * growing per request. `misbehave(n)` may take over the n-th Deployment read: "hang" never answers,
 * "fail" answers 500.
 */
async function fakeApi(hpas: (n: number) => unknown[], misbehave: (n: number) => "hang" | "fail" | undefined = () => undefined,
    replicas: (n: number) => { replicas: number; readyReplicas: number } = n => ({ replicas: 1 + Math.min(n, 2), readyReplicas: 1 + Math.min(n, 1) }),
    scaledObject?: unknown | ((n: number) => unknown)) {
    let deploymentReads = 0;
    let scaledObjectReads = 0;
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
        paths.push(req.url ?? "");
        res.setHeader("Content-Type", "application/json");
        if (req.url === "/api/v1/namespaces/seldon") {
            res.end(JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name: "seldon" } }));
        } else if (req.url === "/apis/apps/v1/namespaces/seldon/deployments") {
            res.end(JSON.stringify({ kind: "DeploymentList", apiVersion: "apps/v1", metadata: {}, items: [{ metadata: { name: "cifar10-default-0-cifar10-pytorch" } }] }));
        } else if (req.url === "/apis/apps/v1/namespaces/seldon/deployments/cifar10-default-0-cifar10-pytorch" && misbehave(deploymentReads)) {
            if (misbehave(deploymentReads++) === "fail") {
                res.statusCode = 500;
                res.end(JSON.stringify({ kind: "Status", status: "Failure", code: 500, message: "etcdserver: request timed out" }));
            }
        } else if (req.url === "/apis/apps/v1/namespaces/seldon/deployments/cifar10-default-0-cifar10-pytorch") {
            // The first read is startWatch's check of the target; replicas grow from the first sample on.
            const n = Math.max(0, deploymentReads++ - 1);
            res.end(JSON.stringify({ kind: "Deployment", apiVersion: "apps/v1", metadata: { name: "cifar10-default-0-cifar10-pytorch" }, status: replicas(n) }));
        } else if (req.url === "/apis/keda.sh/v1alpha1/namespaces/seldon/scaledobjects/cifar10-default-0-cifar10-pytorch" && scaledObject) {
            // A function of how many times it was read before: startWatch reads it once, then once per sample.
            res.end(JSON.stringify(typeof scaledObject === "function" ? scaledObject(scaledObjectReads++) : scaledObject));
        } else if (req.url === "/apis/autoscaling/v2/namespaces/seldon/horizontalpodautoscalers") {
            res.end(JSON.stringify({ kind: "HorizontalPodAutoscalerList", apiVersion: "autoscaling/v2", metadata: {}, items: hpas(Math.max(0, deploymentReads - 1)) }));
        } else {
            res.statusCode = 404;
            res.end(JSON.stringify({ kind: "Status", status: "Failure", code: 404, message: `no route ${req.url}` }));
        }
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const kc = fakeKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return { kc, url: kc.getCurrentCluster()!.server, paths, close: () => new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); }) };
}

const TARGET = { namespace: "seldon", deployment: "cifar10-default-0-cifar10-pytorch" };

const cpuHpa = (name: string, target: string, utilisation: number, desired: number) => ({
    metadata: { name },
    spec: {
        scaleTargetRef: { kind: "Deployment", name: target, apiVersion: "apps/v1" },
        maxReplicas: 3,
        metrics: [{ type: "ContainerResource", containerResource: { name: "cpu", container: "cifar10-pytorch", target: { type: "Utilization", averageUtilization: 50 } } }],
    },
    status: {
        currentReplicas: 1, desiredReplicas: desired,
        currentMetrics: [{ type: "ContainerResource", containerResource: { name: "cpu", container: "cifar10-pytorch", current: { averageUtilization: utilisation, averageValue: "400m" } } }],
    },
});

describe("watching the scaling (--watch)", () => {
    it("samples the Deployment's replicas and the HPA that targets it, on the load's time axis", async () => {
        const api = await fakeApi(n => [
            cpuHpa("unrelated", "other-deployment", 5, 1),
            cpuHpa("cifar10-default-0-cifar10-pytorch", "cifar10-default-0-cifar10-pytorch", 40 + 30 * n, Math.min(1 + n, 3)),
        ]);
        try {
            const startedAt = Date.now();
            const watcher = await startWatch({ ...TARGET, intervalMs: 100, cooldownMs: 0 }, () => startedAt, api.kc);
            // Counted, not timed: wait until the API served the check and three samples.
            const reads = () => api.paths.filter(p => p.endsWith("/deployments/cifar10-default-0-cifar10-pytorch")).length;
            while (reads() < 4) {
                await new Promise(r => setTimeout(r, 20));
            }
            await new Promise(r => setTimeout(r, 300));
            const { samples, errors } = await watcher.stop();
            assert.strictEqual(errors, 0);
            assert.ok(samples.length >= 4, `${samples.length} samples`);
            assert.deepStrictEqual(samples.slice(0, 3).map(s => [s.replicas, s.readyReplicas]), [[1, 1], [2, 2], [3, 2]]);
            assert.ok(samples.every((s, i) => i === 0 || s.t >= samples[i - 1].t), "times increase");
            assert.ok(samples[0].t >= 0 && samples[samples.length - 1].t >= 0.3, "on the load's time axis");
            const hpa = samples[1].hpa!;
            assert.strictEqual(hpa.name, "cifar10-default-0-cifar10-pytorch");
            assert.strictEqual(hpa.target, 50);
            assert.strictEqual(hpa.unit, "% CPU of request");
            assert.ok(hpa.metric! >= 70, `metric ${hpa.metric}`);
            // Reads only: the namespace, the Deployment, the HPAs, KEDA's ScaledObject once, and the
            // namespace's events (this Deployment has no selector, so no pod listing).
            assert.ok(api.paths.every(p => p === "/api/v1/namespaces/seldon" || p === "/api/v1/namespaces/seldon/events" || p.startsWith("/apis/apps/v1/namespaces/seldon/") ||
                p.startsWith("/apis/autoscaling/v2/namespaces/seldon/") || p === "/apis/keda.sh/v1alpha1/namespaces/seldon/scaledobjects/cifar10-default-0-cifar10-pytorch"),
            `unexpected reads: ${api.paths.join(", ")}`);
        } finally {
            await api.close();
        }
    });

    it("counts failed samples by error, and keeps the last one", async () => {
        const api = await fakeApi(() => [], n => (n >= 1 ? "fail" : undefined));
        try {
            const watcher = await startWatch({ ...TARGET, intervalMs: 50, cooldownMs: 0 }, () => Date.now(), api.kc);
            await new Promise(r => setTimeout(r, 120));
            const { samples, errors, errorsByMessage, lastError } = await watcher.stop();
            assert.deepStrictEqual(samples, []);
            assert.ok(errors >= 2);
            assert.match(lastError!, /500/);
            assert.deepStrictEqual(Object.values(errorsByMessage).reduce((a, b) => a + b, 0), errors);
        } finally {
            await api.close();
        }
    });

    it("a hanging API server cannot delay the end: each call has a deadline, and stop() returns", async () => {
        const api = await fakeApi(() => [], n => (n >= 1 ? "hang" : undefined));
        try {
            const watcher = await startWatch({ ...TARGET, intervalMs: 1000, cooldownMs: 0 }, () => Date.now(), api.kc, 150);
            const { errors, errorsByMessage } = await watcher.stop();
            assert.ok(errors >= 1);
            assert.deepStrictEqual(Object.keys(errorsByMessage), ["the API server did not answer within 150 ms"]);
        } finally {
            await api.close();
        }
    });

    it("ticks that find a sample still running are skipped, not queued: stop() waits for one sample and a last one, however long the run", async () => {
        const api = await fakeApi(() => [], n => (n >= 1 ? "hang" : undefined));
        try {
            // A tick every 10 ms against calls that each take their whole 200 ms deadline.
            const watcher = await startWatch({ ...TARGET, intervalMs: 10, cooldownMs: 0 }, () => Date.now(), api.kc, 200);
            const reads = () => api.paths.filter(p => p === "/apis/apps/v1/namespaces/seldon/deployments/cifar10-default-0-cifar10-pytorch").length;
            // Until two samples' reads were sent (the check of the target was the first read).
            while (reads() < 3) {
                await new Promise(r => setTimeout(r, 5));
            }
            await watcher.stop();
            // The check, at most three samples so far (one running at stop), and the last one: nothing queued behind them.
            assert.ok(reads() <= 5, `${reads()} Deployment reads: ticks were queued`);
        } finally {
            await api.close();
        }
    });

    for (const [what, target, message] of [
        ["namespace", { namespace: "ml", deployment: TARGET.deployment }, /namespace "ml" does not exist in context "fake"/],
        ["Deployment", { namespace: "seldon", deployment: "cifar10" }, /Deployment "cifar10" does not exist in namespace seldon .*; Deployments there: cifar10-default-0-cifar10-pytorch/],
    ] as const) {
        it(`a wrong ${what} is found before any load, naming what exists`, async () => {
            const api = await fakeApi(() => []);
            try {
                await assert.rejects(startWatch({ ...target, intervalMs: 1000, cooldownMs: 0 }, () => Date.now(), api.kc),
                    (e: Error) => e instanceof WatchError && message.test(e.message));
            } finally {
                await api.close();
            }
        });
    }

    it("a redirecting API server is refused before any load, and the redirect's target gets nothing", async () => {
        let elsewhere = 0;
        const other = http.createServer((_req, res) => { elsewhere++; res.end("{}"); });
        await new Promise<void>(r => other.listen(0, "127.0.0.1", r));
        const api = http.createServer((req, res) => {
            res.writeHead(307, { Location: `http://127.0.0.1:${(other.address() as AddressInfo).port}${req.url}` });
            res.end();
        });
        await new Promise<void>(r => api.listen(0, "127.0.0.1", r));
        try {
            await assert.rejects(startWatch({ ...TARGET, intervalMs: 1000, cooldownMs: 0 }, () => Date.now(), fakeKubeConfig(`http://127.0.0.1:${(api.address() as AddressInfo).port}`, "t0ken")),
                (e: Error) => e instanceof WatchError && /answered a redirect \(HTTP 307/.test(e.message));
            assert.strictEqual(elsewhere, 0);
        } finally {
            for (const s of [api, other]) {
                s.closeAllConnections();
                await new Promise<void>(r => s.close(() => r()));
            }
        }
    });

    it("an API server that does not answer is found before any load", async () => {
        const api = await fakeApi(() => [], () => "hang");
        try {
            await assert.rejects(startWatch({ ...TARGET, intervalMs: 1000, cooldownMs: 0 }, () => Date.now(), api.kc, 150),
                (e: Error) => e instanceof WatchError && /cannot read Deployment seldon\/cifar10-default-0-cifar10-pytorch .*did not answer within 150 ms/.test(e.message));
        } finally {
            await api.close();
        }
    });

    it("reads KEDA's trigger from the ScaledObject, so the report names the signal", async () => {
        const query = "sum(nv_inference_pending_request_count{namespace=\"seldon\",deployment=\"cifar10-default-0-cifar10-pytorch\",model=\"cifar10-pytorch\"})";
        const so = { apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: { name: "cifar10-default-0-cifar10-pytorch" },
            spec: { triggers: [{ type: "prometheus", metadata: { serverAddress: "http://p:9090", query, threshold: "16" } }] } };
        const api = await fakeApi(() => [], undefined, undefined, so);
        try {
            const watcher = await startWatch({ ...TARGET, intervalMs: 1000, cooldownMs: 0 }, () => Date.now(), api.kc);
            const result = await watcher.stop();
            assert.deepStrictEqual(result.trigger, { query, threshold: "16" });
        } finally {
            await api.close();
        }
        const none = await fakeApi(() => []);
        try {
            const watcher = await startWatch({ ...TARGET, intervalMs: 1000, cooldownMs: 0 }, () => Date.now(), none.kc);
            assert.strictEqual((await watcher.stop()).trigger, undefined, "no ScaledObject: hpa or none");
        } finally {
            await none.close();
        }
    });

    it("shows when the signal is lost: KEDA's Fallback condition True marks those samples, and the report says so in words", async () => {
        const query = "sum(x)";
        // KEDA 2.20's conditions as the operator writes them (apis/keda/v1alpha1/condition_types.go, pkg/fallback/fallback.go).
        const so = (fallback: boolean) => ({
            apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: { name: "cifar10-default-0-cifar10-pytorch" },
            spec: { triggers: [{ type: "prometheus", metadata: { serverAddress: "http://p:9090", query, threshold: "20" } }] },
            status: { conditions: [
                { type: "Ready", status: "True", reason: "ScaledObjectReady" },
                { type: "Active", status: "True", reason: "ScalerActive" },
                fallback ? { type: "Fallback", status: "True", reason: "FallbackExists", message: "At least one trigger is falling back on this scaled object" }
                    : { type: "Fallback", status: "False", reason: "NoFallbackFound", message: "No fallbacks are active on this scaled object" },
            ] },
        });
        // Read 0 is startWatch's; reads 1 to 6 are samples 0 to 5: samples 2 to 4 fall back.
        const api = await fakeApi(() => [], undefined, () => ({ replicas: 3, readyReplicas: 3 }), (n: number) => so(n >= 3 && n <= 5));
        try {
            // The timer never fires in this test: the first sample is taken at the start and each stop() takes
            // one more, so the samples follow the reads one by one, with no clock involved.
            const watcher = await startWatch({ ...TARGET, intervalMs: 3_600_000, cooldownMs: 0 }, () => 0, api.kc);
            let result = await watcher.stop();
            while (result.samples.length < 6) {
                result = await watcher.stop();
            }
            const lost = result.samples.map(s => Boolean(s.signalLost));
            assert.deepStrictEqual(lost, [false, false, true, true, true, false]);
            assert.match(result.samples[2].signalLost!, /^KEDA fallback \(FallbackExists\)/);
        } finally {
            await api.close();
        }
    });

    /**
     * The load generator's command (loadtest/main.ts) in this process, with --watch through the real
     * startWatch on the kubeconfig `file`, sampling every 100 ms (the command line allows 1 s at least).
     */
    async function loadgen(argv: string[], file: string) {
        const stdout: string[] = [];
        const stderr: string[] = [];
        const status = await main(argv, {
            startWatch: (w, startedAt) => startWatch({ ...w, intervalMs: 100 }, startedAt, kubeConfigFor(w.context, file)),
            out: { log: l => stdout.push(l), error: l => stderr.push(l) },
        });
        return { status, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
    }

    it("--cooldown watches on after the load until the Deployment is back at its starting replicas, and reports both times", async () => {
        // Up to 3 ready replicas from the second sample, back to 1 from the 25th: samples are 100 ms apart at least, so that is
        // 2.4 s or later, well after the 1 s load; the end depends on samples, not the clock.
        const api = await fakeApi(() => [], undefined, n => (n >= 1 && n < 24 ? { replicas: 3, readyReplicas: 3 } : { replicas: 1, readyReplicas: 1 }));
        const model = await startV2Server();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadtest-cooldown-"));
        try {
            const result = await loadgen(["--host", `http://127.0.0.1:${model.port}`, "--users", "1",
                "--run-time", "1s", "--report", dir, "--watch", "--watch-interval", "1s", "--cooldown", "10m"], kubeconfigFile(api.url));
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stdout, /cooldown: load ended; watching the scale-down for up to 600 s/);
            assert.match(result.stdout, /scaling: 1 → 3 ready replicas at most/);
            assert.match(result.stdout, /scale-down: back to 1 at [\d.]+ s, [\d.]+ s after the load ended/);
            const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
            assert.strictEqual(report.scaling.cooldown.ended, "back");
            assert.ok(report.scaling.samples.length >= 5);
        } finally {
            await model.close();
            await api.close();
        }
    });

    it("--watch: replicas and metric land in the report, next to the load; --context chooses the cluster", async () => {
        const api = await fakeApi(n => [cpuHpa("cifar10-default-0-cifar10-pytorch", "cifar10-default-0-cifar10-pytorch", 60, Math.min(1 + n, 3))]);
        const model = await startV2Server();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadtest-watch-"));
        // The current context is elsewhere: --context must choose fake-ctx.
        const kubeconfig = kubeconfigFile(api.url, "fake-ctx", "other", ["other"]);
        try {
            const result = await loadgen(["--host", `http://127.0.0.1:${model.port}`,
                "--users", "2", "--run-time", "1s", "--report", path.join(dir, "report"), "--watch", "--context", "fake-ctx", "--watch-interval", "1s"], kubeconfig);
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stdout, /replicas of seldon\/cifar10-default-0-cifar10-pytorch: 1 at start, 3 at most/);
            const report = JSON.parse(fs.readFileSync(path.join(dir, "report", "report.json"), "utf8"));
            assert.ok(report.requests > 0 && report.scaling.samples.length >= 3);
            assert.strictEqual(report.scaling.errors, 0);
            assert.strictEqual(report.scaling.samples[0].hpa.metric, 60);
            const html = fs.readFileSync(path.join(dir, "report", "report.html"), "utf8");
            assert.ok(html.includes("Replicas of seldon/cifar10-default-0-cifar10-pytorch"));

            // A wrong Deployment stops the run before any load, with exit status 3.
            const sent = model.requests.length;
            const wrong = await loadgen(["--host", `http://127.0.0.1:${model.port}`, "--users", "1", "--run-time", "1s", "--quiet", "--watch",
                "--context", "fake-ctx", "--deployment", "cifar10"], kubeconfig);
            assert.strictEqual(wrong.status, 3, wrong.stderr);
            assert.match(wrong.stderr, /Deployment "cifar10" does not exist in namespace seldon .*; Deployments there: cifar10-default-0-cifar10-pytorch\nNothing was sent/);
            assert.strictEqual(model.requests.length, sent, "no load was sent");
        } finally {
            await model.close();
            await api.close();
        }
    });

    it("npm run loadtest -- --watch, as a process: KUBECONFIG and --context choose the cluster; a context that is not there is exit 3, nothing sent", async () => {
        const api = await fakeApi(() => []);
        const model = await startV2Server();
        try {
            const kubeconfig = kubeconfigFile(api.url, "fake-ctx", "other", ["other"]);
            const wrong = await runNode(["-r", "tsx/cjs", "loadtest/cli.ts", "--host", `http://127.0.0.1:${model.port}`,
                "--users", "1", "--run-time", "1s", "--quiet", "--watch", "--context", "kind-other"], { env: { ...process.env, KUBECONFIG: kubeconfig } });
            assert.strictEqual(wrong.status, 3, wrong.stderr);
            assert.match(wrong.stderr, /^loadgen: --watch: no context "kind-other" in the kubeconfig; contexts: fake-ctx, other .*\nNothing was sent/);
            assert.strictEqual(model.requests.length, 0, "no load was sent");
            assert.deepStrictEqual(api.paths, [], "no API call before the context is found");
        } finally {
            await model.close();
            await api.close();
        }
    });
});
