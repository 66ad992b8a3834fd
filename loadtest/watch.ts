// Follows the model's Deployment and the HPA that scales it (Seldon's, or the one KEDA creates for
// its ScaledObject) through the Kubernetes API while the load runs: replicas and the autoscaler's
// current metric, on the load's time axis; and, for the scale-up anatomy, the Deployment's pods (found
// by its selector), the events about them and the HPA, the cluster's clock, and at the end when each
// new pod served its first request (Prometheus, through the API server).
import * as k8s from "@kubernetes/client-node";
import { kubeConfigFor, statusOf, withDeadline } from "../lib/kubernetesApi";
import { parseQuantity as parseKubernetesQuantity } from "../lib/quantity";
import { addedPods, ClockEstimate, ClusterRecords, EventRecord, eventRecord, PodRecord, podRecord } from "./clusterRecords";
import { readFirstServed } from "./firstServed";
import { ScalingSample, Watcher, WatchError, WatchOptions, WatchResult } from "./types";

/** Deadline of one API call: a slow or hanging API server costs at most this per sample. */
export const API_TIMEOUT_MS = 5000;

/**
 * Checks that the context, the namespace and the Deployment exist (rejecting with a WatchError that
 * says which does not), then samples every `opts.intervalMs`. `stop()` takes a last sample and
 * returns them all, within about two API deadlines whatever the API server does.
 */
