// Every PromQL query the program writes: KEDA's triggers, the model's dashboard and its alerts. Each
// selects one deployment exactly and divides sums rather than averaging per-pod ratios. The signals
// tell no traffic from no data: 0 only while the deployment's pods are being scraped, no value at all
// when they are not (KEDA then errs and holds its fallback instead of scaling down). Evaluated in
// Prometheus's own engine by tests/upstream/queries.test.ts.
import { seldonWorkloadName } from "./seldon";
import { TRITON_METRICS } from "./triton";

/** Seldon's executor counts every request it serves (a histogram: `_count`, `_bucket`), labelled with deployment_name. */
export const EXECUTOR_REQUESTS = "seldon_api_executor_client_requests_seconds";

/** Which pods: the executors' series carry Seldon's deployment_name; Triton's get the Kubernetes Deployment from the scrape. */
export interface QueryTarget {
    namespace: string;
    /** The SeldonDeployment's name (the executor's `deployment_name`). */
    seldonDeployment: string;
    /** The Kubernetes Deployment Seldon created (the `deployment` label the Triton scrape adds). */
    workload: string;
    /** The model's name in Triton's repository (Triton's `model` label). */
    model: string;
}

/** The series of one SeldonDeployment (`deployment`) serving Triton model `model` in `namespace`. */
export function queryTargetFor(namespace: string, deployment: string, model: string): QueryTarget {
    return { namespace, seldonDeployment: deployment, workload: seldonWorkloadName(deployment, model), model };
}

const executor = (t: QueryTarget) => `deployment_name="${t.seldonDeployment}",namespace="${t.namespace}"`;
const triton = (t: QueryTarget) => `namespace="${t.namespace}",deployment="${t.workload}",model="${t.model}"`;

/** How often Prometheus scrapes the model's pods (the PodMonitor's interval); the signals' resolution. */
export const SCRAPE_INTERVAL_S = 15;

/**
 * The PodMonitor's two endpoints (components/platform/monitoring.ts): prometheus-operator labels each
 * target with its endpoint's port name, and the program adds the Kubernetes Deployment.
 */
export const SCRAPE_ENDPOINTS = { executor: "metrics", triton: "http" } as const;

/** The deployment's pods being scraped on one endpoint right now (one `up` = 1 per pod), or no value when none is. */
export function scrapedTargetsQuery(t: QueryTarget, endpoint: keyof typeof SCRAPE_ENDPOINTS): string {
    return `count(up{namespace="${t.namespace}",deployment="${t.workload}",endpoint="${SCRAPE_ENDPOINTS[endpoint]}"} == 1)`;
}

/**
 * A signal that is 0, not absent, while the deployment's pods are scraped but the signal's own series
 * do not exist yet (a counter appears with its first request): `signal or on() (0 * scraped)`. With
 * no pod scraped both sides are empty, and so is the result.
 */
function zeroWhileScraped(signal: string, t: QueryTarget, endpoint: keyof typeof SCRAPE_ENDPOINTS): string {
    return `${signal} or on() (0 * ${scrapedTargetsQuery(t, endpoint)})`;
}

/** Requests per second to the whole deployment, over every pod, from the executors' metrics; no value when they are not scraped. */
export function requestRateQuery(t: QueryTarget): string {
    return zeroWhileScraped(`sum(rate(${EXECUTOR_REQUESTS}_count{${executor(t)}}[1m]))`, t, "executor");
}

/**
 * Requests waiting in Triton's queue across the deployment's pods, right now. A gauge summed over
 * pods: with metricType AverageValue the HPA wants ceil(total / target) replicas, i.e. at most
 * `target` waiting requests per replica.
 */
export function pendingRequestsQuery(t: QueryTarget): string {
    return zeroWhileScraped(`sum(${TRITON_METRICS.pending}{${triton(t)}})`, t, "triton");
}

/**
 * What a KEDA trigger scales on: the query of its signal and the threshold per replica (metricType
 * AverageValue: the HPA wants ceil(total / threshold) replicas). The ScaledObject and the autoscaling
 * twin both take it from here, so the twin evaluates the very query the cluster runs.
 */
export function kedaSignalQuery(t: QueryTarget, signal: { kind: "requestRate"; requestsPerSecond: number } | { kind: "queue"; pendingPerReplica: number }): { query: string; threshold: number } {
    return signal.kind === "queue"
        ? { query: pendingRequestsQuery(t), threshold: signal.pendingPerReplica }
        : { query: requestRateQuery(t), threshold: signal.requestsPerSecond };
}

/**
 * Average time a request waited in Triton's queue over the last minute, in milliseconds: total queue
 * time over total successful requests (sums divided; averaging per-pod ratios under-reports,
 * triton-inference-server/server#8979).
 */
