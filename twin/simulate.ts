// The autoscaling twin: the whole control loop, second by second, without a cluster.
//
//   load (closed-loop users) → the ready replicas serve it (capacity, queue) → the signals as the
//   cluster measures them (Prometheus scrapes of the executor's counter, Triton's pending gauge and
//   `up`, evaluated with the trigger's own query; or metrics-server's CPU windows) → the HPA every
//   sync period (twin/hpa.ts) → new pods, ready after the measured (or default) start-up time.
//
// Pure and deterministic: the same inputs give the same timeline, to the bit.
import { ControllerFlags, DEFAULT_FLAGS, HpaController, HpaSpec, PodCpu, Reading, SyncResult } from "./hpa";
import { LoadProfile } from "./load";
import { moments } from "./moments";
import { capacityOf, latencyAt, ModelProfile, unloadedMsOf } from "./profile";
import { Labels, Query, Sample, Series } from "./promql";
import { TwinSettings } from "./settings";
import { EXECUTOR_REQUESTS, QueryTarget, SCRAPE_ENDPOINTS, SCRAPE_INTERVAL_S } from "../lib/queries";
import { TRITON_METRICS } from "../lib/triton";

/** How the cluster measures: the PodMonitor's scrape interval, metrics-server's resolution, the HPA controller's flags. */
export interface Measurement {
    /** The PodMonitor's interval (SCRAPE_INTERVAL_S, which components/platform/monitoring.ts sets). */
    scrapeIntervalS: number;
    /** metrics-server's --metric-resolution (chart 3.13 default): 15 s. */
    metricResolutionS: number;
    flags: ControllerFlags;
}

export const CLUSTER_MEASUREMENT: Measurement = { scrapeIntervalS: SCRAPE_INTERVAL_S, metricResolutionS: 15, flags: DEFAULT_FLAGS };

/**
 * Seconds from a pod's creation to Ready when no measured anatomy gives it: a stated guess for kind
 * with the images pre-loaded (docs/autoscaling-twin.md#readiness).
 */
export const DEFAULT_READY_S = 30;

export interface TwinInput {
    settings: TwinSettings;
    load: LoadProfile;
    profile: ModelProfile;
    /** Seconds from a new pod's creation to Ready, and where that number comes from. */
    readiness: { seconds: number; source: string };
    /** Watch after the load for at most this long (default: until back at the start for a minute, at most an hour). */
    cooldownS?: number;
    /** Keep every series Prometheus would have stored (for comparing the twin's queries with Prometheus's own engine). */
    keepSeries?: boolean;
}

/** One second of the simulated run (its end). */
export interface TwinPoint {
    t: number;
    users: number;
    /** Requests served this second. */
    served: number;
    failed: number;
    /** Replicas the Deployment wants, and those Ready, at the second's end. */
    replicas: number;
    ready: number;
    /** Mean wait in Triton's queue this second, ms. */
    queueMs: number;
    /** Mean time a request takes (queue and service), ms; 0 without requests. */
    latencyMs: number;
    /** Requests waiting in the queue, over every replica. */
    pending: number;
    /** The model containers' CPU as a percentage of their request (ready pods). */
    cpuPercent: number;
    /** What the autoscaler saw at its latest sync, and its target. */
    signal?: { value?: number; target: number; unit: string };
}

export interface Prediction {
    mode: TwinSettings["mode"];
    /** When the load first asked for more than the replicas' target (the true load, not a measurement). */
    targetCrossedS?: number;
    /** The most the load asked of a Ready replica, in the signal's terms, and the target (not with `none`). */
    peakDemand?: { value: number; target: number; unit: string };
    /** The HPA's first scale-up. */
    firstScaleUpS?: number;
    /** The first new replica Ready, and how long after the target was crossed. */
    newReplicaReadyS?: number;
    scaleUpS?: number;
    peakReplicas: number;
    startReplicas: number;
    /** Back at the starting replicas after the load: how long after it ended; undefined if not within the cooldown. */
    scaleDownS?: number;
    /** Mean (request-weighted) and highest wait in Triton's queue, ms. */
    meanQueueMs: number;
    maxQueueMs: number;
    requests: number;
    failedRequests: number;
    /** Times the replica count changed direction while the load ran (up then down or down then up). */
    reversals: number;
    /** What the prediction rests on, in words. */
    basis: string[];
}

