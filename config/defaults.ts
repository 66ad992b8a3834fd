// Every setting's default and bound, each next to the upstream fact behind it.
import { CHARTS } from "../lib/charts";
import { Autoscaler, ClusterFlavour, KedaSignalKind, ModelStoreKind, ReaderCredentialsMode, RequiredAddonMode, AddonMode } from "./types";

/**
 * Defaults of every project setting, in one place. `Pulumi.yaml` declares the same values for the
 * CLI (a test keeps the two in step, and the table in docs/configuration.md); the program applies them itself
 * because the SDK does not read `Pulumi.yaml`'s config defaults when the program runs under its mocks
 * or any engine other than the CLI (pulumi/pulumi#4472), so tests and the offline plan would
 * otherwise see no defaults at all.
 */
export const DEFAULTS = {
    autoscaler: "hpa" as Autoscaler,
    replicas: 1,
    minReplicas: 1,
    maxReplicas: 3,
    modelRepositoryPath: "model/cifar10-model",
    modelPrefix: "cifar10-model",
    bucketName: "",
    readerCredentials: "iam-user" as ReaderCredentialsMode,
    modelStore: "aws-s3" as ModelStoreKind,
    modelStoreVersion: CHARTS.modelStore.version,
    modelStoreRepository: CHARTS.modelStore.repo,
    modelStoreSize: "5Gi",
    modelStoreNetworkPolicy: true,
    clusterFlavour: "kind" as ClusterFlavour,
    kubeContext: "",
    modelNamespace: "seldon",
    istio: "install" as RequiredAddonMode,
    istioVersion: CHARTS.istioBase.version,
    istioRepository: CHARTS.istioBase.repo,
    seldonCore: "install" as RequiredAddonMode,
    seldonCoreVersion: CHARTS.seldonCore.version,
    seldonCoreRepository: CHARTS.seldonCore.repo,
    metricsServer: "install" as AddonMode,
    metricsServerVersion: CHARTS.metricsServer.version,
    metricsServerRepository: CHARTS.metricsServer.repo,
    monitoring: "install" as AddonMode,
    monitoringVersion: CHARTS.monitoring.version,
    monitoringRepository: CHARTS.monitoring.repo,
    prometheusUrl: "",
    keda: "install" as AddonMode,
    kedaVersion: CHARTS.keda.version,
    kedaRepository: CHARTS.keda.repo,
    deploymentName: "cifar10",
    modelName: "cifar10-pytorch",
    // A modern Triton: the operator's default (21.08) cannot load TorchScript saved by current PyTorch.
    // The -pyt-python-py3 variant carries only the PyTorch and Python backends (smaller pulls).
    tritonImage: "nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3",
    modelCpuRequest: "500m",
    modelMemoryRequest: "1Gi",
    modelCpuLimit: "",
    // Triton had no memory limit: a leak or an oversized model could take the node's memory. "2x" is
    // twice the request (2Gi with the default; the cifar10 model needs a few hundred MiB), following a
    // raised request; a quantity sets it; empty removes it.
    modelMemoryLimit: "2x",
    hpaCpuUtilization: 50,
    kedaRequestsPerSecond: 20,
    kedaPollingInterval: 15,
    kedaScaleDownStabilizationSeconds: 120,
    kedaSignal: "requestRate" as KedaSignalKind,
    // Two batches of Triton's max_batch_size (8, model/cifar10-model/cifar10-pytorch/config.pbtxt) per
    // replica: at the measured 2,000 to 5,000 images/s of one CPU replica (FACTS §8) that is 3 to 8 ms
    // of queueing before a new replica is asked for.
    kedaQueueTarget: 16,
    kedaScaleUpStabilizationSeconds: 0,
    // When the signal is lost (no series: the scrape is broken, or Prometheus is down), KEDA holds this
    // many replicas instead of reading the silence as no load: "max" follows maxReplicas, safe for
    // serving at the cost of capacity (KEDA 2.20 pkg/fallback/fallback.go: exactly this count).
    kedaFallbackReplicas: "max",
    // Consecutive failed metric reads before the fallback holds (KEDA falls back on the read after
    // this many, one per HPA sync of 15 s): about a minute with 3.
    kedaFallbackFailureThreshold: 3,
    // The alerts' objectives (components/serving/alerts.ts): p99 latency of the executor, and Triton's
    // mean queue time, each held for 10 minutes.
    alertLatencyP99Ms: 500,
    alertQueueTimeMs: 50,
    payloadLoggerUrl: "",
    rcloneProvider: "",
    s3Endpoint: "",
    smokeTest: true,
    smokeTestTimeoutSeconds: 1200,
    loadTestEnabled: false,
    loadTestUsers: 100,
    loadTestSpawnRate: 10,
    loadTestRunTime: "180s",
    // A stock Node image: the load generator needs only Node's built-ins.
    loadTestImage: "node:22.20.0-alpine3.22",
    ingressSourceRanges: "",
    // No default on cloud: who may reach the models is the user's decision (docs/security.md).
    ingressExposure: "",
    ingressTlsSecret: "",
    grafanaOnKind: false,
};

/**
 * Upper bounds of the whole-number settings: Kubernetes' int32 fields, Kubernetes' own limits (an
 * HPA stabilisation window is at most an hour), or beyond any sensible value for one model.
 */
export const MAXIMUM = {
    replicas: 100,
    hpaCpuUtilization: 1000,
    kedaRequestsPerSecond: 100000,
    kedaPollingInterval: 3600,
    kedaScaleDownStabilizationSeconds: 3600,
    kedaQueueTarget: 10000,
    kedaScaleUpStabilizationSeconds: 3600,
    kedaFallbackFailureThreshold: 100,
    alertLatencyP99Ms: 600000,
    alertQueueTimeMs: 600000,
    smokeTestTimeoutSeconds: 4 * 3600,
    loadTestUsers: 10000,
    loadTestSpawnRate: 1000,
    loadTestRunTimeMs: 24 * 3600 * 1000,
} as const;

/** Secret settings, read only with `readerCredentials: existing`; they have no default. */
export const SECRET_KEYS = ["readerAccessKeyId", "readerSecretAccessKey"] as const;

/** Every key of the project's namespace that the program reads: anything else is a mistake. */
export const DECLARED_KEYS: readonly string[] = [...Object.keys(DEFAULTS), ...SECRET_KEYS];

/** The bucket of the in-cluster store when `bucketName` is unset (the store is the stack's own). */
export const IN_CLUSTER_BUCKET = "models";
