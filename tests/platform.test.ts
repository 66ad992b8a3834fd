import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { baseConfig, ProgramRun, RegisteredResource, ROOT, runProgram } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const GATEWAY = "kubernetes:networking.istio.io/v1:Gateway";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";

/** What each release must be, from the upstream facts (repository, chart, name, namespace, version). */
const EXPECTED_RELEASES = {
    "istio-base": { chart: "base", repo: ISTIO_REPO, namespace: "istio-system", version: "1.30.3" },
    "istiod": { chart: "istiod", repo: ISTIO_REPO, namespace: "istio-system", version: "1.30.3" },
    "istio-ingressgateway": { chart: "gateway", repo: ISTIO_REPO, namespace: "istio-system", version: "1.30.3" },
    "seldon-core": { chart: "seldon-core-operator", repo: "https://storage.googleapis.com/seldon-charts", namespace: "seldon-system", version: "1.17.1" },
    "metrics-server": { chart: "metrics-server", repo: "https://kubernetes-sigs.github.io/metrics-server/", namespace: "kube-system", version: "3.13.1" },
    "seldon-monitoring": { chart: "kube-prometheus-stack", repo: "https://prometheus-community.github.io/helm-charts", namespace: "seldon-monitoring", version: "88.5.3" },
    "keda": { chart: "keda", repo: "https://kedacore.github.io/charts", namespace: "keda", version: "2.20.2" },
};

const release = (run: ProgramRun, name: string) => run.get(RELEASE, name);
const releaseNames = (run: ProgramRun) => run.ofType(RELEASE).map(r => r.name).sort();

