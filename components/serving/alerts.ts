// The model's alerting rules, as data: a PrometheusRule that kube-prometheus-stack's Prometheus loads
// (its ruleSelector matches `release: <release>`; tests/upstream/charts.test.ts checks it on the
// rendered chart). What a model owner is paged for: the metrics lost while the pods run (the
// autoscaler is blind), the autoscaler pinned at its maximum, the signal above target with no
// scale-up, failing requests, and latency or queue time past their objectives. The same in every
// autoscaler mode and signal (the HPA's own view through kube-state-metrics), so swapping them leaves
// the rule alone. Routing is the user's: no receiver is invented here. Pure builders; every rule is
// run by `promtool test rules` in tests/upstream/alerts.test.ts.
import { AlertSettings, DeploymentSettings } from "../../config";
import { CHARTS } from "../../lib/charts";
import { EXECUTOR_REQUESTS, latencyQuantileMsQuery, queryTargetFor, QueryTarget, queueTimeMsQuery, scrapedTargetsQuery } from "../../lib/queries";
import { AlertingRule, PrometheusRule } from "../../lib/types/prometheusOperator";

/** kube-prometheus-stack's Prometheus selects PrometheusRules with this label (prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues). */
export const RULE_SELECTOR_LABEL = { release: CHARTS.monitoring.release } as const;

/** The share of failed requests that pages: 1% over 5 minutes. */
export const FAILING_REQUESTS_RATIO = 0.01;
/** How long the autoscaler may sit at maxReplicas before it is worth a look. */
export const AT_MAX_FOR = "15m";

/**
 * The HPA that scales the deployment, found by its target (kube-state-metrics' info series carries
 * scaletargetref_name), not by name: Seldon names it after the workload, KEDA `keda-hpa-<name>`.
 */
function hpaOf(t: QueryTarget): string {
    return `kube_horizontalpodautoscaler_info{namespace="${t.namespace}",scaletargetref_kind="Deployment",scaletargetref_name="${t.workload}"}`;
}
const BY_HPA = "on(namespace, horizontalpodautoscaler)";

/** Every alert of the model, with what it needs to fire. */
export function modelAlertRules(d: Pick<DeploymentSettings, "name" | "modelName">, a: AlertSettings, namespace: string): AlertingRule[] {
    const t = queryTargetFor(namespace, d.name, d.modelName);
    const who = `${namespace}/${d.name}`;
    const executor = `deployment_name="${t.seldonDeployment}",namespace="${t.namespace}"`;
    const label = { severity: "warning", namespace, seldon_deployment: d.name };
    const podsRunning = `kube_deployment_status_replicas_available{namespace="${t.namespace}",deployment="${t.workload}"} > 0`;
    return [
        {
            // kube-state-metrics says the pods run; Prometheus has no target up for them on an endpoint.
            alert: "ModelMetricsMissing",
            expr: `(${podsRunning} unless on() ${scrapedTargetsQuery(t, "executor")}) or (${podsRunning} unless on() ${scrapedTargetsQuery(t, "triton")})`,
            for: "2m",
            labels: { ...label, severity: "critical" },
            annotations: {
                summary: `${who}: its pods run but Prometheus scrapes no metrics from them`,
                description: "The autoscaler is blind: KEDA holds its fallback replicas (kedaFallbackReplicas), an HPA on CPU is unaffected. " +
                    "Check the PodMonitor seldon-podmonitor and Prometheus's targets (Status → Targets).",
            },
        },
        {
            alert: "ModelAutoscalerAtMax",
            expr: `(kube_horizontalpodautoscaler_status_current_replicas >= ${BY_HPA} kube_horizontalpodautoscaler_spec_max_replicas) and ${BY_HPA} ${hpaOf(t)}`,
            for: AT_MAX_FOR,
            labels: label,
            annotations: {
                summary: `${who} has run at its maximum replicas for ${AT_MAX_FOR}`,
                description: "The load needs more than maxReplicas, or the fallback is holding the maximum because the signal is lost " +
                    "(see ModelMetricsMissing). Raise maxReplicas, or find out why the signal is high.",
            },
        },
        {
            // What the HPA itself sees (its status) against its target (its spec), beyond its 10% tolerance,
            // while it neither is at its maximum nor wants more: the autoscaler is not acting.
            alert: "ModelScalingStuck",
            expr: `(kube_horizontalpodautoscaler_status_target_metric > on(namespace, horizontalpodautoscaler, metric_name, metric_target_type, container) ` +
                `1.1 * kube_horizontalpodautoscaler_spec_target_metric) ` +
                `and ${BY_HPA} (kube_horizontalpodautoscaler_status_desired_replicas <= ${BY_HPA} kube_horizontalpodautoscaler_status_current_replicas) ` +
                `and ${BY_HPA} (kube_horizontalpodautoscaler_status_current_replicas < ${BY_HPA} kube_horizontalpodautoscaler_spec_max_replicas) ` +
                `and ${BY_HPA} ${hpaOf(t)}`,
            for: "10m",
            labels: label,
            annotations: {
                summary: `${who}: the scaling signal is above its target but no replica is added`,
                description: "The HPA reports a metric more than 10% over its target with room to grow and no scale-up for 10 minutes: " +
                    "check its conditions (kubectl describe hpa) and events (ScalingLimited, FailedGetExternalMetric).",
            },
        },
        {
            alert: "ModelRequestsFailing",
            expr: `sum(rate(${EXECUTOR_REQUESTS}_count{${executor},code!~"2.."}[5m])) / sum(rate(${EXECUTOR_REQUESTS}_count{${executor}}[5m])) > ${FAILING_REQUESTS_RATIO}`,
            for: "5m",
            labels: { ...label, severity: "critical" },
            annotations: {
                summary: `${who}: more than ${FAILING_REQUESTS_RATIO * 100}% of requests fail`,
                description: "The executor answers with a non-2xx status: Triton errors, timeouts, or bad requests. See the executor's and Triton's logs.",
            },
        },
        {
            alert: "ModelLatencyHigh",
            expr: `${latencyQuantileMsQuery(t, 0.99, "5m")} > ${a.latencyP99Ms}`,
            for: "10m",
            labels: label,
            annotations: {
                summary: `${who}: p99 latency above ${a.latencyP99Ms} ms (alertLatencyP99Ms) for 10 minutes`,
                description: "Requests wait somewhere: Triton's queue (see ModelQueueTimeHigh), CPU throttling, or too few replicas.",
            },
        },
        {
            alert: "ModelQueueTimeHigh",
            expr: `${queueTimeMsQuery(t, "5m")} > ${a.queueTimeMs}`,
            for: "10m",
            labels: label,
            annotations: {
                summary: `${who}: requests wait more than ${a.queueTimeMs} ms (alertQueueTimeMs) in Triton's queue on average, for 10 minutes`,
                description: "Triton is the bottleneck: more replicas (maxReplicas, a lower kedaQueueTarget) or more CPU per replica.",
            },
        },
    ];
}

/** The PrometheusRule holding them, in the models' namespace, labelled for the chart's ruleSelector. */
export function modelAlertsRule(d: Pick<DeploymentSettings, "name" | "modelName">, a: AlertSettings, namespace: string): PrometheusRule {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: `${d.name}-alerts`, namespace, labels: { ...RULE_SELECTOR_LABEL } },
        spec: { groups: [{ name: `${namespace}-${d.name}`, rules: modelAlertRules(d, a, namespace) }] },
    };
}
