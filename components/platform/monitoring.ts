import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterFlavour } from "../../config";
import { ChartPin, CHARTS, POD_SECURITY } from "../../lib/charts";
import { namespacedRelease } from "../../lib/helm";
import { KubePrometheusStackValues } from "../../lib/types/helmValues";
import { TRITON_IMAGE_REGEX, TRITON_METRICS_PATH, TRITON_METRICS_PORT } from "../../lib/triton";
import { SCRAPE_ENDPOINTS, SCRAPE_INTERVAL_S } from "../../lib/queries";
import { PodMonitor, RelabelConfig } from "../../lib/types/prometheusOperator";

export interface MonitoringArgs {
    flavour: ClusterFlavour;
    /** Install Grafana (always on cloud; on kind only with grafanaOnKind). */
    grafana: boolean;
    /** Chart version and repository. */
    pin: ChartPin;
}

/** Prometheus (kube-prometheus-stack) and the PodMonitor that scrapes Seldon's executors. */
export class Monitoring extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly podMonitor: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:platform:Monitoring", name, {}, opts);
        const { namespace } = CHARTS.monitoring;
        // Through Helm: the operator's CRDs are too large for client-side apply.
        this.release = namespacedRelease(this, CHARTS.monitoring, args.pin, prometheusStackValues(args.flavour, args.grafana),
            args.flavour === "kind" ? POD_SECURITY.monitoringKind : POD_SECURITY.monitoringCloud);
        // Needs the PodMonitor CRD from the release.
        this.podMonitor = new k8s.apiextensions.CustomResource("seldon-podmonitor", seldonPodMonitor(namespace),
            { parent: this, dependsOn: [this.release] });
        // Its address (lib/charts.ts installedPrometheusUrl) is settled by the configuration.
        this.registerOutputs({});
    }
}


export function prometheusStackValues(flavour: ClusterFlavour, grafana = flavour === "cloud"): KubePrometheusStackValues {
    const values: KubePrometheusStackValues = {
        fullnameOverride: CHARTS.monitoring.release,
        prometheus: {
            prometheusSpec: {
                // Select PodMonitors and ServiceMonitors of every release, not only `release: seldon-monitoring`.
                podMonitorSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
            },
        },
    };
    if (flavour === "kind") {
        // Only what autoscaling and the model's alerts need: Prometheus, its operator, and
        // kube-state-metrics (the alerts read the pods' and the HPA's state from it; 10m / 32Mi).
        // No Alertmanager: alerts fire in Prometheus, routing them is the user's (docs/autoscaling.md).
        const off = { enabled: false };
        Object.assign(values, {
            defaultRules: { create: false },
            alertmanager: off,
            grafana: off,
            nodeExporter: off,
            kubeStateMetrics: { enabled: true },
            "kube-state-metrics": { resources: { requests: { cpu: "10m", memory: "32Mi" } } },
            kubeControllerManager: off,
            kubeScheduler: off,
            kubeEtcd: off,
            kubeProxy: off,
        } satisfies KubePrometheusStackValues);
        values.prometheus!.prometheusSpec!.retention = "1d";
        values.prometheus!.prometheusSpec!.resources = { requests: { cpu: "100m", memory: "256Mi" } };
        if (grafana) {
            // The model's dashboard only: the chart's own dashboards need what kind leaves out.
            values.grafana = { enabled: true, defaultDashboardsEnabled: false, resources: { requests: { cpu: "50m", memory: "128Mi" } } };
        }
    }
    return values;
}

/**
 * Scrapes every Seldon model pod every 15 s (the default 30 s is too coarse for KEDA's 1-minute rate
 * window), twice:
 * - the executor (port `metrics`, path `/prometheus`): request rates and latencies per deployment;
 * - Triton's own metrics (queue, request counts and durations), which Seldon does not declare as a
 *   container port: the target found through Triton's `http` port is kept only for a Triton image
 *   (the executor also names a port `http`), and its address rewritten to the pod's metrics port.
 * Both get a `deployment` label, the Kubernetes Deployment (its ReplicaSet's name without the
 * pod-template hash), so queries select one deployment's pods exactly, and its `up` series tell
 * whether the deployment is being scraped at all (lib/queries.ts: no data is not zero).
 */
const DEPLOYMENT_LABEL: RelabelConfig = {
    action: "replace", sourceLabels: ["__meta_kubernetes_pod_controller_kind", "__meta_kubernetes_pod_controller_name"],
    separator: ";", regex: "ReplicaSet;(.+)-[a-z0-9]+", targetLabel: "deployment", replacement: "$1",
};

export function seldonPodMonitor(namespace: string): PodMonitor {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "seldon-podmonitor", namespace },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/managed-by": "seldon-core" } },
            namespaceSelector: { any: true },
            podMetricsEndpoints: [
                { port: SCRAPE_ENDPOINTS.executor, path: "/prometheus", interval: `${SCRAPE_INTERVAL_S}s`, relabelings: [DEPLOYMENT_LABEL] },
                {
                    port: SCRAPE_ENDPOINTS.triton,
                    path: TRITON_METRICS_PATH,
                    interval: `${SCRAPE_INTERVAL_S}s`,
                    relabelings: [
                        { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_image"], regex: TRITON_IMAGE_REGEX },
                        { action: "replace", sourceLabels: ["__meta_kubernetes_pod_ip"], regex: "(.+)", targetLabel: "__address__", replacement: `$1:${TRITON_METRICS_PORT}` },
                        DEPLOYMENT_LABEL,
                    ],
                },
            ],
        },
    };
}
