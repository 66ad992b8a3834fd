// Reads the stack configuration once, applies the defaults, validates everything and hands typed
// settings to the components. Invalid settings stop the program before any resource is registered.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ChartPin, CHARTS } from "./lib/charts";
import { DurationError, parseDuration } from "./lib/duration";
import { imagePinProblem } from "./lib/images";
import { parseQuantity } from "./lib/quantity";
import { derivedBucketName, IAM_USER_NAME_MAX, readerUserName } from "./lib/names";
import { ModelRepositoryError, RepositoryFile, scanModelRepository } from "./lib/tritonRepository";

export const AUTOSCALERS = ["none", "hpa", "keda"] as const;
export type Autoscaler = typeof AUTOSCALERS[number];

export const READER_CREDENTIALS = ["iam-user", "existing"] as const;
export type ReaderCredentialsMode = typeof READER_CREDENTIALS[number];

export const CLUSTER_FLAVOURS = ["kind", "cloud"] as const;
export type ClusterFlavour = typeof CLUSTER_FLAVOURS[number];

/** install: the program installs the add-on; existing: the cluster already runs it; none: absent. */
export const ADDON_MODES = ["install", "existing", "none"] as const;
export type AddonMode = typeof ADDON_MODES[number];
/** Istio and Seldon Core cannot be absent: the model is served through them. */
export const REQUIRED_ADDON_MODES = ["install", "existing"] as const;
export type RequiredAddonMode = typeof REQUIRED_ADDON_MODES[number];

/**
 * Namespaces the models may not share, each with whom it belongs to: Kubernetes' own, `default`
 * (everything lands there by accident), and the add-ons' (their Pod Security level and Istio
 * injection differ from the models').
 */
export const RESERVED_NAMESPACES: Record<string, string> = {
    "default": "Kubernetes (the namespace anything without one lands in)",
    "kube-system": "Kubernetes (and metricsServer)",
    "kube-public": "Kubernetes",
    "kube-node-lease": "Kubernetes",
    [CHARTS.istioBase.namespace]: "istio",
    [CHARTS.seldonCore.namespace]: "seldonCore",
    [CHARTS.monitoring.namespace]: "monitoring",
    [CHARTS.keda.namespace]: "keda",
    [CHARTS.modelStore.namespace]: "modelStore in-cluster",
};

/**
 * Defaults of every project setting. `Pulumi.yaml` declares the same values for the CLI; the program
 * applies them itself because the SDK (and so the test harness) does not read `Pulumi.yaml`.
 * A test keeps the two in step.
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
    modelMemoryLimit: "",
    hpaCpuUtilization: 50,
    kedaRequestsPerSecond: 20,
    kedaPollingInterval: 15,
    kedaScaleDownStabilizationSeconds: 120,
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
    smokeTestTimeoutSeconds: 4 * 3600,
    loadTestUsers: 10000,
    loadTestSpawnRate: 1000,
    loadTestRunTimeMs: 24 * 3600 * 1000,
} as const;

/** rclone's S3 providers this project knows (case-sensitive: rclone rejects `aws`). */
export const RCLONE_PROVIDERS = ["AWS", "Ceph", "Minio", "SeaweedFS", "Other"] as const;
export type RcloneProvider = typeof RCLONE_PROVIDERS[number];

/** Secret settings, read only with `readerCredentials: existing`; they have no default. */
export const SECRET_KEYS = ["readerAccessKeyId", "readerSecretAccessKey"] as const;

/** Every key of the project's namespace that the program reads: anything else is a mistake. */
export const DECLARED_KEYS: readonly string[] = [...Object.keys(DEFAULTS), ...SECRET_KEYS];

/** Credentials the cluster uses to read the model repository. */
export type ReaderCredentials =
    | { mode: "iam-user" }
    | { mode: "existing"; accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };

export const MODEL_STORES = ["aws-s3", "in-cluster"] as const;
export type ModelStoreKind = typeof MODEL_STORES[number];

/** Where the model repository is kept: AWS S3, or an S3-compatible store inside the (kind) cluster. */
export type ModelStoreSettings =
    | {
        kind: "aws-s3";
        /** Bucket name, or undefined to derive `<project>-<stack>-<account id>-models`. */
        bucketName?: string;
        /** AWS region of the bucket (the `aws:region` setting). */
        region: string;
        readerCredentials: ReaderCredentials;
    }
    | {
        kind: "in-cluster";
        bucketName: string;
        /** seaweedfs chart version and repository. */
        pin: ChartPin;
        /** Size of the store's volume. */
        size: string;
        /** Only the models' namespace may reach the store (a NetworkPolicy). */
        networkPolicy: boolean;
    };