export function queueTimeMsQuery(t: QueryTarget, window = "1m"): string {
    return `sum(rate(${TRITON_METRICS.queueDurationUs}{${triton(t)}}[${window}])) / sum(rate(${TRITON_METRICS.requestSuccess}{${triton(t)}}[${window}])) / 1000`;
}

/** Latency quantile `q` of the executor's requests over the last minute, in milliseconds. */
export function latencyQuantileMsQuery(t: QueryTarget, q: number, window = "1m"): string {
    return `histogram_quantile(${q}, sum by (le) (rate(${EXECUTOR_REQUESTS}_bucket{${executor(t)}}[${window}]))) * 1000`;
}

/**
 * 1 while the HPA that scales the deployment (found by its scale target, kube-state-metrics' info
 * series) says it cannot compute a scale from its metric (condition ScalingActive False: metrics-server
 * down in hpa mode, or KEDA's reads failing before its fallback holds), else 0; no value without
 * kube-state-metrics or an HPA.
 */
export function hpaBlindQuery(t: QueryTarget): string {
    return `max(kube_horizontalpodautoscaler_status_condition{namespace="${t.namespace}",condition="ScalingActive",status="false"} ` +
        `* on(namespace, horizontalpodautoscaler) group_left() kube_horizontalpodautoscaler_info{namespace="${t.namespace}",scaletargetref_kind="Deployment",scaletargetref_name="${t.workload}"})`;
}

/** Triton pods being scraped (up) for the deployment: its replicas as Prometheus sees them. */
export function scrapedReplicasQuery(t: QueryTarget): string {
    return scrapedTargetsQuery(t, "triton");
}

/**
 * CPU of the deployment's Triton containers as a percentage of what they request, the hpa mode's
 * signal (cAdvisor's counter, scraped by kube-prometheus-stack's kubelet ServiceMonitor): summed usage
 * over summed requests. `requestCores` is the Triton container's CPU request.
 */
export function tritonCpuUtilisationQuery(t: QueryTarget, requestCores: number): string {
    const containers = `container_cpu_usage_seconds_total{namespace="${t.namespace}",container="${t.model}",pod=~"${t.workload}-[a-z0-9]+-[a-z0-9]+"}`;
    return `100 * sum(rate(${containers}[1m])) / (${requestCores} * count(count by (pod) (${containers})))`;
}

/** A total divided by the replicas Prometheus scrapes: what each replica carries (the KEDA signals under AverageValue). */
export function perReplica(totalQuery: string, t: QueryTarget): string {
    return `(${totalQuery}) / ${scrapedReplicasQuery(t)}`;
}

/** The pod timestamps kube-state-metrics exports (v2.20.0 internal/store/pod.go, all on by default), as the scale-up steps read them. */
export const POD_TIMES = {
    created: "kube_pod_created",
    scheduled: "kube_pod_status_scheduled_time",
    /** With a `container` label: the container's last start. */
    started: "kube_pod_container_state_started",
    /** Only while Ready is True. */
    ready: "kube_pod_status_ready_time",
} as const;

/**
 * The deployment's pods, found by what owns them (kube-state-metrics' kube_pod_owner → ReplicaSet →
 * kube_replicaset_owner → Deployment), not by a name prefix that another Deployment may share: 1 per pod.
 */
export function ownedPodsQuery(t: QueryTarget): string {
    const replicaSets = `max by (namespace, owner_name) (label_replace(kube_replicaset_owner{namespace="${t.namespace}",owner_kind="Deployment",owner_name="${t.workload}"}, "owner_name", "$1", "replicaset", "(.+)"))`;
    return `max by (namespace, pod) (kube_pod_owner{namespace="${t.namespace}",owner_kind="ReplicaSet"} * on (namespace, owner_name) group_left () ${replicaSets})`;
}

/**
 * Seconds between two moments of a pod's start, for the slowest of the deployment's pods right now:
 * created → scheduled (scheduling), scheduled → Triton started (pod start, image pulls, model
 * download), Triton started → Ready (model load, warm-up, readiness probe), created → Ready (all).
 */
export function podStepSecondsQuery(t: QueryTarget, from: keyof typeof POD_TIMES, to: keyof typeof POD_TIMES): string {
    const time = (k: keyof typeof POD_TIMES) =>
        `max by (namespace, pod) (${POD_TIMES[k]}{namespace="${t.namespace}"${k === "started" ? `,container="${t.model}"` : ""}})`;
    return `max((${time(to)} - ${time(from)}) * on (namespace, pod) group_left () ${ownedPodsQuery(t)})`;
}
