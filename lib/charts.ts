// Every Helm chart the platform installs: repository, chart, pinned version, release name and
// namespace, each next to the upstream fact behind it. Versions and repositories are overridable by
// stack config (ChartPin); names and namespaces are not, because other wiring is derived from them
// (the Seldon gateway reference, the Prometheus URL, the store's Service).

export interface ChartSource {
    /** Helm repository URL. */
    repo: string;
    /** Chart name in that repository. */
    chart: string;
    /** Exact chart version installed unless the stack overrides it. */
    version: string;
    /** Helm release name: explicit, so Pulumi adds no random suffix and names derived from it stay stable. */
    release: string;
    namespace: string;
}

/**
 * Pod Security Standards levels (kubernetes.io/docs/concepts/security/pod-security-standards). A
 * namespace the program creates enforces the strictest level its pods meet.
 */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * The strictest level each add-on's pods meet at the pinned chart versions with this program's
 * values, read from `helm template` output (host namespaces, hostPath, capabilities, securityContext):
 * istiod and the gateway lack only a seccomp profile for restricted; Seldon's operator and SeaweedFS
 * set no securityContext; KEDA's three Deployments are restricted. Prometheus's own pods are made by
 * its operator, not the chart: baseline is what is known to hold; on cloud the node exporter needs
 * host namespaces and hostPath (privileged).
 */
export const POD_SECURITY: Record<"istio" | "seldonCore" | "monitoringKind" | "monitoringCloud" | "keda" | "modelStore" | "models", PodSecurityLevel> = {
    istio: "baseline",
    seldonCore: "baseline",
    monitoringKind: "baseline",
    monitoringCloud: "privileged",
    keda: "restricted",
    modelStore: "baseline",
    // Sidecar injection adds istio-init with NET_ADMIN and NET_RAW (no Istio CNI here): beyond baseline.
    models: "privileged",
};

/** Which version of a chart to install, from which repository (https:// or oci://). */
export interface ChartPin {
    version: string;
    repository: string;
}

// Istio charts share one version, equal to the Istio version. 1.30 supports Kubernetes 1.32-1.36
// (the kind node is 1.33). Repo: istio-release.storage.googleapis.com/charts.
const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";
export const ISTIO_VERSION = "1.30.3";
export const ISTIO_NAMESPACE = "istio-system";

