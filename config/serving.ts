// The served model: its autoscaling, the SeldonDeployment's Triton container and checks, and the
// optional in-cluster load test.
import { DurationError, parseDuration } from "../lib/duration";
import { parseQuantity } from "../lib/quantity";
import { seldonWorkloadName, WORKLOAD_NAME_MAX } from "../lib/seldon";
import { isTritonImage } from "../lib/triton";
import { RepositoryFile } from "../lib/tritonRepository";
import { DEFAULTS, MAXIMUM } from "./defaults";
import { ConfigReader } from "./reader";
import { DNS_LABEL } from "./rules";
import { AlertSettings, AUTOSCALERS, AutoscalingSettings, DeploymentSettings, KEDA_SIGNALS, KedaSignal, LoadTestSettings, ModelStoreKind, RCLONE_PROVIDERS, SignalTargets } from "./types";

/**
 * Sane bounds of the model container's quantities, with why: beyond them the value is a slip (a
 * memory suffix on a CPU, `m` for mega) or more than any node has.
 */
export const QUANTITY_BOUNDS = {
    cpu: { min: 0.001, max: 256, unit: "cores", range: "1m to 256", why: "a CPU count: plain cores or millicores like 500m; M, Gi and the like are memory suffixes" },
    memory: { min: 16 * 2 ** 20, max: 4 * 2 ** 40, unit: "bytes", range: "16Mi to 4Ti", why: "bytes: Mi and Gi are mebi- and gibibytes; a lower-case m is milli, a thousandth of a byte" },
} as const;

/** The autoscaler's mode, read first: the platform checks what it needs. */
export function readAutoscaler(read: ConfigReader) {
    return read.choice("autoscaler", AUTOSCALERS, DEFAULTS.autoscaler);
}

/** Every signal's target, whatever the mode: the autoscaler uses its own, the dashboard draws them all. */
export function readSignalTargets(read: ConfigReader): SignalTargets {
    return {
        cpuUtilization: read.integer("hpaCpuUtilization", DEFAULTS.hpaCpuUtilization, 1, MAXIMUM.hpaCpuUtilization),
        requestsPerSecond: read.integer("kedaRequestsPerSecond", DEFAULTS.kedaRequestsPerSecond, 1, MAXIMUM.kedaRequestsPerSecond),
        // 0 waiting requests per replica cannot be met by any number of replicas: at least 1.
        pendingPerReplica: read.integer("kedaQueueTarget", DEFAULTS.kedaQueueTarget, 1, MAXIMUM.kedaQueueTarget),
    };
}

/** Exactly the fields the chosen mode needs; keda gets the Prometheus the platform settled. */
export function readAutoscaling(read: ConfigReader, mode: AutoscalingSettings["mode"], prometheusUrl: string | undefined,
    targets: SignalTargets): AutoscalingSettings {
    const replicas = read.integer("replicas", DEFAULTS.replicas, 1, MAXIMUM.replicas);
    const minReplicas = read.integer("minReplicas", DEFAULTS.minReplicas, 1, MAXIMUM.replicas);
    const maxReplicas = read.integer("maxReplicas", DEFAULTS.maxReplicas, 1, MAXIMUM.replicas);
    if (maxReplicas < minReplicas) {
        read.problem(`${read.key("maxReplicas")} = ${maxReplicas} is less than ${read.key("minReplicas")} = ${minReplicas}: ` +
            "maxReplicas must be at least minReplicas");
    }
    const pollingInterval = read.integer("kedaPollingInterval", DEFAULTS.kedaPollingInterval, 1, MAXIMUM.kedaPollingInterval);
    // Kubernetes allows a stabilisation window of at most an hour.
    const scaleDownStabilizationSeconds = read.integer("kedaScaleDownStabilizationSeconds", DEFAULTS.kedaScaleDownStabilizationSeconds, 0,
        MAXIMUM.kedaScaleDownStabilizationSeconds);
    const scaleUpStabilizationSeconds = read.integer("kedaScaleUpStabilizationSeconds", DEFAULTS.kedaScaleUpStabilizationSeconds, 0,
        MAXIMUM.kedaScaleUpStabilizationSeconds);
    const signal: KedaSignal = read.choice("kedaSignal", KEDA_SIGNALS, DEFAULTS.kedaSignal) === "queue"
        ? { kind: "queue", pendingPerReplica: targets.pendingPerReplica }
        : { kind: "requestRate", requestsPerSecond: targets.requestsPerSecond };
    const fallback = readFallback(read, minReplicas, maxReplicas);
    switch (mode) {
        case "none":
            return { mode, replicas };
        case "hpa":
            return { mode, minReplicas, maxReplicas, cpuUtilization: targets.cpuUtilization };
        case "keda":
            // readPlatform reports a keda autoscaler without a Prometheus; the fallback is never deployed.
            return { mode, minReplicas, maxReplicas, signal, pollingInterval, scaleDownStabilizationSeconds, scaleUpStabilizationSeconds,
                prometheusUrl: prometheusUrl ?? "", fallback };
    }
}