export interface ModelRepositorySettings {
    /** Absolute path of the Triton model repository folder. */
    path: string;
    /** Key prefix of the repository in the bucket. */
    prefix: string;
    /** The files to upload, validated and hashed. */
    files: RepositoryFile[];
    store: ModelStoreSettings;
}

/** An add-on: whether the program installs it, and which chart version from which repository. */
export interface AddonSettings<Mode extends string = AddonMode> extends ChartPin {
    mode: Mode;
}

export interface PlatformSettings {
    /** kind: a local cluster (NodePort ingress, trimmed resources); cloud: a managed cluster. */
    flavour: ClusterFlavour;
    /** kubeconfig context to deploy to; undefined uses the current context. */
    kubeContext?: string;
    /** Namespace of the models, labelled for Istio sidecar injection. */
    modelNamespace: string;
    istio: AddonSettings<RequiredAddonMode>;
    seldonCore: AddonSettings<RequiredAddonMode>;
    metricsServer: AddonSettings;
    /** With mode `existing`, `prometheusUrl` is the in-cluster address of that Prometheus. */
    monitoring: AddonSettings & { prometheusUrl?: string };
    keda: AddonSettings;
    /** cloud: the only client addresses (CIDRs) the ingress load balancer accepts; undefined: any. */
    ingressSourceRanges?: string[];
}

/** The served model: the SeldonDeployment, its Triton container, its autoscaling and its checks. */
export interface DeploymentSettings {
    /** SeldonDeployment name (`cifar10`). */
    name: string;
    /** Triton model name = graph node = container name = model folder in the repository. */
    modelName: string;
    tritonImage: string;
    resources: { requests: { cpu: string; memory: string }; limits?: { cpu?: string; memory?: string } };
    hpaCpuUtilization: number;
    keda: { requestsPerSecond: number; pollingInterval: number; scaleDownStabilizationSeconds: number };
    /** Sink of Seldon's payload logger; undefined leaves the logger out. */
    payloadLoggerUrl?: string;
    /** Overrides of the store's rclone provider and endpoint; unset follows the store. */
    rclone: { provider?: RcloneProvider; endpoint?: string };
    smokeTest: { enabled: boolean; timeoutSeconds: number };
}

/** The in-cluster load test Job (the tutorial's Locust run: users, spawn rate, run time). */
export interface LoadTestSettings {
    enabled: boolean;
    users: number;
    spawnRate: number;
    /** As given (`180s`), passed to the generator. */
    runTime: string;
    runTimeMs: number;
    image: string;
}

export interface Settings {
    project: string;
    stack: string;
    autoscaler: Autoscaler;
    /** Replicas of the model when `autoscaler` is `none`. */
    replicas: number;
    minReplicas: number;
    maxReplicas: number;
    modelRepository: ModelRepositorySettings;
    platform: PlatformSettings;
    deployment: DeploymentSettings;
    loadTest: LoadTestSettings;
}

/** Every problem found in the stack configuration, reported together. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** Where relative paths in the configuration start: the project folder, next to Pulumi.yaml. */
export const PROJECT_ROOT = __dirname;

