// Every PromQL query the program writes: KEDA's triggers and the model's dashboard. Each selects one
// deployment exactly, divides sums rather than averaging per-pod ratios, and reads an empty result as
// no load. Evaluated in Prometheus's own engine by tests/upstream/queries.test.ts.
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

/** Requests per second to the whole deployment, over every pod, from the executors' metrics. */
export function requestRateQuery(t: QueryTarget): string {
    return `sum(rate(${EXECUTOR_REQUESTS}_count{${executor(t)}}[1m]))`;
}

/**
 * Requests waiting in Triton's queue across the deployment's pods, right now. A gauge summed over
 * pods: with metricType AverageValue the HPA wants ceil(total / target) replicas, i.e. at most
 * `target` waiting requests per replica.
 */
export function pendingRequestsQuery(t: QueryTarget): string {
    return `sum(${TRITON_METRICS.pending}{${triton(t)}})`;
}

/**
 * Average time a request waited in Triton's queue over the last minute, in milliseconds: total queue
 * time over total successful requests (sums divided; averaging per-pod ratios under-reports,
 * triton-inference-server/server#8979).
 */
export function queueTimeMsQuery(t: QueryTarget): string {
    return `sum(rate(${TRITON_METRICS.queueDurationUs}{${triton(t)}}[1m])) / sum(rate(${TRITON_METRICS.requestSuccess}{${triton(t)}}[1m])) / 1000`;
}

/** Latency quantile `q` of the executor's requests over the last minute, in milliseconds. */
export function latencyQuantileMsQuery(t: QueryTarget, q: number): string {
    return `histogram_quantile(${q}, sum by (le) (rate(${EXECUTOR_REQUESTS}_bucket{${executor(t)}}[1m]))) * 1000`;
}

/** Triton pods being scraped (up) for the deployment: its replicas as Prometheus sees them. */
export function scrapedReplicasQuery(t: QueryTarget): string {
    return `count(up{namespace="${t.namespace}",deployment="${t.workload}",endpoint="http"} == 1)`;
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
    return `${totalQuery} / ${scrapedReplicasQuery(t)}`;
}
