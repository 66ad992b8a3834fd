// The Helm values this project sets, typed from each chart's default values.yaml at the pinned
// version. Only the keys we use are declared: a misspelt key fails to compile instead of being
// ignored by Helm. Optional everywhere, as in the charts.

export interface ResourceQuantities {
    cpu?: string;
    memory?: string;
}

export interface ResourceRequirements {
    requests?: ResourceQuantities;
    limits?: ResourceQuantities;
}

/** istio/base (manifests/charts/base/values.yaml). */
export interface IstioBaseValues {
    defaultRevision?: string;
}

/** istio/istiod (manifests/charts/istio-control/istio-discovery/values.yaml). */
export interface IstiodValues {
    autoscaleEnabled?: boolean;
    autoscaleMin?: number;
    autoscaleMax?: number;
    replicaCount?: number;
    resources?: ResourceRequirements;
    global?: {
        proxy?: {
            /** Requests and limits of every injected sidecar. */
            resources?: ResourceRequirements;
        };
    };
}

/** One port of the gateway Service; rendered verbatim, so `nodePort` passes through. */
export interface IstioGatewayServicePort {
    name: string;
    port: number;
    protocol: "TCP" | "UDP";
    targetPort: number;
    nodePort?: number;
}

/** istio/gateway (manifests/charts/gateway/values.yaml; its values.schema.json rejects unknown keys). */
export interface IstioGatewayValues {
    labels?: Record<string, string>;
    service?: {
        type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "None";
        ports?: IstioGatewayServicePort[];
        annotations?: Record<string, string>;
        externalTrafficPolicy?: string;
        /** Client CIDRs a LoadBalancer Service accepts (the cloud's load balancer enforces them). */
        loadBalancerSourceRanges?: string[];
    };
    autoscaling?: {
        enabled?: boolean;
        minReplicas?: number;
        maxReplicas?: number;
        targetCPUUtilizationPercentage?: number;
    };
    resources?: ResourceRequirements;
}

/** seldon-core-operator (helm-charts/seldon-core-operator/values.yaml, v1.17.1). */
export interface SeldonCoreOperatorValues {
    istio?: {
        enabled?: boolean;
        /** `<namespace>/<name>` of the Istio Gateway the operator's VirtualServices bind to. */
        gateway?: string;
        tlsMode?: string;
    };
    keda?: {
        /** Without it a kedaSpec is silently ignored (and no HPA is created either). */
        enabled?: boolean;
    };
    usageMetrics?: {
        enabled?: boolean;
    };
    crd?: {
        create?: boolean;
    };
    executor?: {
        resources?: {
            cpuRequest?: string;
            cpuLimit?: string;
            memoryRequest?: string;
            memoryLimit?: string;
        };
    };
}

/** metrics-server (charts/metrics-server/values.yaml). */
export interface MetricsServerValues {
    /** Extra container arguments, added to the chart's defaultArgs. */
    args?: string[];
    resources?: ResourceRequirements;
}

/** kube-prometheus-stack's grafana sub-chart (charts/grafana/values.yaml, and the parent's grafana block). */
export interface GrafanaValues extends Enabled {
    /** The parent chart's own dashboards (they need node-exporter and kube-state-metrics). */
    defaultDashboardsEnabled?: boolean;
    resources?: ResourceRequirements;
}

/** A sub-chart or scrape target that can be switched off. */
export interface Enabled {
    enabled?: boolean;
}

/** kube-prometheus-stack (charts/kube-prometheus-stack/values.yaml). */
export interface KubePrometheusStackValues {
    fullnameOverride?: string;
    defaultRules?: { create?: boolean };
    alertmanager?: Enabled;
    grafana?: GrafanaValues;
    nodeExporter?: Enabled;
    kubeStateMetrics?: Enabled;
    /** The bundled kube-state-metrics subchart's own values. */
    "kube-state-metrics"?: { resources?: ResourceRequirements };
    kubeControllerManager?: Enabled;
    kubeScheduler?: Enabled;
    kubeEtcd?: Enabled;
    kubeProxy?: Enabled;
    coreDns?: Enabled;
    prometheus?: {
        enabled?: boolean;
        prometheusSpec?: {
            /** false: select PodMonitors of every release, not only those labelled `release: <release>`. */
            podMonitorSelectorNilUsesHelmValues?: boolean;
            serviceMonitorSelectorNilUsesHelmValues?: boolean;
            retention?: string;
            scrapeInterval?: string;
            resources?: ResourceRequirements;
        };
    };
}

/** kedacore/keda (keda/values.yaml). */
export interface KedaValues {
    resources?: {
        operator?: ResourceRequirements;
        metricServer?: ResourceRequirements;
        webhooks?: ResourceRequirements;
    };
}

/** seaweedfs (k8s/charts/seaweedfs/values.yaml): the single-pod all-in-one layout only. */
export interface SeaweedfsValues {
    master?: Enabled;
    volume?: Enabled;
    filer?: Enabled;
    allInOne?: {
        enabled?: boolean;
        data?: {
            type?: "persistentVolumeClaim" | "existingClaim" | "hostPath" | "emptyDir";
            size?: string;
            storageClass?: string;
        };
        s3?: {
            enabled?: boolean;
            port?: number;
            /** Identities from `existingConfigSecret` (key `seaweedfs_s3_config`). */
            enableAuth?: boolean;
            existingConfigSecret?: string;
            /** Created by a post-install hook Job (so: a helm.v3.Release). */
            createBuckets?: Array<{ name: string }>;
        };
        resources?: ResourceRequirements;
    };
}
