// The PodMonitor's endpoints run through Prometheus's own relabelling: a real Prometheus (Debian's,
// from the package that ships promtool) gets a Seldon model pod's targets as its Kubernetes pod
// discovery makes them (one per declared container port, with the documented __meta_kubernetes_pod_*
// labels; Debian builds Prometheus without Kubernetes discovery, so they come through file
// discovery), and applies each endpoint's relabelings after the rules prometheus-operator generates
// for a PodMonitor endpoint (selector, port, standard labels). What Prometheus reports as its targets
// is what the test checks.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { SCRAPE_ENDPOINTS } from "../../lib/queries";
import { seldonPodMonitor } from "../../components/platform/monitoring";
import { PodMetricsEndpoint, RelabelConfig } from "../../lib/types/prometheusOperator";
import { requireTool } from "./tools";

const WORKLOAD = "cifar10-default-0-cifar10-pytorch";
const POD_IP = "10.244.0.17";

/** A model pod as Seldon 1.17.1 creates it: the executor, Triton (ports grpc and http only) and Istio's proxy. */
const MODEL_POD = {
    metadata: {
        name: `${WORKLOAD}-7d9c8b6f5-x2x7q`, namespace: "seldon", uid: "pod-uid-1", resourceVersion: "1",
        labels: { "app.kubernetes.io/managed-by": "seldon-core", "seldon-deployment-id": "cifar10", app: WORKLOAD },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${WORKLOAD}-7d9c8b6f5`, uid: "rs-uid", controller: true }],
    },
    spec: {
        containers: [
            { name: "cifar10-pytorch", image: "nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3",
                ports: [{ name: "grpc", containerPort: 9500, protocol: "TCP" }, { name: "http", containerPort: 9000, protocol: "TCP" }] },
            { name: "seldon-container-engine", image: "docker.io/seldonio/seldon-core-executor:1.17.1",
                ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }, { name: "metrics", containerPort: 8000, protocol: "TCP" },
                    { name: "grpc", containerPort: 5001, protocol: "TCP" }] },
            { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.30.3", ports: [{ name: "http-envoy-prom", containerPort: 15090, protocol: "TCP" }] },
        ],
    },
    status: { phase: "Running", podIP: POD_IP, podIPs: [{ ip: POD_IP }], hostIP: "172.18.0.2", conditions: [{ type: "Ready", status: "True" }] },
};

/**
 * The targets Prometheus's Kubernetes discovery (role pod) makes of a pod: one per declared container
 * port, addressed <pod IP>:<port>, with its meta labels (Prometheus docs, kubernetes_sd_config, pod role).
 */
function podTargets(pod: typeof MODEL_POD): Array<{ targets: string[]; labels: Record<string, string> }> {
    const sanitize = (k: string) => k.replace(/[^a-zA-Z0-9_]/g, "_");
    const podLabels = Object.fromEntries(Object.entries(pod.metadata.labels).flatMap(([k, v]) => [
        [`__meta_kubernetes_pod_label_${sanitize(k)}`, v], [`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`, "true"]]));
    const owner = pod.metadata.ownerReferences.find(o => o.controller)!;
    return pod.spec.containers.flatMap(c => c.ports.map(p => ({
        targets: [`${pod.status.podIP}:${p.containerPort}`],
        labels: {
            ...podLabels,
            __meta_kubernetes_namespace: pod.metadata.namespace,
            __meta_kubernetes_pod_name: pod.metadata.name,
            __meta_kubernetes_pod_ip: pod.status.podIP,
            __meta_kubernetes_pod_phase: pod.status.phase,
            __meta_kubernetes_pod_ready: "true",
            __meta_kubernetes_pod_host_ip: pod.status.hostIP,
            __meta_kubernetes_pod_uid: pod.metadata.uid,
            __meta_kubernetes_pod_controller_kind: owner.kind,
            __meta_kubernetes_pod_controller_name: owner.name,
            __meta_kubernetes_pod_container_name: c.name,
            __meta_kubernetes_pod_container_image: c.image,
            __meta_kubernetes_pod_container_init: "false",
            __meta_kubernetes_pod_container_port_name: p.name,
            __meta_kubernetes_pod_container_port_number: String(p.containerPort),
            __meta_kubernetes_pod_container_port_protocol: p.protocol,
        },
    })));
}

/** A port that was free a moment ago (Prometheus takes no port 0: it would not say which it got). */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

const snake = (r: RelabelConfig) => ({
    ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action ? { action: r.action } : {}),
});

/** The scrape job prometheus-operator generates for one PodMonitor endpoint (the parts that select and label targets). */
function scrapeJob(targetsFile: string, podMonitor: ReturnType<typeof seldonPodMonitor>, i: number, ep: PodMetricsEndpoint) {
    const [[labelKey, labelValue]] = Object.entries(podMonitor.spec.selector.matchLabels);
    const sanitized = labelKey.replace(/[^a-zA-Z0-9_]/g, "_");
    return {
        job_name: `podMonitor/${podMonitor.metadata.namespace}/${podMonitor.metadata.name}/${i}`,
        scrape_interval: ep.interval,
        metrics_path: ep.path,
        file_sd_configs: [{ files: [targetsFile] }],
        relabel_configs: [
            { source_labels: [`__meta_kubernetes_pod_label_${sanitized}`, `__meta_kubernetes_pod_labelpresent_${sanitized}`], regex: `(${labelValue});true`, action: "keep" },
            { source_labels: ["__meta_kubernetes_pod_phase"], regex: "(Failed|Succeeded)", action: "drop" },
            { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: ep.port, action: "keep" },
            { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            { target_label: "job", replacement: `${podMonitor.metadata.namespace}/${podMonitor.metadata.name}` },
            { target_label: "endpoint", replacement: ep.port },
            ...(ep.relabelings ?? []).map(snake),
        ],
    };
}

interface Target { labels: Record<string, string>; scrapeUrl: string; scrapePool: string }

describe("the PodMonitor's endpoints in Prometheus's own relabelling", function () {
    this.timeout(60_000);
    let prometheus: ChildProcess | undefined;
    let targets: { activeTargets: Target[]; droppedTargets: Target[] };
    const podMonitor = seldonPodMonitor("seldon-monitoring");

    before(async () => {
        const binary = requireTool("prometheus", "apt-get install prometheus");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prometheus-"));
        const targetsFile = path.join(dir, "pods.json");
        fs.writeFileSync(targetsFile, JSON.stringify(podTargets(MODEL_POD)));
        const config = path.join(dir, "prometheus.yml");
        fs.writeFileSync(config, stringify({
            global: { scrape_interval: "15s" },
            scrape_configs: podMonitor.spec.podMetricsEndpoints.map((ep, i) => scrapeJob(targetsFile, podMonitor, i, ep)),
        }));
        const port = await freePort();
        let stderr = "";
        prometheus = spawn(binary, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
            { stdio: ["ignore", "ignore", "pipe"] });
        prometheus.stderr!.on("data", d => (stderr = (stderr + d).slice(-4000)));
        // Until both jobs have placed the pod's four container ports (targets found, kept or dropped); bounded.
        const deadline = Date.now() + 45_000;
        for (;;) {
            if (prometheus.exitCode !== null) {
                throw new Error(`prometheus exited ${prometheus.exitCode}:\n${stderr}`);
            }
            try {
                const body = await new Promise<string>((resolve, reject) => {
                    const req = http.get(`http://127.0.0.1:${port}/api/v1/targets?state=any`, res => {
                        let text = "";
                        res.on("data", d => (text += d));
                        res.on("end", () => resolve(text));
                    });
                    req.setTimeout(2000, () => req.destroy(new Error("timeout")));
                    req.on("error", reject);
                });
                targets = JSON.parse(body).data;
                const seen = targets.activeTargets.length + targets.droppedTargets.length;
                if (seen >= 2 * 6) {
                    break;
                }
            } catch {
                // not listening yet
            }
            if (Date.now() > deadline) {
                throw new Error(`prometheus did not discover the pod within 45 s:\n${stderr}`);
            }
            await new Promise(r => setTimeout(r, 200));
        }
    });

    after(async () => {
        prometheus?.kill("SIGKILL");
    });

    const active = (job: number) => targets.activeTargets.filter(t => t.scrapePool === `podMonitor/seldon-monitoring/seldon-podmonitor/${job}`);

    it("the executor's endpoint: one target, its metrics port and path, labelled with its Deployment and endpoint (the signals' up series)", () => {
        const found = active(0);
        assert.deepStrictEqual(found.map(t => t.scrapeUrl), [`http://${POD_IP}:8000/prometheus`]);
        const labels = found[0].labels;
        assert.deepStrictEqual([labels.namespace, labels.container, labels.deployment, labels.endpoint],
            ["seldon", "seldon-container-engine", WORKLOAD, SCRAPE_ENDPOINTS.executor]);
    });

    it("Triton's endpoint: one target, Triton's container only, at the pod's port 8002, labelled with its Deployment", () => {
        const found = active(1);
        assert.deepStrictEqual(found.map(t => t.scrapeUrl), [`http://${POD_IP}:8002/metrics`], "the executor's http port must be dropped");
        const labels = found[0].labels;
        assert.deepStrictEqual([labels.namespace, labels.container, labels.deployment, labels.endpoint, labels.instance],
            ["seldon", "cifar10-pytorch", WORKLOAD, "http", `${POD_IP}:8002`]);
        assert.ok(labels.pod.startsWith(`${WORKLOAD}-`));
    });
});