/** What KEDA holds when its signal is lost: `max` (maxReplicas) or a count from minReplicas to maxReplicas. */
function readFallback(read: ConfigReader, minReplicas: number, maxReplicas: number): { replicas: number; failureThreshold: number } {
    const failureThreshold = read.integer("kedaFallbackFailureThreshold", DEFAULTS.kedaFallbackFailureThreshold, 1, MAXIMUM.kedaFallbackFailureThreshold);
    const raw = read.string("kedaFallbackReplicas", DEFAULTS.kedaFallbackReplicas).trim();
    if (raw === "max") {
        return { replicas: maxReplicas, failureThreshold };
    }
    const replicas = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
    if (!(replicas >= minReplicas && replicas <= maxReplicas)) {
        read.problem(`${read.key("kedaFallbackReplicas")} = ${JSON.stringify(raw)} is not "max" or a whole number from ` +
            `${read.key("minReplicas")} (${minReplicas}) to ${read.key("maxReplicas")} (${maxReplicas}): the replicas KEDA holds when the signal is lost`);
        return { replicas: maxReplicas, failureThreshold };
    }
    return { replicas, failureThreshold };
}

/** The alerts' objectives; undefined when the stack does not install the Prometheus operator (nothing would load the rule). */
export function readAlerts(read: ConfigReader, monitoringInstalled: boolean): AlertSettings | undefined {
    const latencyP99Ms = read.integer("alertLatencyP99Ms", DEFAULTS.alertLatencyP99Ms, 1, MAXIMUM.alertLatencyP99Ms);
    const queueTimeMs = read.integer("alertQueueTimeMs", DEFAULTS.alertQueueTimeMs, 1, MAXIMUM.alertQueueTimeMs);
    return monitoringInstalled ? { latencyP99Ms, queueTimeMs } : undefined;
}