/** Reads and validates the configuration of the current stack. Throws ConfigError when it is invalid. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const read = new ConfigReader(project);
    for (const problem of unknownKeyProblems(project, Object.keys(pulumi.runtime.allConfig()))) {
        read.problem(problem);
    }

    const autoscaler = read.choice("autoscaler", AUTOSCALERS, DEFAULTS.autoscaler);
    const replicas = read.integer("replicas", DEFAULTS.replicas, 1, MAXIMUM.replicas);
    const minReplicas = read.integer("minReplicas", DEFAULTS.minReplicas, 1, MAXIMUM.replicas);
    const maxReplicas = read.integer("maxReplicas", DEFAULTS.maxReplicas, 1, MAXIMUM.replicas);
    if (minReplicas !== undefined && maxReplicas !== undefined && maxReplicas < minReplicas) {
        read.problem(`${project}:maxReplicas = ${maxReplicas} is less than ${project}:minReplicas = ${minReplicas}: ` +
            "maxReplicas must be at least minReplicas");
    }

    const prefix = read.string("modelPrefix", DEFAULTS.modelPrefix);
    const prefixProblem = checkS3Prefix(prefix);
    if (prefixProblem) {
        read.problem(`${project}:modelPrefix = ${JSON.stringify(prefix)} is not a valid key prefix: ${prefixProblem}`);
    }

    const modelPath = path.resolve(PROJECT_ROOT, read.string("modelRepositoryPath", DEFAULTS.modelRepositoryPath));
    let files: RepositoryFile[] = [];
    try {
        files = scanModelRepository(modelPath, prefix);
    } catch (e) {
        if (!(e instanceof ModelRepositoryError)) {
            throw e;
        }
        read.problem(`${project}:modelRepositoryPath = ${JSON.stringify(modelPath)}: ${e.message}`);
    }

    const platform = readPlatform(read, project, autoscaler);
    const store = readModelStore(read, project, stack, platform.flavour);
    const deployment = readDeployment(read, project, files, store.kind);
    const loadTest = readLoadTest(read, project);
    if (loadTest.enabled && deployment.smokeTest?.enabled === false) {
        // The Job waits for the model component, whose smoke test is what waits for the model to answer.
        read.problem(`${project}:loadTestEnabled = true needs ${project}:smokeTest = true: without the smoke test the load ` +
            "test Job starts before the model answers and measures its start-up as failures");
    }

    read.throwIfProblems();

    return {
        project,
        stack,
        autoscaler: autoscaler!,
        replicas: replicas!,
        minReplicas: minReplicas!,
        maxReplicas: maxReplicas!,
        modelRepository: { path: modelPath, prefix, files, store: store.settings() },
        platform: platform as PlatformSettings,
        deployment: deployment as DeploymentSettings,
        loadTest: loadTest as LoadTestSettings,
    };
}

function readLoadTest(read: ConfigReader, project: string): Partial<LoadTestSettings> {
    const runTime = read.string("loadTestRunTime", DEFAULTS.loadTestRunTime);
    let runTimeMs: number | undefined;
    try {
        runTimeMs = parseDuration(runTime);
    } catch (e) {
        if (!(e instanceof DurationError)) {
            throw e;
        }
    }
    if (runTimeMs === undefined || runTimeMs < 1000 || runTimeMs > MAXIMUM.loadTestRunTimeMs) {
        read.problem(`${project}:loadTestRunTime = ${JSON.stringify(runTime)} is not a duration from 1 s to 24 h: use e.g. 180s, 3m or 1m30s`);
    }
    return {
        enabled: read.boolean("loadTestEnabled", DEFAULTS.loadTestEnabled),
        users: read.integer("loadTestUsers", DEFAULTS.loadTestUsers, 1, MAXIMUM.loadTestUsers),
        spawnRate: read.integer("loadTestSpawnRate", DEFAULTS.loadTestSpawnRate, 1, MAXIMUM.loadTestSpawnRate),
        runTime,
        runTimeMs,
        image: read.pinnedImage("loadTestImage", DEFAULTS.loadTestImage),
    };
}

const QUANTITY = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][0-9]+)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Reads the model deployment settings; the model must exist in the repository that is uploaded. */
function readDeployment(read: ConfigReader, project: string, files: RepositoryFile[], storeKind: ModelStoreKind | undefined): Partial<DeploymentSettings> {
    const name = read.string("deploymentName", DEFAULTS.deploymentName);
    const modelName = read.string("modelName", DEFAULTS.modelName);
    for (const [key, value] of [["deploymentName", name], ["modelName", modelName]]) {
        if (!DNS_LABEL.test(value)) {
            read.problem(`${project}:${key} = ${JSON.stringify(value)} is not a valid Kubernetes name: ` +
                "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        }
    }
    // Seldon names the Deployment, HPA and ScaledObject `<sdep>-<predictor>-0-<container>`, also a label value.
    const workload = `${name}-default-0-${modelName}`;
    if (workload.length > 63) {
        read.problem(`${project}:deploymentName and ${project}:modelName are too long together: Seldon's workload name ` +
            `${workload} has ${workload.length} characters, at most 63 are allowed`);
    }
    if (files.length > 0 && !files.some(f => f.relativePath === `${modelName}/config.pbtxt`)) {
        const models = [...new Set(files.filter(f => f.relativePath.endsWith("/config.pbtxt")).map(f => f.relativePath.split("/")[0]))];
        read.problem(`${project}:modelName = ${JSON.stringify(modelName)} is not a model of the repository: ` +
            `use one of ${models.join(", ")} (Triton serves the folder named like the model)`);
    }

    const tritonImage = read.pinnedImage("tritonImage", DEFAULTS.tritonImage);

    const quantity = (key: "modelCpuRequest" | "modelMemoryRequest" | "modelCpuLimit" | "modelMemoryLimit", optional: boolean) => {
        const value = read.string(key, DEFAULTS[key]);
        if (value === "" && optional) {
            return undefined;
        }
        if (!QUANTITY.test(value)) {
            read.problem(`${project}:${key} = ${JSON.stringify(value)} is not a Kubernetes quantity (like 500m, 1, 1Gi)` +
                (optional ? " or empty" : ""));
        }
        return value;
    };
    const cpuRequest = quantity("modelCpuRequest", false)!;
    const memoryRequest = quantity("modelMemoryRequest", false)!;
    const cpuLimit = quantity("modelCpuLimit", true);
    const memoryLimit = quantity("modelMemoryLimit", true);
    for (const [resource, request, limit] of [["Cpu", cpuRequest, cpuLimit], ["Memory", memoryRequest, memoryLimit]] as const) {
        const requested = parseQuantity(request);
        const limited = parseQuantity(limit);
        if (requested !== undefined && requested <= 0) {
            // A zero request schedules the model anywhere, and utilisation targets divide by it.
            read.problem(`${project}:model${resource}Request = ${JSON.stringify(request)} must be more than zero: ` +
                "the scheduler reserves it and the hpa target is a percentage of it");
        }
        if (requested !== undefined && limited !== undefined && limited < requested) {
            read.problem(`${project}:model${resource}Limit = ${JSON.stringify(limit)} is below ${project}:model${resource}Request = ` +
                `${JSON.stringify(request)}: a limit must be at least the request (Kubernetes rejects the pod otherwise)`);
        }
    }

    const hpaCpuUtilization = read.integer("hpaCpuUtilization", DEFAULTS.hpaCpuUtilization, 1, MAXIMUM.hpaCpuUtilization);
    const requestsPerSecond = read.integer("kedaRequestsPerSecond", DEFAULTS.kedaRequestsPerSecond, 1, MAXIMUM.kedaRequestsPerSecond);
    const pollingInterval = read.integer("kedaPollingInterval", DEFAULTS.kedaPollingInterval, 1, MAXIMUM.kedaPollingInterval);
    // Kubernetes allows a stabilisation window of at most an hour.
    const scaleDownStabilizationSeconds = read.integer("kedaScaleDownStabilizationSeconds", DEFAULTS.kedaScaleDownStabilizationSeconds, 0,
        MAXIMUM.kedaScaleDownStabilizationSeconds);

    const payloadLoggerUrl = read.string("payloadLoggerUrl", DEFAULTS.payloadLoggerUrl);
    if (payloadLoggerUrl !== "" && !/^https?:\/\/\S+$/.test(payloadLoggerUrl)) {
        read.problem(`${project}:payloadLoggerUrl = ${JSON.stringify(payloadLoggerUrl)} is not an http(s) URL (or leave it empty)`);
    }

    const providerSetting = read.string("rcloneProvider", DEFAULTS.rcloneProvider);
    const provider = providerSetting === "" ? undefined : read.choice("rcloneProvider", RCLONE_PROVIDERS, "AWS");
    const endpoint = read.string("s3Endpoint", DEFAULTS.s3Endpoint);
    if (endpoint !== "" && !/^https?:\/\/\S+$/.test(endpoint)) {
        read.problem(`${project}:s3Endpoint = ${JSON.stringify(endpoint)} is not an http(s) URL (or leave it empty for AWS S3)`);
    }
    if (provider === "AWS" && storeKind === "in-cluster") {
        read.problem(`${project}:rcloneProvider = "AWS" does not fit ${project}:modelStore = "in-cluster": with AWS rclone ` +
            "addresses buckets as virtual hosts of amazonaws.com; leave rcloneProvider empty (the store's SeaweedFS) or set SeaweedFS");
    }
    // Without an override rclone follows the store: AWS for aws-s3.
    if (endpoint !== "" && (provider ?? (storeKind === "aws-s3" ? "AWS" : undefined)) === "AWS") {
        // With provider AWS rclone forces virtual-host addressing, which S3-compatible endpoints rarely serve.
        const from = provider === "AWS" ? `${project}:rcloneProvider = "AWS"` : `the aws-s3 store's rclone provider is AWS`;
        read.problem(`${project}:s3Endpoint is set but ${from}: ` +
            "leave s3Endpoint empty for AWS S3, or set rcloneProvider to the S3-compatible store's provider (Ceph, Minio, SeaweedFS, Other)");
    }

    const smokeTest = read.boolean("smokeTest", DEFAULTS.smokeTest);
    const smokeTestTimeoutSeconds = read.integer("smokeTestTimeoutSeconds", DEFAULTS.smokeTestTimeoutSeconds, 10, MAXIMUM.smokeTestTimeoutSeconds);

    const limits = cpuLimit !== undefined || memoryLimit !== undefined
        ? { ...(cpuLimit !== undefined ? { cpu: cpuLimit } : {}), ...(memoryLimit !== undefined ? { memory: memoryLimit } : {}) }
        : undefined;
    return {
        name,
        modelName,
        tritonImage,
        resources: { requests: { cpu: cpuRequest, memory: memoryRequest }, ...(limits ? { limits } : {}) },
        hpaCpuUtilization: hpaCpuUtilization!,
        keda: { requestsPerSecond: requestsPerSecond!, pollingInterval: pollingInterval!, scaleDownStabilizationSeconds: scaleDownStabilizationSeconds! },
        payloadLoggerUrl: payloadLoggerUrl === "" ? undefined : payloadLoggerUrl,
        rclone: { provider, endpoint: endpoint === "" ? undefined : endpoint },
        smokeTest: { enabled: smokeTest!, timeoutSeconds: smokeTestTimeoutSeconds! },
    };
}

/** The bucket of the in-cluster store when `bucketName` is unset (the store is the stack's own). */
export const IN_CLUSTER_BUCKET = "models";

/**
 * Reads where the model repository is kept. Returns a function that builds the settings once the
 * whole configuration is known to be valid (secret config is only read then).
 */
function readModelStore(read: ConfigReader, project: string, stack: string, flavour: ClusterFlavour | undefined): { kind?: ModelStoreKind; settings: () => ModelStoreSettings } {
    const kind = read.choice("modelStore", MODEL_STORES, DEFAULTS.modelStore);
    const bucketSetting = read.string("bucketName", DEFAULTS.bucketName);
    if (bucketSetting !== "") {
        const problem = checkBucketName(bucketSetting);
        if (problem) {
            read.problem(`${project}:bucketName = ${JSON.stringify(bucketSetting)} is not a valid S3 bucket name: ${problem}`);
        }
    }
    const readerMode = read.choice("readerCredentials", READER_CREDENTIALS, DEFAULTS.readerCredentials);
    // Credentials are never accepted in plain text, whatever the mode: the plan and state would show them.
    for (const key of SECRET_KEYS) {
        if (pulumi.runtime.getConfig(`${project}:${key}`) === undefined) {
            continue;
        }
        if (!isConfigSecret(`${project}:${key}`)) {
            read.problem(`${project}:${key} is stored in plain text: set it again with ` +
                `\`pulumi config set --secret ${key} <value>\` (and rotate the key if this config was shared)`);
        } else if (kind === "in-cluster" || (kind === "aws-s3" && readerMode === "iam-user")) {
            read.problem(`${project}:${key} is set but ${kind === "in-cluster" ? `${project}:modelStore = "in-cluster" makes its own identities`
                : `${project}:readerCredentials = "iam-user" creates the reader's key`}: remove it (\`pulumi config rm ${key}\`) ` +
                "or set readerCredentials to existing");
        }
    }

    if (kind === "in-cluster") {
        if (flavour === "cloud") {
            read.problem(`${project}:modelStore = "in-cluster" is for the kind flavour (the host uploads through a kind ` +
                `port mapping) but ${project}:clusterFlavour = "cloud": use modelStore aws-s3 on cloud clusters`);
        }
        if (readerMode === "existing") {
            read.problem(`${project}:readerCredentials = "existing" applies to modelStore aws-s3 only: ` +
                "the in-cluster store makes its own identities");
        }
        const version = read.chartVersion("modelStoreVersion", DEFAULTS.modelStoreVersion);
        const repository = read.chartRepository("modelStoreRepository", DEFAULTS.modelStoreRepository);
        const size = read.string("modelStoreSize", DEFAULTS.modelStoreSize);
        if (!/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti)$/.test(size)) {
            read.problem(`${project}:modelStoreSize = ${JSON.stringify(size)} is not a storage size (like 5Gi or 500Mi)`);
        }
        const networkPolicy = read.boolean("modelStoreNetworkPolicy", DEFAULTS.modelStoreNetworkPolicy);
        return { kind, settings: () => ({ kind: "in-cluster", bucketName: bucketSetting || IN_CLUSTER_BUCKET, pin: { version: version!, repository }, size,
            networkPolicy: networkPolicy! }) };
    }

    if (bucketSetting === "") {
        // The derived name must be valid for any account id: check it with a placeholder of the same length.
        const problem = checkBucketName(derivedBucketName(project, stack, "000000000000"));
        if (problem) {
            read.problem(`${project}:bucketName is unset and the name derived from project and stack ` +
                `(${derivedBucketName(project, stack, "<account id>")}) is not a valid S3 bucket name: ${problem}; ` +
                "set a bucket name with `pulumi config set bucketName <name>`");
        }
    }
    const region = new pulumi.Config("aws").get("region");
    if (region === undefined || region === "") {
        read.problem("aws:region is not set: the model repository bucket needs a region " +
            "(`pulumi config set aws:region eu-west-1`), or use `modelStore: in-cluster` on kind");
    } else if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/.test(region)) {
        read.problem(`aws:region = ${JSON.stringify(region)} is not an AWS region name (like eu-west-1 or us-east-2)`);
    }
    if (readerMode === "iam-user" && readerUserName(project, stack).length > IAM_USER_NAME_MAX) {
        read.problem(`the stack name ${JSON.stringify(stack)} is too long for the reader's IAM user name ` +
            `(${readerUserName(project, stack)}, over ${IAM_USER_NAME_MAX} characters): use a shorter stack name ` +
            "or readerCredentials = existing");
    }
    if (readerMode === "existing") {
        for (const key of SECRET_KEYS) {
            if (pulumi.runtime.getConfig(`${project}:${key}`) === undefined) {
                read.problem(`${project}:${key} is not set: readerCredentials = "existing" needs it ` +
                    `(\`pulumi config set --secret ${key} <value>\`)`);
            }
        }
    }
    return { kind, settings: () => {
        const config = new pulumi.Config();
        const readerCredentials: ReaderCredentials = readerMode === "existing"
            ? { mode: "existing", accessKeyId: config.requireSecret("readerAccessKeyId"), secretAccessKey: config.requireSecret("readerSecretAccessKey") }
            : { mode: "iam-user" };
        return { kind: "aws-s3", bucketName: bucketSetting === "" ? undefined : bucketSetting, region: region!, readerCredentials };
    } };
}