export interface TwinResult {
    input: { mode: TwinSettings["mode"]; load: string; profile: ModelProfile["source"]; readiness: TwinInput["readiness"] };
    timeline: TwinPoint[];
    /** Every HPA sync that changed the replicas: what the metric asked for (`wanted`), what the limits let through (`to`), and which limit. */
    decisions: Array<{ atS: number; from: number; to: number; wanted?: number; metric?: number; limitedBy?: SyncResult["limitedBy"] }>;
    prediction: Prediction;
    /** With keepSeries: the series Prometheus would hold at the end (scraped every interval, stale once the pod went). */
    series?: Series[];
}

interface Pod {
    name: string;
    ordinal: number;
    createdS: number;
    readyS: number;
    deletedS?: number;
    /** Requests served, cumulative (the executor's counter). */
    served: number;
    /** CPU seconds of the model container, cumulative. */
    cpuSeconds: number;
    /** metrics-server's last two reads of the pod's CPU counter. */
    cpuReads: Array<{ atS: number; cpuSeconds: number }>;
    series?: { upExecutor: Series; upTriton: Series; requests: Series; pending: Series };
}

/** The labels Prometheus stores for the model's pods (as tests/upstream/queries.test.ts writes them, from the PodMonitor and the executor). */
function podSeries(pod: Pod, target: QueryTarget): NonNullable<Pod["series"]> {
    const { namespace, workload, seldonDeployment: deploymentName, model: modelName } = target;
    const base = { namespace, pod: pod.name, deployment: workload, job: `${namespace}/seldon-podmonitor` };
    const series = (labels: Labels): Series => ({ labels, samples: [] });
    return {
        upExecutor: series({ __name__: "up", ...base, endpoint: SCRAPE_ENDPOINTS.executor, container: "seldon-container-engine" }),
        upTriton: series({ __name__: "up", ...base, endpoint: SCRAPE_ENDPOINTS.triton, container: modelName }),
        requests: series({
            __name__: `${EXECUTOR_REQUESTS}_count`, ...base, endpoint: SCRAPE_ENDPOINTS.executor, container: "seldon-container-engine",
            deployment_name: deploymentName, predictor_name: "default", model_name: modelName, method: "post", code: "200", service: "infer",
        }),
        pending: series({ __name__: TRITON_METRICS.pending, ...base, endpoint: SCRAPE_ENDPOINTS.triton, container: modelName, model: modelName, version: "1" }),
    };
}

/**
 * The closed loop's steady state for one second: `users` each pausing `thinkS` between an answer and
 * their next request, spread evenly over `replicas` Ready replicas. With k requests in each replica,
 * users = replicas × k (waiting for an answer) + throughput × thinkS (pausing), throughput =
 * replicas × k / latency(k); the left side grows with k, so bisection finds it.
 */
export function equilibrium(users: number, thinkS: number, replicas: number, profile: ModelProfile): { served: number; latencyS: number } {
    if (users <= 0 || replicas <= 0) {
        return { served: 0, latencyS: 0 };
    }
    const inLoop = (k: number) => replicas * k + (replicas * k * thinkS * 1000) / latencyAt(profile, k);
    let low = 0;
    let high = users / replicas;
    for (let i = 0; i < 60 && high - low > 1e-12 * high; i++) {
        const mid = (low + high) / 2;
        if (inLoop(mid) < users) {
            low = mid;
        } else {
            high = mid;
        }
    }
    const k = (low + high) / 2;
    const latencyS = latencyAt(profile, k) / 1000;
    return { served: (replicas * k) / latencyS, latencyS };
}

