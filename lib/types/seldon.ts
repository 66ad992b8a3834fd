// machinelearning.seldon.io/v1 SeldonDeployment, typed from the v1.17.1 CRD (identical v1 schema in
// 1.18.2) for the fields this project sets. Field names and required fields follow the CRD.
import { ResourceQuantities } from "./helmValues";
import { CustomObject } from "./kubernetes";

export type SeldonDeployment = CustomObject<"machinelearning.seldon.io/v1", "SeldonDeployment", SeldonDeploymentSpec>;

export interface SeldonDeploymentSpec {
    name?: string;
    /** The webhook accepts seldon | tensorflow | kfserving | v2. */
    protocol?: "seldon" | "tensorflow" | "kfserving" | "v2";
    predictors: PredictorSpec[];
    annotations?: Record<string, string>;
}

export interface PredictorSpec {
    name: string;
    graph: PredictiveUnit;
    componentSpecs?: SeldonPodSpec[];
    /** Fixed replica count; leave unset when an hpaSpec or kedaSpec scales the predictor. */
    replicas?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    traffic?: number;
}

export interface PredictiveUnit {
    name: string;
    type?: "UNKNOWN_TYPE" | "ROUTER" | "COMBINER" | "MODEL" | "TRANSFORMER" | "OUTPUT_TRANSFORMER";
    /** Checked by the operator's webhook against its server list. */
    implementation?: "TRITON_SERVER" | "MLFLOW_SERVER" | "SKLEARN_SERVER" | "TENSORFLOW_SERVER" | "XGBOOST_SERVER" | "HUGGINGFACE_SERVER" | "TEMPO_SERVER" | "UNKNOWN_IMPLEMENTATION";
    modelUri?: string;
    /** Secret whose keys become the storage initializer's environment (rclone configuration). */
    envSecretRefName?: string;
    logger?: { mode?: "all" | "request" | "response"; url?: string };
    children?: PredictiveUnit[];
    parameters?: Array<{ name: string; type: "INT" | "FLOAT" | "DOUBLE" | "STRING" | "BOOL"; value: string }>;
}

export interface SeldonPodSpec {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    /** Seldon 1.17.1 copies it whole into the Deployment's pod template (seldondeployment_controller.go, createDeploymentWithoutEngine). */
    spec?: { containers: Container[]; automountServiceAccountToken?: boolean };
    hpaSpec?: HpaSpec;
    kedaSpec?: KedaSpec;
    replicas?: number;
}

/** The subset of a core/v1 Container this project sets. */
export interface Container {
    name: string;
    image?: string;
    resources?: { requests?: ResourceQuantities; limits?: ResourceQuantities };
    securityContext?: SecurityContext;
    startupProbe?: Probe;
    readinessProbe?: Probe;
    livenessProbe?: Probe;
}

/** The subset of a core/v1 Probe this project sets: an HTTP GET on a named container port. */
export interface Probe {
    httpGet: { path: string; port: string; scheme?: "HTTP" | "HTTPS" };
    initialDelaySeconds?: number;
    periodSeconds?: number;
    timeoutSeconds?: number;
    successThreshold?: number;
    failureThreshold?: number;
}

/** The subset of a core/v1 SecurityContext this project sets. */
export interface SecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: "RuntimeDefault" | "Localhost" | "Unconfined"; localhostProfile?: string };
}

export interface HpaSpec {
    minReplicas?: number;
    maxReplicas: number;
    /** autoscaling/v2 metric specs. (`metrics`, the v2beta1 shape, wins when both are set: never set it.) */
    metricsv2?: MetricSpecV2[];
}

export type MetricSpecV2 =
    | { type: "ContainerResource"; containerResource: { name: "cpu" | "memory"; container: string; target: MetricTarget } }
    | { type: "Resource"; resource: { name: "cpu" | "memory"; target: MetricTarget } };

export type MetricTarget =
    | { type: "Utilization"; averageUtilization: number }
    | { type: "AverageValue"; averageValue: string };

export interface KedaSpec {
    pollingInterval?: number;
    cooldownPeriod?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    idleReplicaCount?: number;
    advanced?: {
        horizontalPodAutoscalerConfig?: { behavior?: HpaBehavior };
        restoreToOriginalReplicaCount?: boolean;
    };
    fallback?: { failureThreshold: number; replicas: number };
    triggers: ScaleTrigger[];
}

export interface HpaBehavior {
    scaleDown?: HpaScalingRules;
    scaleUp?: HpaScalingRules;
}

export interface HpaScalingRules {
    stabilizationWindowSeconds?: number;
    selectPolicy?: "Max" | "Min" | "Disabled";
    policies?: Array<{ type: "Pods" | "Percent"; value: number; periodSeconds: number }>;
}

export interface ScaleTrigger {
    type: string;
    name?: string;
    /** Scaler settings: every value is a string. */
    metadata: Record<string, string>;
    metricType?: "AverageValue" | "Value" | "Utilization";
}

/** The KEDA Prometheus scaler's metadata (all strings; `metricName` is gone since KEDA 2.12). */
export interface PrometheusTriggerMetadata extends Record<string, string> {
    serverAddress: string;
    query: string;
    threshold: string;
    /**
     * "false": an empty result is an error, not 0 (KEDA 2.20 pkg/scalers/prometheus_scaler.go,
     * `ignoreNullValues`, default true), so a lost signal reaches the fallback instead of scaling down.
     */
    ignoreNullValues: "true" | "false";
}