/** Reads the cluster and add-on settings and checks that the chosen autoscaler has what it needs. */
function readPlatform(read: ConfigReader, project: string, autoscaler: Autoscaler | undefined): Partial<PlatformSettings> {
    const flavour = read.choice("clusterFlavour", CLUSTER_FLAVOURS, DEFAULTS.clusterFlavour);
    const kubeContext = read.string("kubeContext", DEFAULTS.kubeContext);
    const modelNamespace = read.string("modelNamespace", DEFAULTS.modelNamespace);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(modelNamespace)) {
        read.problem(`${project}:modelNamespace = ${JSON.stringify(modelNamespace)} is not a valid namespace name: ` +
            "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    } else if (modelNamespace in RESERVED_NAMESPACES) {
        read.problem(`${project}:modelNamespace = ${JSON.stringify(modelNamespace)} belongs to ${RESERVED_NAMESPACES[modelNamespace]}: ` +
            `use a namespace of the models' own, not one of ${Object.keys(RESERVED_NAMESPACES).join(", ")}`);
    }

    const addon = <M extends string>(key: "istio" | "seldonCore" | "metricsServer" | "monitoring" | "keda", modes: readonly M[], fallback: M) => ({
        mode: read.choice(key, modes, fallback),
        version: read.chartVersion(`${key}Version`, DEFAULTS[`${key}Version`]),
        repository: read.chartRepository(`${key}Repository`, DEFAULTS[`${key}Repository`]),
    });
    const istio = addon("istio", REQUIRED_ADDON_MODES, DEFAULTS.istio);
    const seldonCore = addon("seldonCore", REQUIRED_ADDON_MODES, DEFAULTS.seldonCore);
    const metricsServer = addon("metricsServer", ADDON_MODES, DEFAULTS.metricsServer);
    const monitoring = addon("monitoring", ADDON_MODES, DEFAULTS.monitoring);
    const keda = addon("keda", ADDON_MODES, DEFAULTS.keda);

    const prometheusUrl = read.string("prometheusUrl", DEFAULTS.prometheusUrl);
    if (prometheusUrl !== "" && !/^https?:\/\/[^\s/]+(:[0-9]+)?(\/\S*)?$/.test(prometheusUrl)) {
        read.problem(`${project}:prometheusUrl = ${JSON.stringify(prometheusUrl)} is not an http(s) URL ` +
            "(like http://prometheus.monitoring.svc.cluster.local:9090)");
    }
    if (prometheusUrl !== "" && monitoring.mode !== "existing") {
        read.problem(`${project}:prometheusUrl is set but monitoring = ${JSON.stringify(monitoring.mode)}: ` +
            "prometheusUrl is only used with monitoring = existing");
    }

    // The autoscaler must find what it scales on: a metrics API for hpa, KEDA and Prometheus for keda.
    if (autoscaler === "hpa" && metricsServer.mode === "none") {
        read.problem(`${project}:autoscaler = "hpa" needs a resource metrics API (metrics.k8s.io) but ` +
            `${project}:metricsServer = "none": set metricsServer to install, or to existing if the cluster already serves it`);
    }
    if (autoscaler === "keda") {
        if (keda.mode === "none") {
            read.problem(`${project}:autoscaler = "keda" needs KEDA but ${project}:keda = "none": set keda to install or existing`);
        }
        if (monitoring.mode === "none") {
            read.problem(`${project}:autoscaler = "keda" scales on Prometheus metrics but ${project}:monitoring = "none": ` +
                "set monitoring to install, or to existing together with prometheusUrl");
        } else if (monitoring.mode === "existing" && prometheusUrl === "") {
            read.problem(`${project}:autoscaler = "keda" with ${project}:monitoring = "existing" needs ${project}:prometheusUrl, ` +
                "the in-cluster address of that Prometheus");
        }
    }

    const sourceRanges = read.string("ingressSourceRanges", DEFAULTS.ingressSourceRanges);
    const ingressSourceRanges = sourceRanges.trim() === "" ? undefined : sourceRanges.split(",").map(r => r.trim());
    for (const range of ingressSourceRanges ?? []) {
        const problem = cidrProblem(range);
        if (problem) {
            read.problem(`${project}:ingressSourceRanges has ${JSON.stringify(range)}, which ${problem}: ` +
                "use comma-separated CIDRs such as 203.0.113.0/24,198.51.100.7/32");
        }
    }
    if (ingressSourceRanges && flavour === "kind") {
        read.problem(`${project}:ingressSourceRanges is set but ${project}:clusterFlavour = "kind": kind's gateway listens on ` +
            "127.0.0.1 only (kind/cluster.yaml); source ranges apply to a cloud load balancer");
    }

    if (seldonCore.version !== undefined && seldonCore.mode === "install" && compareVersions(seldonCore.version, "1.18.0") >= 0) {
        pulumi.log.warn(`seldonCoreVersion ${seldonCore.version}: Seldon Core 1.18.0 and later are under the Business ` +
            "Source License 1.1 (production use needs a commercial licence); 1.17.1 is the last Apache-2.0 release.");
    }

    return {
        flavour,
        kubeContext: kubeContext === "" ? undefined : kubeContext,
        modelNamespace,
        istio: istio as AddonSettings<RequiredAddonMode>,
        seldonCore: seldonCore as AddonSettings<RequiredAddonMode>,
        metricsServer: metricsServer as AddonSettings,
        monitoring: { ...(monitoring as AddonSettings), prometheusUrl: prometheusUrl === "" ? undefined : prometheusUrl },
        keda: keda as AddonSettings,
        ...(ingressSourceRanges ? { ingressSourceRanges } : {}),
    };
}

