import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { TRITON_SECURITY_CONTEXT } from "../components/serving/modelDeployment";
import { baseConfig, cifar10Repository, makeRepository, MOCK_ACCOUNT_ID, MOCK_LOAD_BALANCER, ProgramRun, RegisteredResource, ROOT, runProgram } from "./harness";

const SDEP = "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment";
const SECRET = "kubernetes:core/v1:Secret";
const COMMAND = "command:local:Command";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const BUCKET = `scalable-serving-dev-${MOCK_ACCOUNT_ID}-models`;
const PROMETHEUS = "http://seldon-monitoring-prometheus.seldon-monitoring.svc.cluster.local:9090";

const sdep = (run: ProgramRun) => run.get(SDEP, "cifar10").inputs;
const predictor = (run: ProgramRun) => sdep(run).spec.predictors[0];
const componentSpec = (run: ProgramRun) => predictor(run).componentSpecs[0];


/** Triton's probes, written out by hand: Seldon keeps a container's own probes (addTritonServer sets its defaults only when nil). */
const PROBES = {
    startupProbe: { httpGet: { path: "/v2/health/ready", port: "http", scheme: "HTTP" }, initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 151 },
    readinessProbe: { httpGet: { path: "/v2/health/ready", port: "http", scheme: "HTTP" }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: "/v2/health/live", port: "http", scheme: "HTTP" }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
};

/**
 * What kubelet does with a probe whose endpoint starts answering at `readyAfterS` (k8s.io/api v0.33.1
 * core/v1/types.go: Probe's initialDelaySeconds 2570, periodSeconds 2579, failureThreshold 2587 "minimum
 * consecutive failures"; Container.StartupProbe 2879-2881, no other probe runs until it succeeds and
 * its failure restarts the container): the first attempt at or after it succeeds; failureThreshold
 * failures before it restart.
 */
function startupOutcome(p: { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number }, readyAfterS: number) {
    const delay = p.initialDelaySeconds ?? 0, period = p.periodSeconds ?? 10, threshold = p.failureThreshold ?? 3;
    for (let k = 0; ; k++) {
        const t = delay + k * period;
        if (t >= readyAfterS) {
            return { ready: true, atS: t };
        }
        if (k + 1 >= threshold) {
            return { ready: false, restartAtS: t };
        }
    }
}