describe("Platform", () => {
    let kind: ProgramRun;
    let cloud: ProgramRun;

    before(async () => {
        kind = await runProgram(baseConfig({ clusterFlavour: "kind" }));
        assert.ifError(kind.error);
        cloud = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal" }));
        assert.ifError(cloud.error);
    });

    describe("Helm releases", () => {
        it("installs every add-on by default, each under its upstream name", () => {
            assert.deepStrictEqual(releaseNames(kind), Object.keys(EXPECTED_RELEASES).sort());
        });

        for (const [name, expected] of Object.entries(EXPECTED_RELEASES)) {
            it(`${name}: chart ${expected.chart} ${expected.version} from its repository, in ${expected.namespace}, explicit release name`, () => {
                const r = release(kind, name).inputs;
                assert.strictEqual(r.name, name, "an explicit release name (no random suffix)");
                assert.strictEqual(r.chart, expected.chart);
                assert.strictEqual(r.version, expected.version);
                assert.deepStrictEqual(r.repositoryOpts, { repo: expected.repo });
                assert.strictEqual(r.namespace, expected.namespace);
            });
        }

        it("takes chart versions from config", async () => {
            const run = await runProgram(baseConfig({ istioVersion: "1.28.2", kedaVersion: "2.18.3", monitoringVersion: "80.5.0", metricsServerVersion: "3.13.0", seldonCoreVersion: "1.18.2" }));
            assert.ifError(run.error);
            for (const name of ["istio-base", "istiod", "istio-ingressgateway"]) {
                assert.strictEqual(release(run, name).inputs.version, "1.28.2");
            }
            assert.strictEqual(release(run, "keda").inputs.version, "2.18.3");
            assert.strictEqual(release(run, "seldon-monitoring").inputs.version, "80.5.0");
            assert.strictEqual(release(run, "metrics-server").inputs.version, "3.13.0");
            assert.strictEqual(release(run, "seldon-core").inputs.version, "1.18.2");
        });

        it("takes chart repositories from config: a mirror, or an OCI registry", async () => {
            const run = await runProgram(baseConfig({ istioRepository: "https://charts.mirror.example.com/istio", kedaRepository: "oci://registry.example.com/charts/" }));
            assert.ifError(run.error);
            for (const name of ["istio-base", "istiod", "istio-ingressgateway"]) {
                assert.deepStrictEqual(release(run, name).inputs.repositoryOpts, { repo: "https://charts.mirror.example.com/istio" });
            }
            const keda = release(run, "keda").inputs;
            assert.strictEqual(keda.chart, "oci://registry.example.com/charts/keda");
            assert.strictEqual(keda.repositoryOpts, undefined, "an OCI chart is named by URL, without a repository");
            assert.strictEqual(keda.version, "2.20.2");
        });

        it("creates the add-on namespaces (not kube-system) and the models' namespace with sidecar injection", () => {
            const namespaces = Object.fromEntries(kind.ofType(NAMESPACE).map(n => [n.inputs.metadata.name, n.inputs.metadata.labels]));
            assert.deepStrictEqual(Object.keys(namespaces).sort(), ["istio-system", "keda", "seldon", "seldon-monitoring", "seldon-system"]);
            assert.strictEqual(namespaces.seldon["istio-injection"], "enabled");
            for (const ns of ["istio-system", "keda", "seldon-monitoring", "seldon-system"]) {
                assert.strictEqual(namespaces[ns]["istio-injection"], undefined, `${ns} must not get sidecars`);
            }
            assert.strictEqual(kind.outputs.modelNamespace.value, "seldon");
        });

        it("every namespace it creates enforces the strictest Pod Security level its pods meet, and audits the next", async () => {
            const store = await runProgram(baseConfig({ modelStore: "in-cluster" }));
            const levels = (run: ProgramRun) => Object.fromEntries(run.ofType(NAMESPACE).map(n => {
                const labels = n.inputs.metadata.labels;
                return [n.inputs.metadata.name, [labels["pod-security.kubernetes.io/enforce"], labels["pod-security.kubernetes.io/audit"], labels["pod-security.kubernetes.io/warn"]]];
            }));
            const [baseline, restricted, privileged] = [["baseline", "restricted", "restricted"], ["restricted", "restricted", "restricted"], ["privileged", "baseline", "baseline"]];
            assert.deepStrictEqual(levels(store), {
                "istio-system": baseline, "seldon-system": baseline, "seldon-monitoring": baseline, "keda": restricted, "seaweedfs": baseline,
                // istio-init needs NET_ADMIN and NET_RAW in every pod with a sidecar.
                "seldon": privileged,
            });
            // On cloud the node exporter needs the host's namespaces and paths.
            assert.deepStrictEqual(levels(cloud)["seldon-monitoring"], privileged);
        });

        it("names the models' namespace from config", async () => {
            const run = await runProgram(baseConfig({ modelNamespace: "vision" }));
            assert.ok(run.ofType(NAMESPACE).some(n => n.inputs.metadata.name === "vision" && n.inputs.metadata.labels["istio-injection"] === "enabled"));
        });

        it("deploys every Kubernetes object through the configured provider", async () => {
            const run = await runProgram(baseConfig({ kubeContext: "kind-scalable-serving" }));
            const provider = run.get("pulumi:providers:kubernetes", "kubernetes");
            assert.strictEqual(provider.inputs.context, "kind-scalable-serving");
            const objects = run.resources.filter(r => r.custom && r.type.startsWith("kubernetes:"));
            assert.ok(objects.length >= 14);
            for (const o of objects) {
                assert.ok(o.provider?.startsWith(`${provider.urn}::`), `${o.type} ${o.name} does not use the configured provider`);
            }
        });
    });

    describe("Istio", () => {
        it("kind: NodePort ingress with the fixed nodePort, no gateway autoscaling", () => {
            const values = release(kind, "istio-ingressgateway").inputs.values;
            assert.strictEqual(values.service.type, "NodePort");
            const http = values.service.ports.find((p: any) => p.name === "http2");
            assert.deepStrictEqual(http, { name: "http2", port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 });
            assert.deepStrictEqual(values.autoscaling, { enabled: false });
        });

        it("kind: the shipped kind config maps that nodePort to localhost:8080", () => {
            const cluster = parse(fs.readFileSync(path.join(ROOT, "kind/cluster.yaml"), "utf8"));
            const mappings = cluster.nodes.flatMap((n: any) => n.extraPortMappings ?? []);
            assert.deepStrictEqual(mappings.filter((m: any) => m.containerPort === 30080),
                [{ containerPort: 30080, hostPort: 8080, listenAddress: "127.0.0.1", protocol: "TCP" }]);
            assert.match(cluster.nodes[0].image, /^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
        });

        it("kind: istiod and sidecars with small requests, no istiod autoscaling", () => {
            const values = release(kind, "istiod").inputs.values;
            assert.strictEqual(values.autoscaleEnabled, false);
            assert.deepStrictEqual(values.resources.requests, { cpu: "100m", memory: "256Mi" });
            assert.deepStrictEqual(values.global.proxy.resources.requests, { cpu: "50m", memory: "64Mi" });
        });

        it("cloud, ingressExposure internal: an internal load balancer for both AWS controllers, chart defaults for istiod", () => {
            assert.deepStrictEqual(release(cloud, "istio-ingressgateway").inputs.values, { service: { type: "LoadBalancer", annotations: {
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } } });
            assert.deepStrictEqual(release(cloud, "istiod").inputs.values, {});
            // The smoke test reaches it through a port-forward to the gateway Service (the machine running pulumi is outside).
            const smoke = cloud.get("command:local:Command", "cifar10-smoke-test").inputs.environment;
            assert.strictEqual(smoke.SMOKE_PORT_FORWARD, "istio-system/istio-ingressgateway:80");
        });

        it("cloud: the exposure is the user's choice, with no default; public needs ingressSourceRanges; not for kind (issue 19)", async () => {
            const unset = await runProgram(baseConfig({ clusterFlavour: "cloud" }));
            assert.match(String(unset.error?.message), /scalable-serving:ingressExposure is not set: .*Choose internal .* or public .*config set ingressExposure internal/);
            const publicOpen = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "public" }));
            assert.match(String(publicOpen.error?.message), /ingressExposure = "public" needs scalable-serving:ingressSourceRanges/);
            const wrong = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "private" }));
            assert.match(String(wrong.error?.message), /ingressExposure = "private" is not allowed: use one of internal \| public/);
            const kind2 = await runProgram(baseConfig({ ingressExposure: "internal" }));
            assert.match(String(kind2.error?.message), /ingressExposure is set but scalable-serving:clusterFlavour = "kind"/);
            // Public to anyone is allowed, said at every up; no port-forward for a public gateway.
            const warned: string[] = [];
            const original = pulumi.log.warn;
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (m: string) => { warned.push(m); };
            try {
                const open = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "public", ingressSourceRanges: "0.0.0.0/0" }));
                assert.ifError(open.error);
                assert.ok(warned.some(w => /ingressSourceRanges has 0\.0\.0\.0\/0: the models' endpoint is open to the whole internet/.test(w)), warned.join("\n"));
                assert.strictEqual(open.get("command:local:Command", "cifar10-smoke-test").inputs.environment.SMOKE_PORT_FORWARD, undefined);
            } finally {
                (pulumi.log as { warn: typeof pulumi.log.warn }).warn = original;
            }
        });

        it("cloud: ingressSourceRanges restricts the load balancer's clients", async () => {
            const run = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "public", ingressSourceRanges: "203.0.113.0/24, 198.51.100.7/32" }));
            assert.deepStrictEqual(release(run, "istio-ingressgateway").inputs.values,
                { service: { type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"] } });
        });

        it("cloud, ingressTlsSecret: the Gateway also serves HTTPS on 443 with that certificate; refused on kind or as a bad name (issue 19)", async () => {
            const run = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal", ingressTlsSecret: "models-tls" }));
            assert.ifError(run.error);
            assert.deepStrictEqual(run.get(GATEWAY, "seldon-gateway").inputs.spec.servers, [
                { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] },
                { port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: ["*"], tls: { mode: "SIMPLE", credentialName: "models-tls" } },
            ]);
            assert.match(String((await runProgram(baseConfig({ ingressTlsSecret: "models-tls" }))).error?.message), /ingressTlsSecret is set but scalable-serving:clusterFlavour = "kind"/);
            assert.match(String((await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal", ingressTlsSecret: "Models_TLS" }))).error?.message),
                /ingressTlsSecret = "Models_TLS" is not a Secret name/);
        });

        it("the seldon-gateway Gateway selects the ingress gateway pods on port 80 for every host", () => {
            const gw = kind.get(GATEWAY, "seldon-gateway").inputs;
            assert.deepStrictEqual(gw, {
                apiVersion: "networking.istio.io/v1",
                kind: "Gateway",
                metadata: { name: "seldon-gateway", namespace: "istio-system" },
                spec: {
                    selector: { istio: "ingressgateway" },
                    servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
                },
            });
        });

        it("existing: installs no Istio chart but still creates the seldon-gateway Gateway", async () => {
            const run = await runProgram(baseConfig({ istio: "existing" }));
            assert.ifError(run.error);
            assert.deepStrictEqual(releaseNames(run).filter(n => n.startsWith("istio")), []);
            assert.ok(!run.ofType(NAMESPACE).some(n => n.inputs.metadata.name === "istio-system"));
            run.get(GATEWAY, "seldon-gateway");
            const seldon = release(run, "seldon-core");
            assert.ok(!run.ofType(RELEASE).some(r => r !== seldon && r.name.startsWith("istio") && run.dependsOn(seldon, r)));
        });
    });

    describe("Seldon Core", () => {
        it("routes through Istio's seldon-gateway and turns kedaSpecs into ScaledObjects", () => {
            const values = release(cloud, "seldon-core").inputs.values;
            assert.deepStrictEqual(values, {
                istio: { enabled: true, gateway: "istio-system/seldon-gateway" },
                keda: { enabled: true },
                usageMetrics: { enabled: false },
            });
        });

        it("kind: smaller executor requests", () => {
            assert.deepStrictEqual(release(kind, "seldon-core").inputs.values.executor,
                { resources: { cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "500m", memoryLimit: "512Mi" } });
        });

        it("keda.enabled follows KEDA: on when installed or existing, off when absent", async () => {
            const existing = await runProgram(baseConfig({ keda: "existing" }));
            assert.strictEqual(release(existing, "seldon-core").inputs.values.keda.enabled, true);
            const none = await runProgram(baseConfig({ keda: "none" }));
            assert.strictEqual(release(none, "seldon-core").inputs.values.keda.enabled, false);
        });

        it("existing: installs no operator", async () => {
            const run = await runProgram(baseConfig({ seldonCore: "existing" }));
            assert.ok(!releaseNames(run).includes("seldon-core"));
            assert.ok(!run.ofType(NAMESPACE).some(n => n.inputs.metadata.name === "seldon-system"));
        });
    });

    describe("metrics-server", () => {
        it("kind: skips kubelet certificate verification", () => {
            assert.deepStrictEqual(release(kind, "metrics-server").inputs.values, { args: ["--kubelet-insecure-tls"] });
        });
        it("cloud: verifies kubelet certificates", () => {
            assert.deepStrictEqual(release(cloud, "metrics-server").inputs.values, {});
        });
        for (const mode of ["existing", "none"]) {
            it(`${mode}: not installed`, async () => {
                const run = await runProgram(baseConfig({ metricsServer: mode, autoscaler: "keda" }));
                assert.ifError(run.error);
                assert.ok(!releaseNames(run).includes("metrics-server"));
            });
        }
    });

    describe("monitoring", () => {
        it("names Prometheus seldon-monitoring and selects PodMonitors of every release", () => {
            for (const run of [kind, cloud]) {
                const values = release(run, "seldon-monitoring").inputs.values;
                assert.strictEqual(values.fullnameOverride, "seldon-monitoring");
                assert.strictEqual(values.prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues, false);
                assert.strictEqual(values.prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues, false);
            }
        });

        it("kind: only Prometheus, its operator and kube-state-metrics (for the model's alerts)", () => {
            const values = release(kind, "seldon-monitoring").inputs.values;
            for (const key of ["alertmanager", "grafana", "nodeExporter", "kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
                assert.deepStrictEqual(values[key], { enabled: false }, key);
            }
            assert.deepStrictEqual(values.kubeStateMetrics, { enabled: true });
            assert.deepStrictEqual(values["kube-state-metrics"], { resources: { requests: { cpu: "10m", memory: "32Mi" } } });
            assert.deepStrictEqual(values.defaultRules, { create: false });
        });

        it("cloud: the chart's full stack", () => {
            const values = release(cloud, "seldon-monitoring").inputs.values;
            assert.deepStrictEqual(Object.keys(values).sort(), ["fullnameOverride", "prometheus"]);
        });

        it("scrapes Seldon's executors and Triton every 15 s", () => {
            const pm = kind.get(POD_MONITOR, "seldon-podmonitor").inputs;
            assert.deepStrictEqual({ ...pm, spec: { ...pm.spec, podMetricsEndpoints: pm.spec.podMetricsEndpoints.slice(0, 1) } }, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: "seldon-podmonitor", namespace: "seldon-monitoring" },
                spec: {
                    selector: { matchLabels: { "app.kubernetes.io/managed-by": "seldon-core" } },
                    namespaceSelector: { any: true },
                    podMetricsEndpoints: [{ port: "metrics", path: "/prometheus", interval: "15s", relabelings: [{
                        action: "replace", sourceLabels: ["__meta_kubernetes_pod_controller_kind", "__meta_kubernetes_pod_controller_name"],
                        separator: ";", regex: "ReplicaSet;(.+)-[a-z0-9]+", targetLabel: "deployment", replacement: "$1",
                    }] }],
                },
            });
            const triton = pm.spec.podMetricsEndpoints[1];
            assert.deepStrictEqual([triton.port, triton.path, triton.interval], ["http", "/metrics", "15s"]);
            // What its relabelings make of a model pod is checked in a real Prometheus (tests/upstream/podMonitorScrape.test.ts).
        });

        it("exports the in-cluster Prometheus URL", () => {
            assert.strictEqual(kind.outputs.prometheusUrl.value, "http://seldon-monitoring-prometheus.seldon-monitoring.svc.cluster.local:9090");
        });

        it("existing: uses the configured Prometheus and installs nothing", async () => {
            const url = "http://prometheus-server.observability.svc.cluster.local:80";
            const run = await runProgram(baseConfig({ monitoring: "existing", prometheusUrl: url, autoscaler: "keda" }));
            assert.ifError(run.error);
            assert.ok(!releaseNames(run).includes("seldon-monitoring"));
            assert.deepStrictEqual(run.ofType(POD_MONITOR), []);
            assert.strictEqual(run.outputs.prometheusUrl.value, url);
        });
    });

    describe("KEDA", () => {
        it("installs KEDA in namespace keda with the chart's defaults", () => {
            assert.deepStrictEqual(release(kind, "keda").inputs.values, {});
        });
        it("none: not installed", async () => {
            const run = await runProgram(baseConfig({ keda: "none" }));
            assert.ok(!releaseNames(run).includes("keda"));
            assert.ok(!run.ofType(NAMESPACE).some(n => n.inputs.metadata.name === "keda"));
        });
    });

    describe("ordering by real dependencies only", () => {
        const dep = (run: ProgramRun, from: string, to: string) => run.dependsOn(release(run, from), release(run, to));

        it("istiod after Istio's CRDs, the ingress gateway after istiod", () => {
            assert.ok(dep(kind, "istiod", "istio-base"));
            assert.ok(dep(kind, "istio-ingressgateway", "istiod"));
        });

        it("the seldon-gateway Gateway after istiod", () => {
            assert.ok(kind.dependsOn(kind.get(GATEWAY, "seldon-gateway"), release(kind, "istiod")));
        });

        it("Seldon Core after the CRDs it watches (Istio's and KEDA's)", () => {
            assert.ok(dep(kind, "seldon-core", "istio-base"));
            assert.ok(dep(kind, "seldon-core", "keda"));
        });

        it("the PodMonitor after the chart that defines its CRD", () => {
            assert.ok(kind.dependsOn(kind.get(POD_MONITOR, "seldon-podmonitor"), release(kind, "seldon-monitoring")));
        });

        it("metrics-server, monitoring, KEDA and Istio's base are not chained", () => {
            const independent = ["metrics-server", "seldon-monitoring", "keda", "istio-base"];
            for (const a of independent) {
                for (const b of Object.keys(EXPECTED_RELEASES)) {
                    if (a !== b) {
                        assert.ok(!dep(kind, a, b), `${a} must not wait for ${b}`);
                    }
                }
            }
        });

        it("Seldon Core does not wait for metrics-server, monitoring or the ingress gateway", () => {
            for (const other of ["metrics-server", "seldon-monitoring", "istio-ingressgateway", "istiod"]) {
                assert.ok(!dep(kind, "seldon-core", other), `seldon-core must not wait for ${other}`);
            }
        });
    });

    it("every platform object is parented to an add-on component under the Platform", () => {
        const platform = kind.get("scalable-serving:platform:Platform", "platform");
        const components = kind.resources.filter(r => r.parent === platform.urn && !r.custom).map(r => r.type).sort();
        assert.deepStrictEqual(components, [
            "scalable-serving:platform:Istio",
            "scalable-serving:platform:Keda",
            "scalable-serving:platform:MetricsServer",
            "scalable-serving:platform:Monitoring",
            "scalable-serving:platform:SeldonCore",
        ]);
        const platformObjects = kind.resources.filter((r: RegisteredResource) => [RELEASE, NAMESPACE, GATEWAY, POD_MONITOR].includes(r.type));
        assert.ok(platformObjects.length >= 14);
        for (const o of platformObjects) {
            let at: RegisteredResource | undefined = o;
            while (at && at.parent && at !== platform) {
                at = kind.resources.find(r => r.urn === at!.parent);
            }
            assert.strictEqual(at, platform, `${o.type} ${o.name} is outside the Platform`);
        }
    });
});