/** Why `range` is not an IPv4 or IPv6 CIDR, or undefined when it is one. */
export function cidrProblem(range: string): string | undefined {
    const m = /^([^/]+)\/([0-9]{1,3})$/.exec(range);
    if (!m) {
        return "is not a CIDR (address/prefix length)";
    }
    const prefix = Number(m[2]);
    if (/^[0-9.]+$/.test(m[1])) {
        const octets = m[1].split(".");
        if (octets.length !== 4 || octets.some(o => o === "" || Number(o) > 255 || (o.length > 1 && o.startsWith("0")))) {
            return "has no valid IPv4 address";
        }
        return prefix <= 32 ? undefined : "has a prefix longer than 32";
    }
    if (/^[0-9a-fA-F:]+$/.test(m[1]) && m[1].includes(":") && (m[1].match(/::/g) ?? []).length <= 1) {
        return prefix <= 128 ? undefined : "has a prefix longer than 128";
    }
    return "has no valid IPv4 or IPv6 address";
}

/**
 * One problem per key of the project's namespace that the program does not read (a misspelling,
 * a wrong case), naming the nearest declared key. Other namespaces (aws:, kubernetes:) are not ours.
 */
export function unknownKeyProblems(project: string, keys: string[]): string[] {
    return keys.filter(k => k.startsWith(`${project}:`)).map(k => k.slice(project.length + 1))
        .filter(k => !DECLARED_KEYS.includes(k)).sort()
        .map(k => {
            const nearest = nearestKey(k);
            return `${project}:${k} is not a setting of this project` + (nearest ? `: did you mean ${nearest}?` : "") +
                ` (\`pulumi config rm ${k}\`; README, "Configuration", lists every setting)`;
        });
}