describe("ModelDeployment", () => {
    const modes: Record<string, ProgramRun> = {};
    let repo: string;

    before(async () => {
        repo = cifar10Repository();
        for (const mode of ["none", "hpa", "keda"]) {
            modes[mode] = await runProgram(baseConfig({ autoscaler: mode, modelRepositoryPath: repo }));
            assert.ifError(modes[mode].error);
        }
    });

    describe("rclone Secret", () => {
        it("configures rclone's s3 remote for AWS with the read-only key and the region", () => {
            const secret = modes.hpa.get(SECRET, "cifar10-rclone");
            assert.deepStrictEqual(secret.inputs.metadata, { name: "cifar10-rclone", namespace: "seldon" });
            assert.strictEqual(secret.inputs.type, "Opaque");
            assert.deepStrictEqual(secret.inputs.stringData, {
                RCLONE_CONFIG_S3_TYPE: "s3",
                RCLONE_CONFIG_S3_PROVIDER: "AWS",
                RCLONE_CONFIG_S3_ENV_AUTH: "false",
                RCLONE_CONFIG_S3_ACCESS_KEY_ID: "AKIAMOCKREADERKEY000",
                RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: "mock-secret-access-key",
                RCLONE_CONFIG_S3_REGION: "eu-west-1",
            });
            assert.deepStrictEqual(secret.secretPaths, ["stringData"]);
        });

        it("uses an S3-compatible store's provider and endpoint", async () => {
            const run = await runProgram(baseConfig({ modelStore: "in-cluster", rcloneProvider: "SeaweedFS", s3Endpoint: "http://seaweedfs-s3.seaweedfs.svc.cluster.local:8333" }));
            assert.ifError(run.error);
            const data = run.get(SECRET, "cifar10-rclone").inputs.stringData;
            assert.strictEqual(data.RCLONE_CONFIG_S3_PROVIDER, "SeaweedFS");
            assert.strictEqual(data.RCLONE_CONFIG_S3_ENDPOINT, "http://seaweedfs-s3.seaweedfs.svc.cluster.local:8333");
        });

        it("uses an existing key pair when configured", async () => {
            const run = await runProgram(
                baseConfig({ readerCredentials: "existing", readerAccessKeyId: "AKIAOWN", readerSecretAccessKey: "own-secret" }),
                { secrets: ["readerAccessKeyId", "readerSecretAccessKey"] });
            const data = run.get(SECRET, "cifar10-rclone").inputs.stringData;
            assert.strictEqual(data.RCLONE_CONFIG_S3_ACCESS_KEY_ID, "AKIAOWN");
            assert.strictEqual(data.RCLONE_CONFIG_S3_SECRET_ACCESS_KEY, "own-secret");
        });
    });

    describe("SeldonDeployment", () => {
        it("serves the model with Triton over protocol v2 from the model repository", () => {
            const s = sdep(modes.hpa);
            assert.strictEqual(s.apiVersion, "machinelearning.seldon.io/v1");
            assert.strictEqual(s.kind, "SeldonDeployment");
            assert.deepStrictEqual(s.metadata, { name: "cifar10", namespace: "seldon" });
            assert.strictEqual(s.spec.name, "cifar10");
            assert.strictEqual(s.spec.protocol, "v2");
            assert.strictEqual(s.spec.predictors.length, 1);
            assert.strictEqual(predictor(modes.hpa).name, "default");
            assert.deepStrictEqual(predictor(modes.hpa).graph, {
                name: "cifar10-pytorch",
                type: "MODEL",
                implementation: "TRITON_SERVER",
                modelUri: `s3://${BUCKET}/cifar10-model`,
                envSecretRefName: "cifar10-rclone",
            });
        });

        it("pins a modern Triton in a container named like the graph node, with CPU and memory requests, a memory limit and no API token", () => {
            assert.deepStrictEqual(componentSpec(modes.hpa).spec, {
                automountServiceAccountToken: false,
                containers: [{
                    name: "cifar10-pytorch",
                    image: "nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3",
                    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2048Mi" } },
                    securityContext: {
                        runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
                    },
                    ...PROBES,
                }],
            });
        });

        it("probes Triton's ready endpoint every 2 s from its start, so a replica is Ready within 2 s of its model, not after Seldon's 20 s delay", () => {
            assert.deepStrictEqual(componentSpec(modes.keda).spec.containers[0].startupProbe, PROBES.startupProbe);
            // kubelet's rule (k8s.io/api v0.33.1 core/v1/types.go, Probe and Container.StartupProbe): attempts at
            // initialDelaySeconds + k × periodSeconds; the container restarts after failureThreshold failures in a
            // row. A model ready by the 300 s budget passes; one ready a moment later is restarted.
            assert.deepStrictEqual(startupOutcome(PROBES.startupProbe, 300), { ready: true, atS: 300 });
            assert.deepStrictEqual(startupOutcome(PROBES.startupProbe, 300.5), { ready: false, restartAtS: 300 });
            // The cifar10 model, loaded in 3 s: Ready at 4 s (Seldon's own readiness probe: 20 s at the earliest).
            assert.deepStrictEqual(startupOutcome(PROBES.startupProbe, 3), { ready: true, atS: 4 });
            assert.deepStrictEqual(startupOutcome({ initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3 }, 3), { ready: true, atS: 20 });
        });

        it("the default memory limit follows the request (2x); a quantity sets it, empty removes it (issue 19)", async () => {
            const raised = await runProgram(baseConfig({ modelMemoryRequest: "3Gi" }));
            assert.deepStrictEqual(componentSpec(raised).spec.containers[0].resources, { requests: { cpu: "500m", memory: "3Gi" }, limits: { memory: "6144Mi" } });
            const none = await runProgram(baseConfig({ modelMemoryLimit: "" }));
            assert.deepStrictEqual(componentSpec(none).spec.containers[0].resources, { requests: { cpu: "500m", memory: "1Gi" } });
        });

        it("asks Istio for a native sidecar in every mode, so the storage initializer reaches the store on any Kubernetes ≥ 1.29", () => {
            for (const run of Object.values(modes)) {
                assert.deepStrictEqual(componentSpec(run).metadata, { annotations: { "sidecar.istio.io/nativeSidecar": "true" } });
            }
        });

        it("takes image, requests and limits from config", async () => {
            const run = await runProgram(baseConfig({ tritonImage: "registry.example.com/mirror/tritonserver:24.08-py3", modelCpuRequest: "1", modelMemoryRequest: "2Gi", modelCpuLimit: "2", modelMemoryLimit: "3Gi" }));
            assert.deepStrictEqual(componentSpec(run).spec.containers[0], {
                name: "cifar10-pytorch",
                image: "registry.example.com/mirror/tritonserver:24.08-py3",
                resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "3Gi" } },
                securityContext: TRITON_SECURITY_CONTEXT,
                ...PROBES,
            });
        });

        it("has no payload logger unless a sink is configured", async () => {
            assert.ok(!("logger" in predictor(modes.hpa).graph));
            const run = await runProgram(baseConfig({ payloadLoggerUrl: "http://logger.logging.svc.cluster.local:8080" }));
            assert.deepStrictEqual(predictor(run).graph.logger, { mode: "all", url: "http://logger.logging.svc.cluster.local:8080" });
        });

        it("takes deployment name, namespace and model from config", async () => {
            const dir = makeRepository({
                "resnet/config.pbtxt": "name: \"resnet\"",
                "resnet/1/model.pt": "x",
            });
            const run = await runProgram(baseConfig({ deploymentName: "vision", modelNamespace: "ml", modelName: "resnet", modelRepositoryPath: dir }));
            assert.ifError(run.error);
            const s = run.get(SDEP, "vision").inputs;
            assert.deepStrictEqual(s.metadata, { name: "vision", namespace: "ml" });
            assert.strictEqual(s.spec.predictors[0].graph.name, "resnet");
            assert.strictEqual(s.spec.predictors[0].graph.envSecretRefName, "vision-rclone");
            assert.strictEqual(s.spec.predictors[0].componentSpecs[0].spec.containers[0].name, "resnet");
            assert.strictEqual(run.outputs.inferenceUrl.value, "http://localhost:8080/seldon/ml/vision/v2/models/resnet/infer");
            assert.strictEqual(run.outputs.kubernetesDeployment.value, "ml/vision-default-0-resnet");
        });

        it("waits for the operator, istiod, the gateway, the namespace, its Secret and every uploaded file", () => {
            const run = modes.hpa;
            const s = run.get(SDEP, "cifar10");
            const needs: RegisteredResource[] = [
                run.get(RELEASE, "seldon-core"),
                run.get(RELEASE, "istiod"),
                run.get("kubernetes:networking.istio.io/v1:Gateway", "seldon-gateway"),
                run.get("kubernetes:core/v1:Namespace", "seldon"),
                run.get(SECRET, "cifar10-rclone"),
                ...run.ofType("aws:s3/bucketObjectv2:BucketObjectv2"),
            ];
            for (const n of needs) {
                assert.ok(run.dependsOn(s, n), `the SeldonDeployment must wait for ${n.type} ${n.name}`);
            }
            assert.ok(!run.dependsOn(s, run.get(RELEASE, "seldon-monitoring")), "no needless wait for Prometheus");
        });

        it("creates the rclone Secret as soon as its namespace exists", () => {
            const run = modes.hpa;
            const secret = run.get(SECRET, "cifar10-rclone");
            assert.ok(run.dependsOn(secret, run.get("kubernetes:core/v1:Namespace", "seldon")));
            for (const other of [run.get(RELEASE, "seldon-core"), run.get(RELEASE, "istiod"), ...run.ofType("aws:s3/bucketObjectv2:BucketObjectv2")]) {
                assert.ok(!run.dependsOn(secret, other), `the Secret need not wait for ${other.type} ${other.name}`);
            }
        });
    });

    describe("autoscaler: none", () => {
        it("fixed replicas, neither hpaSpec nor kedaSpec", async () => {
            assert.strictEqual(predictor(modes.none).replicas, 1);
            assert.ok(!("hpaSpec" in componentSpec(modes.none)) && !("kedaSpec" in componentSpec(modes.none)));
            const run = await runProgram(baseConfig({ autoscaler: "none", replicas: "3" }));
            assert.strictEqual(predictor(run).replicas, 3);
        });
    });

    describe("autoscaler: hpa", () => {
        it("scales on the Triton container's CPU utilisation (autoscaling/v2 ContainerResource)", () => {
            assert.deepStrictEqual(componentSpec(modes.hpa).hpaSpec, {
                minReplicas: 1,
                maxReplicas: 3,
                metricsv2: [{
                    type: "ContainerResource",
                    containerResource: { name: "cpu", container: "cifar10-pytorch", target: { type: "Utilization", averageUtilization: 50 } },
                }],
            });
            assert.ok(!("kedaSpec" in componentSpec(modes.hpa)));
            assert.ok(!("replicas" in predictor(modes.hpa)), "replicas belong to the HPA");
        });

        it("takes min, max and target from config", async () => {
            const run = await runProgram(baseConfig({ autoscaler: "hpa", minReplicas: "2", maxReplicas: "6", hpaCpuUtilization: "70" }));
            const hpa = componentSpec(run).hpaSpec;
            assert.strictEqual(hpa.minReplicas, 2);
            assert.strictEqual(hpa.maxReplicas, 6);
            assert.strictEqual(hpa.metricsv2[0].containerResource.target.averageUtilization, 70);
        });

        it("metrics-server down: the HPA has one metric and nothing else to act on, so it keeps its replicas", () => {
            // The HPA controller skips a scale-down when a metric cannot be fetched, and with every metric
            // missing it changes nothing (kubernetes/website, docs/tasks/run-application/horizontal-pod-autoscale.md,
            // "Algorithm details" and "Support for multiple metrics"). The program's side: exactly one metric,
            // read from metrics.k8s.io, with no second (custom or external) metric that could scale down alone.
            const hpa = componentSpec(modes.hpa).hpaSpec;
            assert.strictEqual(hpa.metricsv2.length, 1);
            assert.strictEqual(hpa.metricsv2[0].type, "ContainerResource");
            assert.ok(!("metrics" in hpa), "no v2beta1 metrics list, which would win over metricsv2");
        });
    });

    describe("alerts (components/serving/alerts.ts)", () => {
        const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
        it("with monitoring install: one PrometheusRule in the models' namespace, labelled for the chart's ruleSelector, after the chart", () => {
            for (const run of [modes.none, modes.hpa, modes.keda]) {
                const rules = run.ofType(RULE);
                assert.strictEqual(rules.length, 1);
                const rule = rules[0].inputs;
                assert.deepStrictEqual(rule.metadata, { name: "cifar10-alerts", namespace: "seldon", labels: { release: "seldon-monitoring" } });
                assert.deepStrictEqual(rule.spec.groups[0].rules.map((r: { alert: string }) => r.alert),
                    ["ModelMetricsMissing", "ModelAutoscalerAtMax", "ModelScalingStuck", "ModelRequestsFailing", "ModelLatencyHigh", "ModelQueueTimeHigh"]);
                assert.ok(run.dependsOn(rules[0], run.get("kubernetes:helm.sh/v3:Release", "seldon-monitoring")), "the CRD comes with the chart");
            }
            // The same rule in every mode: swapping the autoscaler leaves it alone.
            assert.strictEqual(JSON.stringify(modes.hpa.ofType(RULE)[0].inputs), JSON.stringify(modes.keda.ofType(RULE)[0].inputs));
        });

        it("the objectives come from alertLatencyP99Ms and alertQueueTimeMs", async () => {
            const run = await runProgram(baseConfig({ alertLatencyP99Ms: "250", alertQueueTimeMs: "20" }));
            const rules = run.ofType(RULE)[0].inputs.spec.groups[0].rules as Array<{ alert: string; expr: string }>;
            assert.match(rules.find(r => r.alert === "ModelLatencyHigh")!.expr, / > 250$/);
            assert.match(rules.find(r => r.alert === "ModelQueueTimeHigh")!.expr, / > 20$/);
        });

        it("no rule where this stack installs no Prometheus operator (monitoring existing or none)", async () => {
            const existing = await runProgram(baseConfig({ monitoring: "existing", prometheusUrl: "http://prometheus.observability.svc.cluster.local:9090" }));
            assert.ifError(existing.error);
            assert.deepStrictEqual(existing.ofType(RULE), []);
            const none = await runProgram(baseConfig({ monitoring: "none", autoscaler: "hpa" }));
            assert.ifError(none.error);
            assert.deepStrictEqual(none.ofType(RULE), []);
        });
    });

    describe("autoscaler: keda", () => {
        it("scales on the deployment's total request rate from the platform's Prometheus", () => {
            assert.deepStrictEqual(componentSpec(modes.keda).kedaSpec, {
                pollingInterval: 15,
                minReplicaCount: 1,
                maxReplicaCount: 3,
                fallback: { failureThreshold: 3, replicas: 3 },
                advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 120 }, scaleUp: { stabilizationWindowSeconds: 0 } } } },
                triggers: [{
                    type: "prometheus",
                    metricType: "AverageValue",
                    metadata: {
                        serverAddress: PROMETHEUS,
                        query: "sum(rate(seldon_api_executor_client_requests_seconds_count{deployment_name=\"cifar10\",namespace=\"seldon\"}[1m]))" +
                            " or on() (0 * count(up{namespace=\"seldon\",deployment=\"cifar10-default-0-cifar10-pytorch\",endpoint=\"metrics\"} == 1))",
                        threshold: "20",
                        ignoreNullValues: "false",
                    },
                }],
            });
            assert.ok(!("hpaSpec" in componentSpec(modes.keda)));
            assert.ok(!("replicas" in predictor(modes.keda)));
        });

        it("never averages per pod and never sets the deprecated metricName", () => {
            const trigger = componentSpec(modes.keda).kedaSpec.triggers[0];
            assert.match(trigger.metadata.query, /^sum\(/);
            assert.ok(!/avg/.test(trigger.metadata.query));
            assert.ok(!("metricName" in trigger.metadata));
            for (const value of Object.values(trigger.metadata)) {
                assert.strictEqual(typeof value, "string", "KEDA trigger metadata is a map of strings");
            }
        });

        it("takes min, max, threshold, polling and scale-down from config", async () => {
            const run = await runProgram(baseConfig({ autoscaler: "keda", minReplicas: "2", maxReplicas: "8", kedaRequestsPerSecond: "35", kedaPollingInterval: "5", kedaScaleDownStabilizationSeconds: "30" }));
            const keda = componentSpec(run).kedaSpec;
            assert.strictEqual(keda.minReplicaCount, 2);
            assert.strictEqual(keda.maxReplicaCount, 8);
            assert.strictEqual(keda.pollingInterval, 5);
            assert.strictEqual(keda.triggers[0].metadata.threshold, "35");
            assert.strictEqual(keda.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds, 30);
        });

        it("kedaSignal queue: scales on the requests waiting in Triton's queue of exactly this deployment, kedaQueueTarget per replica", async () => {
            const run = await runProgram(baseConfig({ autoscaler: "keda", kedaSignal: "queue", kedaQueueTarget: "8", kedaScaleUpStabilizationSeconds: "30" }));
            const keda = componentSpec(run).kedaSpec;
            assert.deepStrictEqual(keda.triggers, [{
                type: "prometheus",
                metricType: "AverageValue",
                metadata: {
                    serverAddress: PROMETHEUS,
                    query: "sum(nv_inference_pending_request_count{namespace=\"seldon\",deployment=\"cifar10-default-0-cifar10-pytorch\",model=\"cifar10-pytorch\"})" +
                        " or on() (0 * count(up{namespace=\"seldon\",deployment=\"cifar10-default-0-cifar10-pytorch\",endpoint=\"http\"} == 1))",
                    threshold: "8",
                    ignoreNullValues: "false",
                },
            }]);
            assert.strictEqual(keda.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds, 30);
            // The default target: two of Triton's batches of 8 per replica.
            const byDefault = await runProgram(baseConfig({ autoscaler: "keda", kedaSignal: "queue" }));
            assert.strictEqual(componentSpec(byDefault).kedaSpec.triggers[0].metadata.threshold, "16");
        });

        it("a lost signal is an error, never 0: KEDA holds the fallback (maxReplicas by default) after 3 failed reads", async () => {
            const trigger = componentSpec(modes.keda).kedaSpec.triggers[0];
            assert.strictEqual(trigger.metadata.ignoreNullValues, "false");
            // KEDA's fallback works with AverageValue (the metric it reports is replicas × threshold).
            assert.strictEqual(trigger.metricType, "AverageValue");
            const set = await runProgram(baseConfig({ autoscaler: "keda", minReplicas: "2", maxReplicas: "6", kedaFallbackReplicas: "4", kedaFallbackFailureThreshold: "5" }));
            assert.deepStrictEqual(componentSpec(set).kedaSpec.fallback, { failureThreshold: 5, replicas: 4 });
            const followsMax = await runProgram(baseConfig({ autoscaler: "keda", maxReplicas: "7" }));
            assert.deepStrictEqual(componentSpec(followsMax).kedaSpec.fallback, { failureThreshold: 3, replicas: 7 });
            // At the bounds: minReplicas and maxReplicas themselves are allowed.
            for (const replicas of ["2", "6"]) {
                const edge = await runProgram(baseConfig({ autoscaler: "keda", minReplicas: "2", maxReplicas: "6", kedaFallbackReplicas: replicas }));
                assert.strictEqual(componentSpec(edge).kedaSpec.fallback.replicas, Number(replicas));
            }
        });

        it("kedaFallbackReplicas outside minReplicas..maxReplicas, or not a number, is refused naming the bounds", async () => {
            for (const bad of ["1", "7", "many", "2.5", ""]) {
                const run = await runProgram(baseConfig({ autoscaler: "keda", minReplicas: "2", maxReplicas: "6", kedaFallbackReplicas: bad }));
                assert.match(String(run.error?.message), new RegExp(`scalable-serving:kedaFallbackReplicas = ${JSON.stringify(JSON.stringify(bad)).slice(1, -1).replace(/[.]/g, "\\.")} is not "max" or a whole number from scalable-serving:minReplicas \\(2\\) to scalable-serving:maxReplicas \\(6\\)`), bad);
            }
            const threshold = await runProgram(baseConfig({ autoscaler: "keda", kedaFallbackFailureThreshold: "0" }));
            assert.match(String(threshold.error?.message), /kedaFallbackFailureThreshold/);
        });

        it("uses an existing Prometheus when configured", async () => {
            const url = "http://prometheus.observability.svc.cluster.local:9090";
            const run = await runProgram(baseConfig({ autoscaler: "keda", monitoring: "existing", prometheusUrl: url }));
            assert.strictEqual(componentSpec(run).kedaSpec.triggers[0].metadata.serverAddress, url);
        });
    });

    describe("swapping the autoscaler", () => {
        const graph = (run: ProgramRun) => new Map(run.resources.map(r => [`${r.type}::${r.name}`, JSON.stringify({ inputs: r.inputs, parent: r.parent, deps: [...r.dependencies].sort(), provider: r.provider })]));

        for (const [from, to] of [["none", "hpa"], ["hpa", "keda"], ["keda", "none"], ["none", "keda"]]) {
            it(`${from} → ${to} changes the SeldonDeployment and nothing else`, () => {
                const a = graph(modes[from]);
                const b = graph(modes[to]);
                assert.deepStrictEqual([...a.keys()].sort(), [...b.keys()].sort(), "the same resources exist in every mode");
                const changed = [...a.keys()].filter(k => a.get(k) !== b.get(k));
                assert.deepStrictEqual(changed, [`${SDEP}::cifar10`]);
            });
        }

        it("swapping the KEDA signal (requestRate → queue) changes the SeldonDeployment and nothing else", async () => {
            const queue = await runProgram(baseConfig({ autoscaler: "keda", kedaSignal: "queue", modelRepositoryPath: repo }));
            const a = graph(modes.keda);
            const b = graph(queue);
            assert.deepStrictEqual([...a.keys()].sort(), [...b.keys()].sort());
            assert.deepStrictEqual([...a.keys()].filter(k => a.get(k) !== b.get(k)), [`${SDEP}::cifar10`]);
        });

        it("with Grafana's dashboard provisioned, hpa → keda (queue) still changes the SeldonDeployment only", async () => {
            const hpa = graph(await runProgram(baseConfig({ grafanaOnKind: "true", autoscaler: "hpa", modelRepositoryPath: repo })));
            const keda = graph(await runProgram(baseConfig({ grafanaOnKind: "true", autoscaler: "keda", kedaSignal: "queue", modelRepositoryPath: repo })));
            assert.ok([...hpa.keys()].some(k => k.endsWith("::cifar10-dashboard")));
            assert.deepStrictEqual([...hpa.keys()].filter(k => hpa.get(k) !== keda.get(k)), [`${SDEP}::cifar10`]);
        });

        it("evaluating the same config twice gives the same inputs", async () => {
            const again = await runProgram(baseConfig({ autoscaler: "keda", modelRepositoryPath: repo }));
            assert.deepStrictEqual(graph(again), graph(modes.keda));
            assert.deepStrictEqual(again.outputs, modes.keda.outputs);
        });
    });

    describe("stack outputs", () => {
        it("the inference URL through the kind port mapping, without /versions/", () => {
            assert.strictEqual(modes.hpa.outputs.inferenceUrl.value, "http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer");
            assert.ok(!String(modes.hpa.outputs.inferenceUrl.value).includes("/versions/"));
        });

        it("the inference URL through the load balancer on a cloud cluster", async () => {
            const run = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal" }));
            assert.strictEqual(run.outputs.inferenceUrl.value, `http://${MOCK_LOAD_BALANCER}/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer`);
        });

        it("a curl example with a valid V2 request body", () => {
            const curl = String(modes.hpa.outputs.curlExample.value);
            assert.ok(curl.startsWith("curl "));
            assert.ok(curl.endsWith(" http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer"));
            assert.ok(curl.includes("-H 'Content-Type: application/json'"));
            assert.ok(curl.includes("-d \"$(pulumi stack output inferenceRequest)\""));
            const body = JSON.parse(String(modes.hpa.outputs.inferenceRequest.value));
            assert.strictEqual(body.inputs.length, 1);
            const input = body.inputs[0];
            assert.deepStrictEqual([input.name, input.datatype, input.shape], ["image__0", "UINT8", [1, 3, 32, 32]]);
            assert.strictEqual(input.data.length, 3 * 32 * 32);
            assert.ok(input.data.every((x: number) => Number.isInteger(x) && x >= 0 && x <= 255));
        });

        it("the names Seldon gives the Deployment and the HPA or ScaledObject", () => {
            assert.strictEqual(modes.hpa.outputs.seldonDeployment.value, "seldon/cifar10");
            assert.strictEqual(modes.hpa.outputs.kubernetesDeployment.value, "seldon/cifar10-default-0-cifar10-pytorch");
            assert.strictEqual(modes.none.outputs.autoscalerObject.value, "none");
            assert.strictEqual(modes.hpa.outputs.autoscalerObject.value, "seldon/horizontalpodautoscaler/cifar10-default-0-cifar10-pytorch");
            assert.strictEqual(modes.keda.outputs.autoscalerObject.value, "seldon/scaledobject/cifar10-default-0-cifar10-pytorch");
            assert.strictEqual(modes.hpa.outputs.watchScaling.value, "kubectl -n seldon get hpa cifar10-default-0-cifar10-pytorch -w");
            assert.strictEqual(modes.keda.outputs.watchScaling.value, "kubectl -n seldon get hpa keda-hpa-cifar10-default-0-cifar10-pytorch -w");
        });

        it("the dashboard: provisioned where Grafana is installed, with the commands to open it; how to get one otherwise", async () => {
            const DASHBOARD = "kubernetes:core/v1:ConfigMap";
            assert.ok(!modes.hpa.resources.some(r => r.type === DASHBOARD && r.name === "cifar10-dashboard"), "kind leaves Grafana out by default");
            assert.deepStrictEqual(modes.hpa.outputs.dashboard.value, {
                grafana: "not installed by this stack (kind without grafanaOnKind, or monitoring not install)",
                enable: "pulumi config set grafanaOnKind true && pulumi up",
            });
            for (const config of [{ grafanaOnKind: "true" }, { clusterFlavour: "cloud", ingressExposure: "internal" }] as Array<Record<string, string>>) {
                const run = await runProgram(baseConfig(config));
                assert.ifError(run.error);
                const cm = run.get(DASHBOARD, "cifar10-dashboard");
                assert.deepStrictEqual(cm.inputs.metadata, { name: "cifar10-dashboard", namespace: "seldon", labels: { grafana_dashboard: "1" } });
                assert.strictEqual(JSON.parse(cm.inputs.data["cifar10.json"]).uid, "ss-seldon-cifar10");
                assert.deepStrictEqual(run.outputs.dashboard.value, {
                    portForward: "kubectl -n seldon-monitoring port-forward svc/seldon-monitoring-grafana 3000:80",
                    url: "http://localhost:3000/d/ss-seldon-cifar10",
                    user: "admin",
                    password: "kubectl -n seldon-monitoring get secret seldon-monitoring-grafana -o jsonpath='{.data.admin-password}' | base64 -d",
                });
            }
        });

        it("the effective scale-down window of each mode: the cluster's 300 s for hpa, the setting for keda", () => {
            assert.strictEqual(modes.none.outputs.scaleDownWindow.value, "none: fixed replicas");
            assert.match(String(modes.hpa.outputs.scaleDownWindow.value), /^300 s: the cluster's default HPA stabilisation \(Seldon 1\.17\.1's hpaSpec cannot set behavior\)$/);
            assert.strictEqual(modes.keda.outputs.scaleDownWindow.value, "120 s: kedaScaleDownStabilizationSeconds");
        });

        it("the local load test command for this stack, its report named after the mode", () => {
            assert.strictEqual(modes.keda.outputs.loadTestCommand.value,
                "npm run loadtest -- --host http://localhost:8080 --path /seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer " +
                "--users 100 --spawn-rate 10 --run-time 180s --report reports/keda --watch --namespace seldon --deployment cifar10-default-0-cifar10-pytorch");
        });

        it("no credential in any plain stack output", () => {
            const plain = JSON.stringify(Object.values(modes.hpa.outputs).filter(o => !o.secret));
            assert.ok(!plain.includes("mock-secret-access-key") && !plain.includes("AKIAMOCKREADERKEY000"));
        });
    });

    describe("smoke test", () => {
        it("runs the smoke script against the inference URL once the SeldonDeployment exists", () => {
            const run = modes.hpa;
            const smoke = run.get(COMMAND, "cifar10-smoke-test");
            assert.strictEqual(smoke.inputs.create, "node --import tsx probes/smoke-test.ts");
            assert.ok(fs.existsSync(path.join(ROOT, "probes/smoke-test.ts")));
            assert.deepStrictEqual(smoke.inputs.environment, {
                SMOKE_URL: "http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer",
                SMOKE_TIMEOUT_SECONDS: "1200",
                // What it reports on while it waits: the model's pods, through the stack's context.
                SMOKE_NAMESPACE: "seldon",
                SMOKE_DEPLOYMENT: "cifar10-default-0-cifar10-pytorch",
                KUBE_CONTEXT: "",
            });
            assert.ok(run.dependsOn(smoke, run.get(SDEP, "cifar10")));
        });

        it("re-runs when the served model or image changes", async () => {
            const trigger = (r: ProgramRun) => r.get(COMMAND, "cifar10-smoke-test").inputs.triggers[0];
            const image = await runProgram(baseConfig({ modelRepositoryPath: repo, tritonImage: "nvcr.io/nvidia/tritonserver:24.08-py3" }));
            assert.notStrictEqual(trigger(image), trigger(modes.hpa));
            const model = await runProgram(baseConfig({ modelRepositoryPath: cifar10Repository("retrained weights") }));
            assert.notStrictEqual(trigger(model), trigger(modes.hpa));
            assert.strictEqual(trigger(modes.none), trigger(modes.keda), "not when only the autoscaler changes");
        });

        it("can be switched off", async () => {
            const run = await runProgram(baseConfig({ smokeTest: "false" }));
            assert.deepStrictEqual(run.ofType(COMMAND).map(c => c.name), ["cifar10-webhook-ready"], "only the webhook gate is left");
        });
    });
});