export async function startWatch(opts: WatchOptions, startedAt: () => number, kubeConfig?: k8s.KubeConfig,
    apiTimeoutMs = API_TIMEOUT_MS): Promise<Watcher> {
    const kc = kubeConfig ?? defaultKubeConfig(opts.context);
    const context = kc.getCurrentContext();
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
    // Every answer's Date header narrows how far the cluster's clock is from this machine's.
    const clock = new ClockEstimate();
    const call = <T>(what: (options: k8s.ConfigurationOptions) => Promise<T>) =>
        withDeadline(what, apiTimeoutMs, (sent, received, headers) => clock.observe(sent, received, headers.date));

    // Before any load: is the target there? A wrong one would only show up as failed samples.
    const where = `in context ${JSON.stringify(context)} (${kc.getCurrentCluster()?.server ?? "no server"})`;
    try {
        await call(options => core.readNamespace({ name: opts.namespace }, options));
    } catch (e) {
        throw new WatchError(statusOf(e) === 404
            ? `namespace ${JSON.stringify(opts.namespace)} does not exist ${where}`
            : `cannot read namespace ${JSON.stringify(opts.namespace)} ${where}: ${firstLine(e)}`);
    }
    let selector: string | undefined;
    try {
        const deployment = await call(options => apps.readNamespacedDeployment({ name: opts.deployment, namespace: opts.namespace }, options));
        // Its pods are the ones its selector matches, whatever they are named.
        const labels = deployment.spec?.selector?.matchLabels ?? {};
        selector = Object.keys(labels).length ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",") : undefined;
    } catch (e) {
        if (statusOf(e) !== 404) {
            throw new WatchError(`cannot read Deployment ${opts.namespace}/${opts.deployment} ${where}: ${firstLine(e)}`);
        }
        const names = await call(options => apps.listNamespacedDeployment({ namespace: opts.namespace }, options))
            .then(list => list.items.map(d => d.metadata?.name ?? "").filter(Boolean), () => []);
        throw new WatchError(`Deployment ${JSON.stringify(opts.deployment)} does not exist in namespace ${opts.namespace} ${where}` +
            `; Deployments there: ${names.join(", ") || "none"}`);
    }

    // KEDA's ScaledObject (Seldon names it after the Deployment), if any: its query says what it scales on.
    const customObjects = kc.makeApiClient(k8s.CustomObjectsApi);
    const trigger = await call(options => customObjects.getNamespacedCustomObject({
        group: "keda.sh", version: "v1alpha1", namespace: opts.namespace, plural: "scaledobjects", name: opts.deployment,
    }, options)).then(kedaTrigger, () => undefined);

    const samples: ScalingSample[] = [];
    const errorsByMessage: Record<string, number> = {};
    let errors = 0;
    let lastError: string | undefined;
    const pods = new Map<string, PodRecord>();
    const events = new Map<string, EventRecord>();
    const readErrors: Record<string, number> = {};
    const readFailed = (what: string) => (e: unknown) => {
        const key = `${what}: ${firstLine(e)}`;
        readErrors[key] = (readErrors[key] ?? 0) + 1;
        return undefined;
    };
    const loadTime = () => Math.round((Date.now() - startedAt()) / 100) / 10;

    // The pods and the events of the scale-up anatomy; a failed read costs the anatomy that listing only.
    const observeCluster = async () => {
        const [podList, eventList] = await Promise.all([
            selector ? call(options => core.listNamespacedPod({ namespace: opts.namespace, labelSelector: selector }, options)).catch(readFailed("pods")) : undefined,
            call(options => core.listNamespacedEvent({ namespace: opts.namespace }, options)).catch(readFailed("events")),
        ]);
        const t = loadTime();
        if (podList) {
            const listed = new Set<string>();
            for (const pod of podList.items) {
                const record = podRecord(pod, t);
                const known = pods.get(record.uid);
                pods.set(record.uid, known ? { ...record, firstListedS: known.firstListedS } : record);
                listed.add(record.uid);
            }
            for (const [uid, record] of pods) {
                if (!listed.has(uid) && record.goneS === undefined) {
                    record.goneS = t;
                }
            }
        }
        const podNames = new Set([...pods.values()].map(p => p.name));
        for (const e of eventList?.items ?? []) {
            const record = eventRecord(e);
            const about = e.involvedObject;
            const ours = about?.kind === "Pod" ? podNames.has(about.name ?? "") : about?.kind === "HorizontalPodAutoscaler";
            if (record && ours) {
                events.set(e.metadata?.uid ?? `${record.kind}/${record.name}/${record.reason}/${record.first}`, record);
            }
        }
    };

    const sample = async () => {
        try {
            const [deployment, hpas, scaledObject] = await Promise.all([
                call(options => apps.readNamespacedDeployment({ name: opts.deployment, namespace: opts.namespace }, options)),
                call(options => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: opts.namespace }, options)),
                // Only when one scaled the Deployment at the start; a failed read costs this sample nothing.
                trigger ? call(options => customObjects.getNamespacedCustomObject({
                    group: "keda.sh", version: "v1alpha1", namespace: opts.namespace, plural: "scaledobjects", name: opts.deployment,
                }, options)).catch(() => undefined) : Promise.resolve(undefined),
                observeCluster(),
            ]);
            const t = loadTime();
            const hpa = hpas.items.find(h => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec.scaleTargetRef.name === opts.deployment);
            const lost = signalLost(scaledObject, hpa);
            samples.push({
                t,
                replicas: deployment.status?.replicas ?? 0,
                readyReplicas: deployment.status?.readyReplicas ?? 0,
                ...(hpa ? { hpa: hpaState(hpa) } : {}),
                ...(lost ? { signalLost: lost } : {}),
            });
        } catch (e) {
            errors++;
            lastError = firstLine(e);
            errorsByMessage[lastError] = (errorsByMessage[lastError] ?? 0) + 1;
        }
    };

    // Samples never overlap, and never queue: a tick that finds one still running is skipped, so a slow
    // or hanging API server costs samples, never a growing backlog that stop() would have to wait for.
    let busy = true;
    const once = () => sample().finally(() => { busy = false; });
    let running = once();
    const timer = setInterval(() => {
        if (!busy) {
            busy = true;
            running = once();
        }
    }, opts.intervalMs);
    return {
        samples: () => samples,
        async stop(): Promise<WatchResult> {
            clearInterval(timer);
            // Every call has a deadline, so this ends; the last sample shows the state at the end of the load.
            running = running.then(sample);
            await running;
            const cluster: ClusterRecords = { pods: [...pods.values()], events: [...events.values()], clock: clock.clock() };
            if (Object.keys(readErrors).length) {
                cluster.readErrors = readErrors;
            }
            // The new pods' first requests, once, at the end: Prometheus has scraped them by now (or not).
            const added = addedPods(cluster.pods, cluster.clock, startedAt());
            if (opts.prometheus && added.length) {
                const nowCluster = Date.now() + cluster.clock.offsetMs;
                const rangeS = (nowCluster - (startedAt() + cluster.clock.offsetMs)) / 1000 + 60;
                cluster.firstServed = await readFirstServed(kc, opts.prometheus, opts, added.map(p => p.name), rangeS, nowCluster, apiTimeoutMs);
            }
            return { samples, errors, errorsByMessage, ...(lastError ? { lastError } : {}), ...(trigger ? { trigger } : {}), cluster };
        },
    };
}