/** Runs the twin. */
export function simulate(input: TwinInput): TwinResult {
    const { settings, load, profile } = input;
    const m = CLUSTER_MEASUREMENT;
    const a = settings.autoscaling;
    const start = a.mode === "none" ? a.replicas : a.minReplicas;
    const hpaSpec: HpaSpec | undefined = a.mode === "hpa"
        // Seldon 1.17.1's hpaSpec has no behavior: the controller's flags apply.
        ? { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas }
        : a.mode === "keda"
            ? { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, behavior: { scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds }, scaleUp: { stabilizationWindowSeconds: a.scaleUpStabilizationSeconds } } }
            : undefined;
    const hpa = hpaSpec ? new HpaController(hpaSpec, m.flags) : undefined;
    const query = settings.kedaTrigger ? new Query(settings.kedaTrigger.query) : undefined;
    const allSeries: Series[] = [];
    const pods: Pod[] = [];
    let ordinal = 0;
    const addPod = (t: number, readyS: number) => {
        pods.push({ name: `${settings.target.workload}-5d8f7c9b4-${String(ordinal).padStart(5, "0")}`, ordinal: ordinal++, createdS: t, readyS, served: 0, cpuSeconds: 0, cpuReads: [] });
    };
    // The starting replicas are up and Ready before the load begins; metrics-server has read them, idle, at 0 s.
    for (let i = 0; i < start; i++) {
        addPod(-600, -600 + input.readiness.seconds);
        pods[i].cpuReads = [{ atS: 0, cpuSeconds: 0 }];
    }
    let replicas = start;
    let kedaFailures = 0;
    let lastSignal: TwinPoint["signal"];
    const timeline: TwinPoint[] = [];
    const decisions: TwinResult["decisions"] = [];
    const alive = () => pods.filter(p => p.deletedS === undefined);
    const maxEnd = load.runTimeS + (input.cooldownS ?? 3600);
    let backSince: number | undefined;

    for (let t = 0; t < maxEnd; t++) {
        const now = t + 1;
        // 1. The load this second, served by the Ready pods (closed loop: users wait for answers).
        const users = load.usersAt(t);
        const ready = alive().filter(p => p.readyS <= t);
        const { served, latencyS } = equilibrium(users, load.thinkS, ready.length, profile);
        // The latency beyond an unloaded request's is the wait in Triton's queue; Little's law gives the waiting requests.
        const waitS = served > 0 ? Math.max(0, latencyS - unloadedMsOf(profile) / 1000) : 0;
        const pending = served * waitS;
        const failed = latencyS > load.timeoutS ? served : 0;
        for (const p of ready) {
            const share = served / ready.length;
            p.served += share;
            p.cpuSeconds += (share / capacityOf(profile)) * profile.coresAtCapacity;
        }
        // 2. Prometheus scrapes each pod every interval, at an offset of its own, from when it is Ready: the
        //    executor's counter and Triton's per-model gauge exist only once it serves (a starting pod's
        //    `up` would only feed the queries' `or` fallback, which a serving pod already satisfies).
        for (const p of alive()) {
            if (p.readyS > now) {
                continue;
            }
            const offset = (p.ordinal * 4) % m.scrapeIntervalS;
            if ((now - offset) % m.scrapeIntervalS !== 0) {
                continue;
            }
            if (!p.series) {
                p.series = podSeries(p, settings.target);
                allSeries.push(p.series.upExecutor, p.series.upTriton, p.series.pending);
            }
            const at = now * 1000;
            p.series.upExecutor.samples.push({ t: at, v: 1 });
            p.series.upTriton.samples.push({ t: at, v: 1 });
            p.series.pending.samples.push({ t: at, v: ready.includes(p) ? pending / ready.length : 0 });
            // The executor's counter exists from its first request.
            if (p.served > 0) {
                if (p.series.requests.samples.length === 0) {
                    allSeries.push(p.series.requests);
                }
                p.series.requests.samples.push({ t: at, v: p.served });
            }
        }
        // 3. metrics-server reads every pod's CPU counter at its resolution.
        if (now % m.metricResolutionS === 0) {
            for (const p of alive()) {
                p.cpuReads = [...p.cpuReads.slice(-1), { atS: now, cpuSeconds: p.cpuSeconds }];
            }
        }
        // 4. The HPA's sync.
        if (hpa && now % m.flags.syncPeriodS === 0) {
            const reading = readSignal(now);
            const r = hpa.sync(now, replicas, alive().length, reading);
            if (r.to !== replicas) {
                decisions.push({
                    atS: now, from: replicas, to: r.to,
                    ...(r.proposal.replicas !== undefined ? { wanted: r.proposal.replicas } : {}),
                    ...(r.proposal.metric !== undefined ? { metric: r.proposal.metric } : {}),
                    ...(r.limitedBy ? { limitedBy: r.limitedBy } : {}),
                });
                scale(now, r.to);
            }
        }
        // Each Ready pod's model container burns its share of the capacity's cores, against its request.
        const cpuPercent = ready.length > 0 ? 100 * (served / ready.length / capacityOf(profile)) * profile.coresAtCapacity / settings.cpuRequestCores : 0;
        timeline.push({
            // Replicas and Ready as a watch would see them at the second's end, after the sync.
            t: now, users, served, failed, replicas, ready: alive().filter(p => p.readyS <= now).length, queueMs: waitS * 1000, latencyMs: served > 0 ? latencyS * 1000 : 0, pending, cpuPercent,
            ...(lastSignal ? { signal: lastSignal } : {}),
        });
        // Stop a minute after the load is over and the replicas are back where they started.
        if (now >= load.runTimeS) {
            backSince = replicas === start && alive().every(p => p.readyS <= now) ? backSince ?? now : undefined;
            if (input.cooldownS === undefined && backSince !== undefined && now - backSince >= 60 && now - load.runTimeS >= 60) {
                break;
            }
        }
    }

    function readSignal(now: number): Reading {
        if (a.mode === "keda") {
            const trigger = settings.kedaTrigger!;
            let total = query!.kedaValue(allSeries, now * 1000);
            if (total === undefined) {
                // KEDA's fallback: after failureThreshold failed reads it reports replicas × threshold.
                kedaFailures++;
                if (kedaFailures > a.fallback.failureThreshold) {
                    total = a.fallback.replicas * trigger.threshold;
                }
            } else {
                kedaFailures = 0;
            }
            lastSignal = { ...(total !== undefined ? { value: total / Math.max(1, alive().length) } : {}), target: trigger.threshold, unit: a.signal.kind === "queue" ? "waiting requests per replica" : "requests/s per replica" };
            return { kind: "externalAverageValue", total, targetPerPod: trigger.threshold };
        }
        const target = (a as Extract<typeof a, { mode: "hpa" }>).cpuUtilization;
        const podsCpu: PodCpu[] = alive().map(p => {
            const [before, last] = p.cpuReads;
            const isReady = p.readyS <= now;
            return {
                // A pod is Pending until its model is downloaded and Triton starts: the twin does not split its start-up, so until Ready.
                name: p.name, startS: p.createdS, phase: isReady ? "Running" : "Pending", ready: isReady, readyTransitionS: isReady ? p.readyS : p.createdS, requestCores: settings.cpuRequestCores,
                ...(before && last && before.atS >= p.createdS ? { metric: { cores: (last.cpuSeconds - before.cpuSeconds) / (last.atS - before.atS), timestampS: last.atS, windowS: last.atS - before.atS } } : {}),
            };
        });
        const measured = podsCpu.filter(p => p.metric);
        const value = measured.length > 0 ? 100 * measured.reduce((s, p) => s + p.metric!.cores, 0) / (measured.length * settings.cpuRequestCores) : undefined;
        lastSignal = { ...(value !== undefined ? { value } : {}), target, unit: "% of the CPU request" };
        return { kind: "cpuUtilization", targetPercent: target, pods: podsCpu };
    }

    function scale(now: number, to: number) {
        if (to > replicas) {
            for (let i = replicas; i < to; i++) {
                addPod(now, now + input.readiness.seconds);
            }
        } else {
            // The ReplicaSet removes pods not Ready first, then the most recently Ready.
            const victims = alive().sort((x, y) => Number(x.readyS <= now) - Number(y.readyS <= now) || y.readyS - x.readyS).slice(0, replicas - to);
            for (const p of victims) {
                p.deletedS = now;
                // Prometheus marks the pod's series stale when its target goes.
                if (p.series) {
                    const stale: Sample = { t: now * 1000, v: null };
                    for (const s of [p.series.upExecutor, p.series.upTriton, p.series.pending, p.series.requests]) {
                        if (s.samples.length > 0) {
                            s.samples.push(stale);
                        }
                    }
                }
            }
        }
        replicas = to;
    }

    return {
        input: { mode: settings.mode, load: load.source, profile: profile.source, readiness: input.readiness },
        timeline,
        decisions,
        prediction: predict(settings, load, profile, input.readiness, timeline, start),
        ...(input.keepSeries ? { series: allSeries } : {}),
    };
}