/** The declared key closest to `key` (case-insensitive edit distance), if it is close enough to be a slip. */
export function nearestKey(key: string): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of DECLARED_KEYS) {
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        // Close enough: a third of the longer name may differ (a dropped word, a slip of the hand).
        if (distance <= Math.max(2, Math.floor(Math.max(key.length, candidate.length) / 3)) && (!best || distance < best.distance)) {
            best = { key: candidate, distance };
        }
    }
    return best?.key;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** Compares two x.y.z versions numerically. */
export function compareVersions(a: string, b: string): number {
    const pa = a.split(/[.-]/).slice(0, 3).map(Number);
    const pb = b.split(/[.-]/).slice(0, 3).map(Number);
    for (let i = 0; i < 3; i++) {
        if (pa[i] !== pb[i]) {
            return pa[i] - pb[i];
        }
    }
    return 0;
}

/** Returns why `name` is not a valid general-purpose S3 bucket name, or undefined when it is. */
export function checkBucketName(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) {
        return `it must be 3 to 63 characters long (it has ${name.length})`;
    }
    if (!/^[a-z0-9.-]+$/.test(name)) {
        return "only lowercase letters, digits, dots and hyphens are allowed";
    }
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
        return "it must begin and end with a letter or a digit";
    }
    if (name.includes("..")) {
        return "it must not contain two adjacent dots";
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        return "it must not look like an IP address";
    }
    for (const reserved of ["xn--", "sthree-", "amzn-s3-demo-"]) {
        if (name.startsWith(reserved)) {
            return `the prefix ${reserved} is reserved`;
        }
    }
    for (const reserved of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
        if (name.endsWith(reserved)) {
            return `the suffix ${reserved} is reserved`;
        }
    }
    return undefined;
}

