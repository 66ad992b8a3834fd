// The model's Grafana dashboard, as data: a ConfigMap that Grafana's dashboard sidecar (kube-prometheus-
// stack: label grafana_dashboard "1", searched in every namespace) loads. It draws request rate,
// latency, replicas, each autoscaling signal against its target, and Triton's queue. It does not depend
// on the autoscaler mode or the KEDA signal (each signal's panel says which setting makes it the one
// that scales), so swapping them leaves the dashboard alone. Pure builders.
import { DeploymentSettings } from "../../config";
import { latencyQuantileMsQuery, pendingRequestsQuery, perReplica, podStepSecondsQuery, queryTargetFor, queueTimeMsQuery, requestRateQuery, scrapedReplicasQuery, scrapedTargetsQuery, tritonCpuUtilisationQuery, hpaBlindQuery } from "../../lib/queries";
import { GrafanaDashboard, GrafanaPanel, GrafanaTarget } from "../../lib/types/grafana";
import { ConfigMap } from "../../lib/types/kubernetes";

/** kube-prometheus-stack's dashboard sidecar picks up ConfigMaps with this label (grafana.sidecar.dashboards.label/labelValue). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The Prometheus datasource kube-prometheus-stack provisions (grafana.sidecar.datasources.uid). */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

/** A dashboard uid: stable per deployment, at most 40 characters (Grafana's limit). */
export function dashboardUid(namespace: string, deployment: string): string {
    return `ss-${namespace}-${deployment}`.slice(0, 40);
}

export function modelDashboard(d: Pick<DeploymentSettings, "name" | "modelName" | "signalTargets">, namespace: string): GrafanaDashboard {
    const t = queryTargetFor(namespace, d.name, d.modelName);
    const targets = d.signalTargets;
    let id = 0;
    const panel = (title: string, unit: string, exprs: Array<[string, string]>, at: { x: number; y: number }, description?: string): GrafanaPanel => ({
        id: ++id,
        type: "timeseries",
        title,
        ...(description ? { description } : {}),
        gridPos: { ...at, w: 12, h: 8 },
        datasource: { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID },
        targets: exprs.map(([expr, legend], i): GrafanaTarget => ({ refId: String.fromCharCode(65 + i), expr, legendFormat: legend })),
        fieldConfig: { defaults: { unit, min: 0 }, overrides: [] },
    });
    return {
        uid: dashboardUid(namespace, d.name),
        title: `${d.name} (${namespace}): serving and autoscaling`,
        description: `Triton model ${d.modelName} behind Seldon deployment ${namespace}/${d.name}, provisioned by scalable-serving.`,
        tags: ["scalable-serving", "seldon", "triton"],
        timezone: "browser",
        schemaVersion: 39,
        refresh: "10s",
        time: { from: "now-30m", to: "now" },
        editable: false,
        panels: [
            panel("Request rate", "reqps", [[requestRateQuery(t), "requests/s"]], { x: 0, y: 0 }),
            panel("Latency (executor)", "ms", [
                [latencyQuantileMsQuery(t, 0.5), "p50"], [latencyQuantileMsQuery(t, 0.95), "p95"], [latencyQuantileMsQuery(t, 0.99), "p99"],
            ], { x: 12, y: 0 }),
            panel("Replicas (Triton pods scraped)", "none", [[scrapedReplicasQuery(t), "replicas"]], { x: 0, y: 8 }),
            panel("Triton queue", "none", [[pendingRequestsQuery(t), "waiting requests"], [queueTimeMsQuery(t), "average queue time (ms)"]], { x: 12, y: 8 },
                "Requests waiting in Triton's queue across the pods, and the average time a request waited over the last minute (summed queue time over summed requests)."),
            panel("Signal: CPU of Triton (autoscaler hpa)", "percent", [
                [tritonCpuUtilisationQuery(t, targets.cpuRequestCores), "CPU % of request"], [`vector(${targets.cpuUtilization})`, "target (hpaCpuUtilization)"],
            ], { x: 0, y: 16 }, "What the HPA scales on with autoscaler hpa: the Triton containers' CPU against their request."),
            panel("Signal: requests per replica (autoscaler keda, kedaSignal requestRate)", "reqps", [
                [perReplica(requestRateQuery(t), t), "requests/s per replica"], [`vector(${targets.requestsPerSecond})`, "target (kedaRequestsPerSecond)"],
            ], { x: 12, y: 16 }, "What KEDA scales on with kedaSignal requestRate: the deployment's request rate divided by its replicas, as the HPA sees it."),
            panel("Signal: waiting requests per replica (autoscaler keda, kedaSignal queue)", "none", [
                [perReplica(pendingRequestsQuery(t), t), "waiting requests per replica"], [`vector(${targets.pendingPerReplica})`, "target (kedaQueueTarget)"],
            ], { x: 0, y: 24 }, "What KEDA scales on with kedaSignal queue: requests waiting in Triton's queue divided by the replicas, as the HPA sees it."),
            panel("Signal health: pods scraped, per endpoint", "none", [
                [scrapedTargetsQuery(t, "executor"), "executor (request rate)"], [scrapedTargetsQuery(t, "triton"), "Triton (queue)"],
                [hpaBlindQuery(t), "HPA cannot read its metric (1)"],
            ], { x: 12, y: 24 }, "How many of the deployment's pods Prometheus scrapes on each endpoint. No data while the pods run means the " +
                "signal is lost: KEDA holds kedaFallbackReplicas (after kedaFallbackFailureThreshold failed reads) instead of scaling down, " +
                "and the ModelMetricsMissing alert fires. The replicas panels then show the fallback, not the autoscaler at work. " +
                "KEDA 2.20 exports no metric of its fallback itself (its ScaledObject's Fallback condition, which --watch shows); the HPA's " +
                "ScalingActive False (kube-state-metrics) reads 1 while it cannot compute a scale: metrics-server down in hpa mode."),
            panel("Scale-up steps: slowest of the model's pods (kube-state-metrics)", "s", [
                [podStepSecondsQuery(t, "created", "scheduled"), "scheduling"],
                [podStepSecondsQuery(t, "scheduled", "started"), "scheduled → Triton started (pod start, image pulls, model download)"],
                [podStepSecondsQuery(t, "started", "ready"), "Triton started → Ready (model load, warm-up, readiness)"],
                [podStepSecondsQuery(t, "created", "ready"), "created → Ready"],
            ], { x: 0, y: 32 }, "Where the start of the deployment's pods went, from kube-state-metrics' pod timestamps (every stack runs it: " +
                "kube-prometheus-stack's default, kept on kind), for the slowest pod that exists now. The load test's --watch breaks each " +
                "new replica down further (the signal, image pulls, the first request served): docs/scale-up-anatomy.md. Triton 25.01 " +
                "exports no model-load metric, so model load and readiness are one step."),
        ],
    };
}

/** The ConfigMap Grafana's sidecar loads the dashboard from. */
export function dashboardConfigMap(d: Pick<DeploymentSettings, "name" | "modelName" | "signalTargets">, namespace: string): ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `${d.name}-dashboard`, namespace, labels: { ...DASHBOARD_LABEL } },
        data: { [`${d.name}.json`]: JSON.stringify(modelDashboard(d, namespace), null, 2) },
    };
}
