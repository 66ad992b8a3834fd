// When each new replica served its first request: the executor's request counter per pod, read from
// Prometheus through the API server's service proxy (no port-forward; the kubeconfig's credentials,
// no redirect followed, a deadline). Prometheus keeps the samples at its scrape times, so the answer
// is "between the last scrape without a request and the first with one": the scrape interval's
// resolution, which the report says.
import * as k8s from "@kubernetes/client-node";
import { noRedirectHttpLibrary } from "../lib/kubernetesApi";
import { EXECUTOR_REQUESTS } from "../lib/queries";
import { FirstServed } from "./clusterRecords";
import { PrometheusService } from "./types";

/** The query: every raw sample of the executors' request counters of the Deployment's pods over `rangeS`. */
export function firstServedQuery(namespace: string, deployment: string, rangeS: number): string {
    // `deployment` is the Kubernetes Deployment, set on every target by the PodMonitor's relabelling.
    return `${EXECUTOR_REQUESTS}_count{namespace=${JSON.stringify(namespace)},deployment=${JSON.stringify(deployment)}}[${Math.max(1, Math.ceil(rangeS))}s]`;
}

interface MatrixAnswer {
    status: string;
    error?: string;
    /** An API server's own refusal (a Status object) says it here. */
    message?: string;
    data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/**
 * For each pod, the first scrape whose summed counters exceeded zero, and the scrape before it. A pod
 * whose first scrape already counted requests has no idle scrape: the first request came before it.
 */
export function firstServedFrom(answer: MatrixAnswer, pods: readonly string[]): { scrapeIntervalS: number; pods: FirstServed[] } {
    const byPod = new Map<string, Map<number, number>>();
    for (const series of answer.data?.result ?? []) {
        const pod = series.metric.pod;
        if (!pod || !pods.includes(pod)) {
            continue;
        }
        const totals = byPod.get(pod) ?? new Map<number, number>();
        for (const [t, v] of series.values) {
            totals.set(t, (totals.get(t) ?? 0) + Number(v));
        }
        byPod.set(pod, totals);
    }
    const intervals: number[] = [];
    const out: FirstServed[] = [];
    for (const [pod, totals] of byPod) {
        const times = [...totals.keys()].sort((a, b) => a - b);
        times.slice(1).forEach((t, i) => intervals.push(t - times[i]));
        const first = times.findIndex(t => totals.get(t)! > 0);
        if (first >= 0) {
            const iso = (t: number) => new Date(t * 1000).toISOString();
            out.push({ pod, ...(first > 0 ? { idleAt: iso(times[first - 1]) } : {}), servedAt: iso(times[first]) });
        }
    }
    intervals.sort((a, b) => a - b);
    const scrapeIntervalS = intervals.length ? Math.round(intervals[Math.floor(intervals.length / 2)] * 10) / 10 : 0;
    return { scrapeIntervalS, pods: out.sort((a, b) => a.pod.localeCompare(b.pod)) };
}

/** Asks Prometheus (an instant query at `atMs`, cluster clock) and returns what it says, or why it could not. */
export async function readFirstServed(kc: k8s.KubeConfig, prometheus: PrometheusService, target: { namespace: string; deployment: string },
    pods: readonly string[], rangeS: number, atMs: number, timeoutMs: number): Promise<{ scrapeIntervalS: number; pods: FirstServed[] } | { error: string }> {
    const server = kc.getCurrentCluster()?.server;
    if (!server) {
        return { error: "the kubeconfig names no API server" };
    }
    const where = `Prometheus ${prometheus.namespace}/${prometheus.service}:${prometheus.port} through the API server's service proxy`;
    const url = `${server.replace(/\/+$/, "")}/api/v1/namespaces/${prometheus.namespace}/services/${prometheus.service}:${prometheus.port}/proxy/api/v1/query` +
        `?query=${encodeURIComponent(firstServedQuery(target.namespace, target.deployment, rangeS))}&time=${(atMs / 1000).toFixed(3)}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
        const request = new k8s.RequestContext(url, k8s.HttpMethod.GET);
        await kc.applySecurityAuthentication(request);
        request.setSignal(abort.signal);
        const response = await noRedirectHttpLibrary.send(request).toPromise();
        const body = JSON.parse(await response.body.text()) as MatrixAnswer;
        if (response.httpStatusCode !== 200 || body.status !== "success") {
            return { error: `${where} answered HTTP ${response.httpStatusCode}: ${(body.error ?? body.message ?? "").slice(0, 200)}` };
        }
        return firstServedFrom(body, pods);
    } catch (e) {
        return { error: `${where}: ${abort.signal.aborted ? `no answer within ${timeoutMs} ms` : (e as Error).message.split("\n")[0]}` };
    } finally {
        clearTimeout(timer);
    }
}