/** The SeldonDeployment's names, Triton container and checks; the model must be in the uploaded repository. */
export function readDeployment(read: ConfigReader, files: RepositoryFile[], storeKind: ModelStoreKind, targets: SignalTargets): DeploymentSettings {
    const name = read.string("deploymentName", DEFAULTS.deploymentName);
    const modelName = read.string("modelName", DEFAULTS.modelName);
    for (const [key, value] of [["deploymentName", name], ["modelName", modelName]]) {
        if (!DNS_LABEL.test(value)) {
            read.problem(`${read.key(key)} = ${JSON.stringify(value)} is not a valid Kubernetes name: ` +
                "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        }
    }
    const workload = seldonWorkloadName(name, modelName);
    if (workload.length > WORKLOAD_NAME_MAX) {
        read.problem(`${read.key("deploymentName")} and ${read.key("modelName")} are too long together: Seldon's workload name ` +
            `${workload} has ${workload.length} characters, at most ${WORKLOAD_NAME_MAX} are allowed`);
    }
    if (files.length > 0 && !files.some(f => f.relativePath === `${modelName}/config.pbtxt`)) {
        const models = [...new Set(files.filter(f => f.relativePath.endsWith("/config.pbtxt")).map(f => f.relativePath.split("/")[0]))];
        read.problem(`${read.key("modelName")} = ${JSON.stringify(modelName)} is not a model of the repository: ` +
            `use one of ${models.join(", ")} (Triton serves the folder named like the model)`);
    }

    const tritonImage = read.pinnedImage("tritonImage", DEFAULTS.tritonImage);
    if (!isTritonImage(tritonImage)) {
        read.problem(`${read.key("tritonImage")} = ${JSON.stringify(tritonImage)} is not a Triton image: its repository's last path ` +
            "component must be tritonserver (e.g. nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3), because Triton's metrics are scraped " +
            "from the container running that image (components/platform/monitoring.ts)");
    }

    const quantity = (key: "modelCpuRequest" | "modelMemoryRequest" | "modelCpuLimit" | "modelMemoryLimit", optional: boolean) => {
        const value = read.string(key, DEFAULTS[key]);
        if (value === "" && optional) {
            return undefined;
        }
        const parsed = parseQuantity(value);
        if (parsed === undefined) {
            read.problem(`${read.key(key)} = ${JSON.stringify(value)} is not a Kubernetes quantity (like 500m, 1, 1Gi)` +
                (optional ? " or empty" : ""));
            return value;
        }
        const bound = key.includes("Cpu") ? QUANTITY_BOUNDS.cpu : QUANTITY_BOUNDS.memory;
        // Zero and below are said by the request rule (below); here what no node could give, or a suffix slip.
        if (parsed > 0 && (parsed < bound.min || parsed > bound.max)) {
            read.problem(`${read.key(key)} = ${JSON.stringify(value)} is ${parsed.toPrecision(3)} ${bound.unit}: use ${bound.range} (${bound.why})`);
        }
        return value;
    };
    const requests = { cpu: quantity("modelCpuRequest", false) ?? DEFAULTS.modelCpuRequest, memory: quantity("modelMemoryRequest", false) ?? DEFAULTS.modelMemoryRequest };
    const memoryLimit = read.string("modelMemoryLimit", DEFAULTS.modelMemoryLimit) === "2x"
        ? `${Math.ceil(2 * (parseQuantity(requests.memory) ?? 2 ** 30) / 2 ** 20)}Mi`
        : quantity("modelMemoryLimit", true);
    const limits = { cpu: quantity("modelCpuLimit", true), memory: memoryLimit };
    for (const [resource, request, limit] of [["Cpu", requests.cpu, limits.cpu], ["Memory", requests.memory, limits.memory]] as const) {
        const requested = parseQuantity(request);
        const limited = parseQuantity(limit);
        if (requested !== undefined && requested <= 0) {
            // A zero request schedules the model anywhere, and utilisation targets divide by it.
            read.problem(`${read.key(`model${resource}Request`)} = ${JSON.stringify(request)} must be more than zero: ` +
                "the scheduler reserves it and the hpa target is a percentage of it");
        }
        if (requested !== undefined && limited !== undefined && limited < requested) {
            read.problem(`${read.key(`model${resource}Limit`)} = ${JSON.stringify(limit)} is below ${read.key(`model${resource}Request`)} = ` +
                `${JSON.stringify(request)}: a limit must be at least the request (Kubernetes rejects the pod otherwise)`);
        }
    }

    const payloadLoggerUrl = read.httpUrl("payloadLoggerUrl", DEFAULTS.payloadLoggerUrl, "Seldon's logger sends no credentials of its own, " +
        "so its sink must not need inline ones; if the URL itself is sensitive, keep it secret: " +
        "`pulumi config set --secret payloadLoggerUrl <url>` (it then stays encrypted in the SeldonDeployment and the state)");

    const providerSetting = read.string("rcloneProvider", DEFAULTS.rcloneProvider);
    const provider = providerSetting === "" ? undefined : read.choice("rcloneProvider", RCLONE_PROVIDERS, "Other");
    const endpoint = read.httpUrl("s3Endpoint", DEFAULTS.s3Endpoint, "the store's keys go in the secret settings readerAccessKeyId and " +
        "readerSecretAccessKey (`pulumi config set --secret`), never in the endpoint");
    if (provider === "AWS" && storeKind === "in-cluster") {
        read.problem(`${read.key("rcloneProvider")} = "AWS" does not fit ${read.key("modelStore")} = "in-cluster": with AWS rclone ` +
            "addresses buckets as virtual hosts of amazonaws.com; leave rcloneProvider empty (the store's SeaweedFS) or set SeaweedFS");
    }
    // The aws-s3 store is a bucket in AWS S3, which the reader's IAM key opens: rclone reaches it as AWS,
    // never through another provider or endpoint (a Minio endpoint would not have the bucket).
    if (storeKind === "aws-s3" && provider !== undefined && provider !== "AWS") {
        read.problem(`${read.key("rcloneProvider")} = ${JSON.stringify(provider)} does not fit ${read.key("modelStore")} = "aws-s3": ` +
            "the bucket is in AWS S3, which rclone reaches as AWS; leave rcloneProvider (and s3Endpoint) empty");
    }
    // Without an override rclone follows the store: AWS for aws-s3.
    if (endpoint !== "" && (provider ?? (storeKind === "aws-s3" ? "AWS" : undefined)) === "AWS") {
        // With provider AWS rclone forces virtual-host addressing, which S3-compatible endpoints rarely serve.
        const from = provider === "AWS" ? `${read.key("rcloneProvider")} = "AWS"` : "the aws-s3 store's rclone provider is AWS";
        read.problem(`${read.key("s3Endpoint")} is set but ${from}: ` +
            "leave s3Endpoint empty for AWS S3, or set rcloneProvider to the S3-compatible store's provider (Ceph, Minio, SeaweedFS, Other)");
    }

    const smokeTest = read.boolean("smokeTest", DEFAULTS.smokeTest);
    const smokeTestTimeoutSeconds = read.integer("smokeTestTimeoutSeconds", DEFAULTS.smokeTestTimeoutSeconds, 10, MAXIMUM.smokeTestTimeoutSeconds);

    const setLimits = { ...(limits.cpu !== undefined ? { cpu: limits.cpu } : {}), ...(limits.memory !== undefined ? { memory: limits.memory } : {}) };
    return {
        name,
        modelName,
        tritonImage,
        resources: { requests, ...(Object.keys(setLimits).length > 0 ? { limits: setLimits } : {}) },
        payloadLogger: payloadLoggerUrl === "" ? undefined : { url: payloadLoggerUrl, secret: read.isSecret("payloadLoggerUrl") },
        rclone: { provider, endpoint: endpoint === "" ? undefined : endpoint },
        smokeTest: { enabled: smokeTest, timeoutSeconds: smokeTestTimeoutSeconds },
        signalTargets: { ...targets, cpuRequestCores: parseQuantity(requests.cpu) ?? 0 },
    };
}

/** The load test's ramp (users, spawn rate, run time), whether or not the in-cluster Job runs: the autoscaling twin simulates it too. */
export function readLoadTestRamp(read: ConfigReader): { users: number; spawnRate: number; runTime: string; runTimeMs: number } {
    const runTime = read.string("loadTestRunTime", DEFAULTS.loadTestRunTime);
    let runTimeMs = parseDuration(DEFAULTS.loadTestRunTime);
    try {
        runTimeMs = parseDuration(runTime);
    } catch (e) {
        if (!(e instanceof DurationError)) {
            throw e;
        }
        runTimeMs = -1;
    }
    if (runTimeMs < 1000 || runTimeMs > MAXIMUM.loadTestRunTimeMs) {
        read.problem(`${read.key("loadTestRunTime")} = ${JSON.stringify(runTime)} is not a duration from 1 s to 24 h: use e.g. 180s, 3m or 1m30s`);
        runTimeMs = parseDuration(DEFAULTS.loadTestRunTime);
    }
    const users = read.integer("loadTestUsers", DEFAULTS.loadTestUsers, 1, MAXIMUM.loadTestUsers);
    const spawnRate = read.integer("loadTestSpawnRate", DEFAULTS.loadTestSpawnRate, 1, MAXIMUM.loadTestSpawnRate);
    return { users, spawnRate, runTime, runTimeMs };
}

/** The in-cluster load test; it needs the smoke test, which is what waits for the model to answer. */
export function readLoadTest(read: ConfigReader, smokeTest: boolean): LoadTestSettings {
    const enabled = read.boolean("loadTestEnabled", DEFAULTS.loadTestEnabled);
    const { users, spawnRate, runTime, runTimeMs } = readLoadTestRamp(read);
    const image = read.pinnedImage("loadTestImage", DEFAULTS.loadTestImage);
    if (!enabled) {
        return { enabled };
    }
    if (!smokeTest) {
        // The Job waits for the model component, whose smoke test is what waits for the model to answer.
        read.problem(`${read.key("loadTestEnabled")} = true needs ${read.key("smokeTest")} = true: without the smoke test the load ` +
            "test Job starts before the model answers and measures its start-up as failures");
    }
    return { enabled, users, spawnRate, runTime, runTimeMs, image };
}