/** The numbers an engineer tuning the autoscaler reads, from the timeline. */
function predict(settings: TwinSettings, load: LoadProfile, profile: ModelProfile, readiness: TwinInput["readiness"], timeline: TwinPoint[], start: number): Prediction {
    const a = settings.autoscaling;
    // What each second asks of each Ready replica, in the signal's own terms, against its target.
    const demand = (p: TwinPoint): number | undefined => a.mode === "keda"
        ? (a.signal.kind === "queue" ? p.pending : p.served) / Math.max(1, p.ready)
        : a.mode === "hpa" ? p.cpuPercent : undefined;
    const target = a.mode === "keda" ? settings.kedaTrigger!.threshold : a.mode === "hpa" ? a.cpuUtilization : undefined;
    const underLoad = timeline.filter(p => p.t <= load.runTimeS);
    const crossed = target === undefined ? undefined : underLoad.find(p => demand(p)! > target);
    const peakDemand = target === undefined ? undefined : Math.max(0, ...underLoad.map(p => demand(p)!));
    const at = moments(timeline.map(p => ({ t: p.t, replicas: p.replicas, readyReplicas: p.ready })), load.runTimeS);
    let reversals = 0;
    let direction = 0;
    for (let i = 1; i < timeline.length && timeline[i].t <= load.runTimeS; i++) {
        const d = Math.sign(timeline[i].replicas - timeline[i - 1].replicas);
        if (d !== 0) {
            if (direction !== 0 && d !== direction) {
                reversals++;
            }
            direction = d;
        }
    }
    const requests = timeline.reduce((s, p) => s + p.served, 0);
    const waited = timeline.reduce((s, p) => s + p.served * p.queueMs, 0);
    const peak = Math.max(...timeline.map(p => p.replicas));
    return {
        mode: settings.mode,
        ...(crossed ? { targetCrossedS: crossed.t } : {}),
        ...(peakDemand !== undefined && target !== undefined ? { peakDemand: { value: peakDemand, target, unit: a.mode === "hpa" ? "% CPU" : a.mode === "keda" && a.signal.kind === "queue" ? "waiting per replica" : "requests/s per replica" } } : {}),
        ...(at.firstScaleUpS !== undefined ? { firstScaleUpS: at.firstScaleUpS } : {}),
        ...(at.newReplicaReadyS !== undefined ? { newReplicaReadyS: at.newReplicaReadyS } : {}),
        ...(crossed && at.newReplicaReadyS !== undefined ? { scaleUpS: at.newReplicaReadyS - crossed.t } : {}),
        peakReplicas: peak,
        startReplicas: start,
        ...(at.backS !== undefined ? { scaleDownS: at.backS - load.runTimeS } : {}),
        meanQueueMs: requests > 0 ? waited / requests : 0,
        maxQueueMs: Math.max(0, ...timeline.map(p => p.queueMs)),
        requests: Math.round(requests),
        failedRequests: Math.round(timeline.reduce((s, p) => s + p.failed, 0)),
        reversals,
        basis: [`load: ${load.source}`, `model: ${profile.source.text}`, `readiness: ${readiness.seconds} s from a pod's creation to Ready (${readiness.source})`],
    };
}