function firstLine(e: unknown): string {
    const status = statusOf(e);
    const message = (e as Error).message?.split("\n")[0] ?? String(e);
    return status !== undefined && !message.includes(String(status)) ? `HTTP ${status}: ${message}` : message;
}

/** The kubeconfig on --context (or the current context); a WatchError when there is none to use. */
function defaultKubeConfig(context?: string): k8s.KubeConfig {
    try {
        return kubeConfigFor(context);
    } catch (e) {
        throw new WatchError((e as Error).message.replace(/: name one$/, ": pass --context"));
    }
}

/**
 * The HPA's replicas and its first metric: CPU utilisation in % for hpa mode (ContainerResource or
 * Resource), the external metric's value for KEDA (requests per second, as the HPA sees it).
 */
export function hpaState(hpa: k8s.V2HorizontalPodAutoscaler): NonNullable<ScalingSample["hpa"]> {
    const current = hpa.status?.currentMetrics?.[0];
    const spec = hpa.spec?.metrics?.[0];
    let metric: number | undefined;
    let target: number | undefined;
    let unit = "";
    if (current?.containerResource || current?.resource) {
        metric = (current.containerResource ?? current.resource)!.current.averageUtilization;
        target = (spec?.containerResource ?? spec?.resource)?.target.averageUtilization;
        unit = "% CPU of request";
    } else if (current?.external) {
        metric = parseQuantity(current.external.current.averageValue ?? current.external.current.value);
        target = parseQuantity(spec?.external?.target.averageValue ?? spec?.external?.target.value);
        // KEDA's trigger has metricType AverageValue: the HPA divides the query's total by the current
        // replicas, so this is per replica, not the deployment's total (FACTS §11).
        const averaged = (spec?.external?.target.type ?? "AverageValue") === "AverageValue";
        unit = averaged ? `${current.external.metric.name}: the query's total ÷ replicas (AverageValue)` : `${current.external.metric.name} (total)`;
    }
    return {
        name: hpa.metadata?.name ?? "",
        currentReplicas: hpa.status?.currentReplicas ?? 0,
        desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        ...(metric !== undefined ? { metric } : {}),
        ...(target !== undefined ? { target } : {}),
        unit,
    };
}

/**
 * Why the autoscaler is not acting on its signal, from what it says of itself: KEDA's ScaledObject
 * condition `Fallback` True (KEDA 2.20 apis/keda/v1alpha1/condition_types.go, set by
 * pkg/fallback/fallback.go once more than failureThreshold reads failed), else the HPA's condition
 * `ScalingActive` False (the HPA controller sets it when it cannot compute a scale from its metrics:
 * FailedGetExternalMetric, FailedGetResourceMetric, …). Undefined when neither says so.
 */
export function signalLost(scaledObject: unknown, hpa: k8s.V2HorizontalPodAutoscaler | undefined): string | undefined {
    const conditions = (scaledObject as { status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> } } | undefined)
        ?.status?.conditions ?? [];
    const fallback = conditions.find(c => c.type === "Fallback" && c.status === "True");
    if (fallback) {
        return `KEDA fallback (${fallback.reason ?? "FallbackExists"}): the signal is lost, the fallback replicas hold`;
    }
    const active = hpa?.status?.conditions?.find(c => c.type === "ScalingActive");
    if (active?.status === "False") {
        return `HPA ${active.reason ?? "not scaling"}: ${(active.message ?? "its metric cannot be read").split("\n")[0].slice(0, 200)}`;
    }
    return undefined;
}

/** A Kubernetes quantity as a number, to three decimals: `20500m` → 20.5, `3` → 3, `1k` → 1000. */
export function parseQuantity(q: string | undefined): number | undefined {
    const value = parseKubernetesQuantity(q);
    return value === undefined ? undefined : Math.round(value * 1000) / 1000;
}

/** The first Prometheus trigger of a ScaledObject: its query and threshold. */
export function kedaTrigger(scaledObject: unknown): { query: string; threshold: string } | undefined {
    const triggers = (scaledObject as { spec?: { triggers?: Array<{ type?: string; metadata?: Record<string, string> }> } })?.spec?.triggers ?? [];
    const t = triggers.find(x => x.type === "prometheus");
    return t?.metadata?.query ? { query: t.metadata.query, threshold: t.metadata.threshold ?? "" } : undefined;
}