/** Returns why `prefix` is not a usable key prefix for the model repository, or undefined when it is. */
export function checkS3Prefix(prefix: string): string | undefined {
    if (prefix === "") {
        return "it must not be empty (Triton needs the repository in a folder of the bucket)";
    }
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
        return "it must not begin or end with '/'";
    }
    const segments = prefix.split("/");
    if (segments.some(s => s === "" || s === "." || s === "..")) {
        return "its segments must not be empty, '.' or '..'";
    }
    if (!/^[A-Za-z0-9._\-/]+$/.test(prefix)) {
        return "only letters, digits, '.', '_', '-' and '/' are allowed";
    }
    if (prefix.length > 512) {
        return `it must be at most 512 characters long (it has ${prefix.length})`;
    }
    return undefined;
}

function isConfigSecret(key: string): boolean {
    // Exported by the SDK's runtime but missing from its type declarations.
    return (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);
}

/** Reads raw config strings, applies defaults and collects every problem instead of stopping at the first. */
class ConfigReader {
    private readonly problems: string[] = [];
    private readonly config = new pulumi.Config();

    constructor(private readonly project: string) {}

    problem(message: string): void {
        this.problems.push(message);
    }

    throwIfProblems(): void {
        if (this.problems.length > 0) {
            throw new ConfigError(this.problems);
        }
    }