export const CHARTS = {
    /** Istio CRDs and cluster roles. */
    istioBase: { repo: ISTIO_REPO, chart: "base", version: ISTIO_VERSION, release: "istio-base", namespace: ISTIO_NAMESPACE },
    /** Istio control plane (sidecar injection, config distribution). */
    istiod: { repo: ISTIO_REPO, chart: "istiod", version: ISTIO_VERSION, release: "istiod", namespace: ISTIO_NAMESPACE },
    /**
     * The ingress gateway. The chart labels its pods after the release: release `istio-ingressgateway`
     * gives `istio: ingressgateway`, which the seldon-gateway Gateway selects.
     */
    istioGateway: { repo: ISTIO_REPO, chart: "gateway", version: ISTIO_VERSION, release: "istio-ingressgateway", namespace: ISTIO_NAMESPACE },
    /**
     * Seldon Core v1 operator. 1.17.1 (2023-08-15) is the last Apache-2.0 release; 1.18.0 and later are
     * under the Business Source License 1.1 (docs/design.md, "Choosing versions and repositories").
     */
    seldonCore: { repo: "https://storage.googleapis.com/seldon-charts", chart: "seldon-core-operator", version: "1.17.1", release: "seldon-core", namespace: "seldon-system" },
    /** metrics-server 3.13.1 = app 0.8.x (Kubernetes >= 1.31): serves metrics.k8s.io for CPU-based HPAs. */
    metricsServer: { repo: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.1", release: "metrics-server", namespace: "kube-system" },
    /**
     * Prometheus through kube-prometheus-stack (not Bitnami's kube-prometheus, whose images are frozen
     * since 2025-08-28). Release and fullnameOverride `seldon-monitoring` name the Prometheus service
     * `seldon-monitoring-prometheus`, the address Seldon's docs and the tutorial use.
     */
    monitoring: { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "88.5.3", release: "seldon-monitoring", namespace: "seldon-monitoring" },
    /** KEDA; chart version = app version. 2.20 is tested on Kubernetes 1.33-1.35. */
    keda: { repo: "https://kedacore.github.io/charts", chart: "keda", version: "2.20.2", release: "keda", namespace: "keda" },
    /**
     * SeaweedFS (Apache-2.0), the in-cluster S3-compatible model store of the local stack: MinIO's
     * images are gone, Bitnami's frozen, LocalStack needs an account. Chart 4.44.0 = image 4.44.
     */
    modelStore: { repo: "https://seaweedfs.github.io/seaweedfs/helm", chart: "seaweedfs", version: "4.44.0", release: "seaweedfs", namespace: "seaweedfs" },
} satisfies Record<string, ChartSource>;

/** The gateway Seldon's operator binds its VirtualServices to (`<namespace>/<name>`). */
export const SELDON_GATEWAY = { name: "seldon-gateway", namespace: ISTIO_NAMESPACE };

/** kube-prometheus-stack names the Prometheus service `<fullname>-prometheus`, port 9090. */
export const PROMETHEUS_PORT = 9090;

/**
 * The in-cluster address of the Prometheus this program installs: the monitoring values set
 * fullnameOverride to the release name, so the service is `seldon-monitoring-prometheus`.
 */
export function installedPrometheusUrl(): string {
    const { release, namespace } = CHARTS.monitoring;
    return `http://${release}-prometheus.${namespace}.svc.cluster.local:${PROMETHEUS_PORT}`;
}

/** The ingress gateway's Service, named after its release: where in-cluster clients reach the models. */
export const INGRESS_SERVICE = { name: CHARTS.istioGateway.release, namespace: CHARTS.istioGateway.namespace };

/**
 * kube-prometheus-stack's Grafana: the grafana sub-chart's Service `<release>-grafana` on port 80, and
 * the Secret it generates with the admin password (key admin-password). Checked against the rendered
 * chart in tests/upstream/charts.test.ts.
 */
export const GRAFANA_SERVICE = { name: `${CHARTS.monitoring.release}-grafana`, namespace: CHARTS.monitoring.namespace, port: 80, passwordKey: "admin-password" };

/** The ingress gateway's base URL for clients inside the cluster (port 80): no port-forward in the way. */
export const IN_CLUSTER_INGRESS_URL = `http://${INGRESS_SERVICE.name}.${INGRESS_SERVICE.namespace}.svc.cluster.local`;

/**
 * The port the ingress gateway's Envoy listens on for HTTP: the Gateway's server port, which the
 * gateway Service's targetPort names (the gateway chart 1.30.3 lets it bind below 1024 through the
 * net.ipv4.ip_unprivileged_port_start sysctl, values.yaml:37-38, and forwards 80 to 80, :55-57).
 */
export const INGRESS_GATEWAY_HTTP_PORT = 80;

/**
 * The ingress gateway's fixed nodePort on kind; kind/cluster.yaml maps it to 127.0.0.1:8080 on the
 * host, so the endpoint needs no `kubectl port-forward` (a single-stream bottleneck under load).
 */
export const KIND_INGRESS_NODE_PORT = 30080;
export const KIND_INGRESS_HOST_PORT = 8080;

/** SeaweedFS serves S3 on this port (health at `GET /healthz`). */
export const MODEL_STORE_S3_PORT = 8333;
/**
 * The in-cluster store's fixed nodePort on kind; kind/cluster.yaml maps it to 127.0.0.1:8333 on the
 * host, where the uploads go.
 */
export const KIND_MODEL_STORE_NODE_PORT = 30833;
export const KIND_MODEL_STORE_HOST_PORT = 8333;
