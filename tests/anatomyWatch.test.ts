// The anatomy end to end through --watch: a fake Kubernetes API on 127.0.0.1 whose clock runs 37 s
// ahead of this machine's (its Date header and every timestamp it writes), serving the Deployment, its
// HPA, its pods (only to the Deployment's label selector), their events, and Prometheus behind the API
// server's service proxy. The anatomy must put every step where the fixture put it, within the
// timestamps' whole-second resolution.
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { scaleUpAnatomy } from "../loadtest/anatomy";
import { startWatch } from "../loadtest/watch";
import { fakeKubeConfig } from "./fakeKubernetes";
import { BASE_MS, DEPLOYMENT, imageEvents, IMAGES, NAMESPACE, pod, PodTimes, rescaleEvent, SELECTOR } from "./anatomyFixtures";

const SKEW_S = 37;
const A: PodTimes = { name: `${DEPLOYMENT}-7d9f5c-bbbbb`, uid: "pA", created: -40, scheduled: -40, readyToStart: -38, download: { start: -37, end: -31, exitCode: 0 }, triton: -30, ready: -16 };
const OLD: PodTimes = { name: `${DEPLOYMENT}-7d9f5c-aaaaa`, uid: "p0", created: -900, scheduled: -900, readyToStart: -898, download: { start: -897, end: -890, exitCode: 0 }, triton: -889, ready: -870 };
const PROMETHEUS_PATH = "/api/v1/namespaces/seldon-monitoring/services/seldon-monitoring-prometheus:9090/proxy/api/v1/query";

/**
 * Times are seconds relative to `zero` (this machine's clock, ms): the fixture's BASE is moved there and
 * the cluster's clock put SKEW_S ahead. The first listing has only OLD; A appears from the second on.
 */