    string(key: string, fallback: string): string {
        return this.config.get(key) ?? fallback;
    }

    choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T | undefined {
        const value = this.config.get(key) ?? fallback;
        if (!(allowed as readonly string[]).includes(value)) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(value)} is not allowed: use one of ${allowed.join(" | ")}`);
            return undefined;
        }
        return value as T;
    }

    /** A container image pinned to a tag (not `latest`) or a sha256 digest, so every run deploys the same image. */
    pinnedImage(key: string, fallback: string): string {
        const value = this.string(key, fallback);
        const problem = imagePinProblem(value);
        if (problem) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(value)} is not a pinned image (${problem}): use <image>:<tag> ` +
                "or <image>@sha256:<64 hex digits>, never latest");
        }
        return value;
    }

    boolean(key: string, fallback: boolean): boolean | undefined {
        const raw = this.config.get(key);
        if (raw === undefined) {
            return fallback;
        }
        if (raw !== "true" && raw !== "false") {
            this.problem(`${this.project}:${key} = ${JSON.stringify(raw)} is not a boolean: use true or false`);
            return undefined;
        }
        return raw === "true";
    }

    /** An exact chart version: `1.30.3`, never a range or `latest`, so every run installs the same chart. */
    chartVersion(key: string, fallback: string): string | undefined {
        const value = this.string(key, fallback);
        if (!/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(value)) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(value)} is not an exact chart version: ` +
                `pin one like ${fallback} (no ranges, no "latest")`);
            return undefined;
        }
        return value;
    }

    /**
     * A Helm chart repository: an https:// repository or an oci:// registry (a mirror, say). Never
     * plain http://: charts run with cluster-admin rights, so where they come from must be authenticated.
     */
    chartRepository(key: string, fallback: string): string {
        const value = this.string(key, fallback);
        if (!/^(https|oci):\/\/[^\s/]+(\/\S*)?$/.test(value)) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(value)} is not a chart repository: use an https:// repository ` +
                "URL or an oci:// registry path (plain http:// is not accepted)");
        }
        return value;
    }

    integer(key: string, fallback: number, min: number, max: number): number | undefined {
        const raw = this.config.get(key);
        if (raw === undefined) {
            return fallback;
        }
        if (!/^-?[0-9]+$/.test(raw.trim())) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(raw)} is not a whole number: use an integer from ${min} to ${max}`);
            return undefined;
        }
        const value = Number(raw.trim());
        if (value < min || value > max) {
            this.problem(`${this.project}:${key} = ${value} is too ${value < min ? "small" : "large"}: use an integer from ${min} to ${max}`);
            return undefined;
        }
        return value;
    }
}
