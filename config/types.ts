// The typed settings the components receive: one value per consumer, each carrying exactly what it
// needs. Produced by loadSettings() (config/index.ts) once every setting is valid.
import * as pulumi from "@pulumi/pulumi";
import { ChartPin } from "../lib/charts";
import { RepositoryFile } from "../lib/tritonRepository";

export const AUTOSCALERS = ["none", "hpa", "keda"] as const;
export const INGRESS_EXPOSURES = ["internal", "public"] as const;
/** What KEDA scales on: the executors' request rate, or the requests waiting in Triton's queue. */
export const KEDA_SIGNALS = ["requestRate", "queue"] as const;
export type KedaSignalKind = typeof KEDA_SIGNALS[number];
/** Each autoscaling signal's target (hpaCpuUtilization, kedaRequestsPerSecond, kedaQueueTarget), read once for every consumer. */
export interface SignalTargets {
    cpuUtilization: number;
    requestsPerSecond: number;
    pendingPerReplica: number;
}

/** The KEDA signal and its target per replica. */
export type KedaSignal =
    | { kind: "requestRate"; requestsPerSecond: number }
    | { kind: "queue"; pendingPerReplica: number };
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

export const MODEL_STORES = ["aws-s3", "in-cluster"] as const;
export type ModelStoreKind = typeof MODEL_STORES[number];

/** rclone's S3 providers this project knows (case-sensitive: rclone rejects `aws`). */
export const RCLONE_PROVIDERS = ["AWS", "Ceph", "Minio", "SeaweedFS", "Other"] as const;
export type RcloneProvider = typeof RCLONE_PROVIDERS[number];

/** Credentials the cluster uses to read the model repository. */
export type ReaderCredentials =
    | { mode: "iam-user" }
    | { mode: "existing"; accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };

/** Where the model repository is kept: AWS S3, or an S3-compatible store inside the (kind) cluster. */
export type ModelStoreSettings =
    | {
        kind: "aws-s3";
        /** Bucket name, or undefined to derive `<project>-<stack>-<account id>-models`. */
        bucketName?: string;
        /** AWS region of the bucket (the `aws:region` setting). */
        region: string;
        /** Key prefix the cluster may read. */
        prefix: string;
        readerCredentials: ReaderCredentials;
        /** Project and stack, from which the bucket and IAM user names are derived. */
        project: string;
        stack: string;
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
        /** The namespace whose pods read the models (Seldon's storage initializer). */
        readerNamespace: string;
    };

export interface ModelRepositorySettings {
    /** Absolute path of the Triton model repository folder. */
    path: string;
    /** Key prefix of the repository in the bucket. */
    prefix: string;
    /** The files to upload, validated and hashed. */
    files: RepositoryFile[];
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
    monitoring: AddonSettings;
    keda: AddonSettings;
    /** cloud: the only client addresses (CIDRs) the ingress load balancer accepts; undefined: any. */
    ingressSourceRanges?: string[];
    /** cloud: an internal load balancer (reached from the cloud network) or a public one (restricted to ingressSourceRanges). */
    ingressExposure?: "internal" | "public";
    /** cloud: the kubernetes.io/tls Secret in istio-system the gateway serves HTTPS with; undefined: HTTP only. */
    ingressTlsSecret?: string;
    /** In-cluster address of the Prometheus in use (installed or `prometheusUrl`); undefined without one. */
    prometheusUrl?: string;
    /** Whether kube-prometheus-stack's Grafana is installed (cloud: with the monitoring; kind: grafanaOnKind). */
    grafana: boolean;
}

/**
 * How many replicas serve the model and what scales them: exactly the fields each mode needs (a
 * keda autoscaler always has its Prometheus, by type).
 */
export type AutoscalingSettings =
    | { mode: "none"; replicas: number }
    | { mode: "hpa"; minReplicas: number; maxReplicas: number; cpuUtilization: number }
    | {
        mode: "keda";
        minReplicas: number;
        maxReplicas: number;
        signal: KedaSignal;
        pollingInterval: number;
        scaleDownStabilizationSeconds: number;
        /** How long the signal must stay high before replicas are added (0: at once, the HPA's default). */
        scaleUpStabilizationSeconds: number;
        /** In-cluster address of the Prometheus the trigger queries: the one installed, or `prometheusUrl`. */
        prometheusUrl: string;
        /** What KEDA holds when the signal is lost: this many replicas after this many failed reads. */
        fallback: { replicas: number; failureThreshold: number };
    };

/** The model's alerting rules (a PrometheusRule), when the platform installs the Prometheus operator. */
export interface AlertSettings {
    /** Objective of the executor's p99 latency, ms. */
    latencyP99Ms: number;
    /** Objective of Triton's mean queue time, ms. */
    queueTimeMs: number;
}

/** The served model: the SeldonDeployment, its Triton container and its checks. */
export interface DeploymentSettings {
    /** SeldonDeployment name (`cifar10`). */
    name: string;
    /** Triton model name = graph node = container name = model folder in the repository. */
    modelName: string;
    tritonImage: string;
    resources: { requests: { cpu: string; memory: string }; limits?: { cpu?: string; memory?: string } };
    /** Sink of Seldon's payload logger; undefined leaves the logger out. */
    payloadLogger?: { url: string; secret: boolean };
    /** Overrides of the store's rclone provider and endpoint; unset follows the store. */
    rclone: { provider?: RcloneProvider; endpoint?: string };
    smokeTest: { enabled: boolean; timeoutSeconds: number };
    /**
     * Every autoscaling signal's target, whatever the mode: the dashboard draws each signal against its
     * target, and stays the same when the autoscaler or the KEDA signal is swapped.
     */
    signalTargets: SignalTargets & { cpuRequestCores: number };
}

/** The in-cluster load test Job (the tutorial's Locust run: users, spawn rate, run time). */
export type LoadTestSettings =
    | { enabled: false }
    | {
        enabled: true;
        users: number;
        spawnRate: number;
        /** As given (`180s`), passed to the generator. */
        runTime: string;
        runTimeMs: number;
        image: string;
    };

export interface Settings {
    project: string;
    stack: string;
    modelStore: ModelStoreSettings;
    modelRepository: ModelRepositorySettings;
    platform: PlatformSettings;
    autoscaling: AutoscalingSettings;
    deployment: DeploymentSettings;
    /** Undefined when no Prometheus operator is installed by this stack (monitoring existing or none). */
    alerts?: AlertSettings;
    loadTest: LoadTestSettings;
}