async function fakeCluster(zero: number) {
    const offsetS = (zero - BASE_MS) / 1000 + SKEW_S;
    const requests: string[] = [];
    let podReads = 0;
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "", "http://x");
        requests.push(req.url ?? "");
        res.setHeader("Date", new Date(Date.now() + SKEW_S * 1000).toUTCString());
        res.setHeader("Content-Type", "application/json");
        const base = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${DEPLOYMENT}`;
        if (url.pathname === `/api/v1/namespaces/${NAMESPACE}`) {
            res.end(JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name: NAMESPACE } }));
        } else if (url.pathname === base) {
            res.end(JSON.stringify({ kind: "Deployment", apiVersion: "apps/v1", metadata: { name: DEPLOYMENT },
                spec: { selector: { matchLabels: SELECTOR }, template: { metadata: { labels: SELECTOR }, spec: { containers: [] } } }, status: { replicas: 2, readyReplicas: 2 } }));
        } else if (url.pathname === `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers`) {
            res.end(JSON.stringify({ kind: "HorizontalPodAutoscalerList", apiVersion: "autoscaling/v2", metadata: {}, items: [{
                metadata: { name: DEPLOYMENT }, spec: { scaleTargetRef: { kind: "Deployment", name: DEPLOYMENT, apiVersion: "apps/v1" }, maxReplicas: 3,
                    metrics: [{ type: "External", external: { metric: { name: "s0-prometheus" }, target: { type: "AverageValue", averageValue: "20" } } }] },
                status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: "External", external: { metric: { name: "s0-prometheus" }, current: { averageValue: "31500m" } } }] },
            }] }));
        } else if (url.pathname === `/api/v1/namespaces/${NAMESPACE}/pods`) {
            // Only to the Deployment's selector: a listing by name would not find its pods.
            const wanted = Object.entries(SELECTOR).map(([k, v]) => `${k}=${v}`).join(",");
            const items = url.searchParams.get("labelSelector") === wanted ? (podReads++ === 0 ? [OLD] : [OLD, A]).map(p => pod(p, offsetS)) : [];
            res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items }));
        } else if (url.pathname === `/api/v1/namespaces/${NAMESPACE}/events`) {
            res.end(JSON.stringify({ kind: "EventList", apiVersion: "v1", metadata: {}, items: [
                rescaleEvent(2, "external metric s0-prometheus above target", -41, { offsetS }),
                ...imageEvents(A.name, A.uid, "cifar10-pytorch-model-initializer", IMAGES.RCLONE, -38, { present: true }, true, offsetS),
                ...imageEvents(A.name, A.uid, "cifar10-pytorch", IMAGES.TRITON, -31, { present: true }, false, offsetS),
            ] }));
        } else if (url.pathname === PROMETHEUS_PATH) {
            // The executor's counter of A: scraped at -20 s (none yet) and at -5 s (12 requests), cluster clock.
            const t = (s: number) => (zero + (s + SKEW_S) * 1000) / 1000;
            res.end(JSON.stringify({ status: "success", data: { resultType: "matrix", result: [
                { metric: { __name__: "seldon_api_executor_client_requests_seconds_count", pod: A.name, code: "200", method: "post" }, values: [[t(-20), "0"], [t(-5), "12"]] },
                { metric: { __name__: "seldon_api_executor_client_requests_seconds_count", pod: OLD.name, code: "200", method: "post" }, values: [[t(-35), "400"], [t(-20), "700"]] },
            ] } }));
        } else {
            res.statusCode = 404;
            res.end(JSON.stringify({ kind: "Status", status: "Failure", code: 404, message: `no route ${req.url}` }));
        }
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const kc = fakeKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return { kc, requests, podReads: () => podReads, close: () => new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe("the scale-up anatomy through --watch", () => {
    it("reads pods by the Deployment's selector, events, the cluster's clock and Prometheus, and places every step", async () => {
        // The load "started" 60 s ago on this machine's clock; A was created 40 s before now.
        const zero = Date.now();
        const startedAt = zero - 60_000;
        const cluster = await fakeCluster(zero);
        try {
            const watcher = await startWatch({ namespace: NAMESPACE, deployment: DEPLOYMENT, intervalMs: 100, cooldownMs: 0,
                prometheus: { namespace: "seldon-monitoring", service: "seldon-monitoring-prometheus", port: 9090 } }, () => startedAt, cluster.kc);
            while (cluster.podReads() < 2) {
                await new Promise(r => setTimeout(r, 20));
            }
            const result = await watcher.stop();
            const records = result.cluster!;
            assert.ok(Math.abs(records.clock.offsetMs - SKEW_S * 1000) <= records.clock.uncertaintyMs + 1, JSON.stringify(records.clock));
            assert.ok(records.clock.uncertaintyMs <= 1000, JSON.stringify(records.clock));
            assert.deepStrictEqual(records.firstServed && "pods" in records.firstServed ? records.firstServed.pods.map(p => p.pod) : records.firstServed, [A.name]);
            const prometheusQuery = new URL(cluster.requests.find(r => r.startsWith(PROMETHEUS_PATH))!, "http://x").searchParams.get("query");
            assert.match(prometheusQuery!, /^seldon_api_executor_client_requests_seconds_count\{namespace="seldon",deployment="cifar10-default-0-cifar10-pytorch"\}\[[0-9]+s\]$/);

            const a = scaleUpAnatomy({ startedAt: new Date(startedAt).toISOString(), durationS: 60, samples: result.samples, cluster: records });
            assert.deepStrictEqual(a.replicas.map(r => r.pod), [A.name]);
            // On the load's axis (60 s after its start is "now"): created 20, scheduled 20, download 23-29,
            // Triton 30, Ready 44, first request by the scrape at 55. Whole-second timestamps: within 1 s.
            const expected: Array<[string, number, number]> = [["scheduling", 20, 20], ["pod start", 20, 23], ["model download", 23, 29],
                ["Triton start", 29, 30], ["model load + readiness", 30, 44], ["first request", 44, 55]];
            const steps = a.replicas[0].steps.filter(s => s.name !== "signal" && s.name !== "pod creation");
            assert.deepStrictEqual(steps.map(s => s.name), expected.map(e => e[0]));
            steps.forEach((s, i) => {
                assert.ok(Math.abs(s.fromS - expected[i][1]) <= 1 && Math.abs(s.toS - expected[i][2]) <= 1, `${s.name}: ${s.fromS}-${s.toS}, expected ${expected[i][1]}-${expected[i][2]}`);
            });
            assert.ok(Math.abs(a.replicas[0].decision!.atS - 19) <= 1, `decision at ${a.replicas[0].decision!.atS}`);
            assert.strictEqual(a.replicas[0].decision!.metric, 31.5);
            assert.ok(a.replicas[0].pulls.every(p => p.present), "images already present");
        } finally {
            await cluster.close();
        }
    });

    it("says why the first request is unknown when Prometheus cannot be read, and still times the rest", async () => {
        const zero = Date.now();
        const cluster = await fakeCluster(zero);
        try {
            const watcher = await startWatch({ namespace: NAMESPACE, deployment: DEPLOYMENT, intervalMs: 100, cooldownMs: 0,
                prometheus: { namespace: "monitoring", service: "prometheus-k8s", port: 9090 } }, () => zero - 60_000, cluster.kc);
            while (cluster.podReads() < 2) {
                await new Promise(r => setTimeout(r, 20));
            }
            const records = (await watcher.stop()).cluster!;
            assert.match((records.firstServed as { error: string }).error,
                /^Prometheus monitoring\/prometheus-k8s:9090 through the API server's service proxy answered HTTP 404: no route \/api\/v1\/namespaces\/monitoring\/services\/prometheus-k8s:9090\/proxy/);
            const a = scaleUpAnatomy({ startedAt: new Date(zero - 60_000).toISOString(), durationS: 60, samples: [], cluster: records });
            assert.ok(a.notes.some(n => n.startsWith("the first request each replica served is unknown: Prometheus monitoring/prometheus-k8s:9090")), a.notes.join("\n"));
            assert.ok(!a.replicas[0].steps.some(s => s.name === "first request"));
        } finally {
            await cluster.close();
        }
    });
});
