// What the load generator's parts exchange: its options, what it measures, and the watcher's samples.
import type { ClusterRecords } from "./clusterRecords";
import type { Anatomy } from "./anatomy";

export interface LoadOptions {
    /** Base URL of the ingress, e.g. http://localhost:8080. */
    host: string;
    /** The model's infer path. */
    path: string;
    users: number;
    /** Users started per second. */
    spawnRate: number;
    runTimeMs: number;
    minWaitMs: number;
    maxWaitMs: number;
    /** Hard deadline of one request (connect to last byte); also the grace after the run time. */
    timeoutMs: number;
    /** Folder for report.json and report.html; none when undefined. */
    reportDir?: string;
    /** tty: one line updated in place; lines: a line every 10 s (logs); none: quiet. */
    progress: "tty" | "lines" | "none";
    watch?: WatchOptions;
}

/** Following the model's Deployment and autoscaler through the Kubernetes API (local CLI only). */
export interface WatchOptions {
    context?: string;
    namespace: string;
    deployment: string;
    intervalMs: number;
    /**
     * After the load, keep watching for up to this long, ending as soon as the Deployment is back to
     * the replicas it had at the start (all ready): the scale-down, measured. 0: stop with the load.
     */
    cooldownMs: number;
    /** Where the executor's request counters are read, for each new replica's first request; none: not read. */
    prometheus?: PrometheusService;
}

/** The Prometheus the watch reads: a Service in the cluster, reached through the API server's service proxy. */
export interface PrometheusService {
    namespace: string;
    service: string;
    port: number;
}

/** One sample of the scaling state, on the load's time axis. */
export interface ScalingSample {
    /** Seconds since the load started. */
    t: number;
    replicas: number;
    readyReplicas: number;
    hpa?: { name: string; currentReplicas: number; desiredReplicas: number; metric?: number; target?: number; unit: string };
    /**
     * Why the autoscaler is not acting on its signal right now, when it says so: KEDA's ScaledObject with
     * its Fallback condition True (the signal is lost, the fallback replicas hold), or the HPA's
     * ScalingActive condition False (its metric cannot be read: it keeps its replicas). Absent otherwise.
     */
    signalLost?: string;
}

/** What the watcher saw: its samples, and the samples it failed to take, by error message. */
export interface WatchResult {
    samples: ScalingSample[];
    errors: number;
    /** Failed samples by what went wrong (first line of the error). */
    errorsByMessage: Record<string, number>;
    lastError?: string;
    /** KEDA's trigger when a ScaledObject scales the Deployment (read once, at the start): what it scales on. */
    trigger?: { query: string; threshold: string };
    /** The pods, events and clock of the scale-up anatomy (absent in reports written before it). */
    cluster?: ClusterRecords;
}

export interface Watcher {
    /** The samples taken so far. */
    samples(): readonly ScalingSample[];
    /** Takes a last sample and returns them all; ends within a bounded time, whatever the API server does. */
    stop(): Promise<WatchResult>;
}

/** Checks that the context, namespace and Deployment exist, then starts sampling; rejects with a WatchError otherwise. */
export type StartWatch = (opts: WatchOptions, startedAt: () => number) => Promise<Watcher>;

/** --watch cannot follow what it was asked to (no such context, namespace or Deployment, or no API server). */
export class WatchError extends Error {}



/** How the watch after the load ended. */
export interface Cooldown {
    /** Seconds watched after the load ended. */
    watchedS: number;
    /** back: the Deployment returned to its starting replicas; deadline: --cooldown ran out first; interrupted: a signal. */
    ended: "back" | "deadline" | "interrupted";
}

/** One second of the run. */
export interface TimelinePoint {
    /** Seconds since the start (end of the bucket). */
    t: number;
    /** Set on the last bucket when the run ended inside it: how much of that second it covers (0 to 1). */
    seconds?: number;
    users: number;
    requests: number;
    failures: number;
    p50: number | null;
    p95: number | null;
}

export interface LatencySummary {
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    max: number;
    mean: number;
}

export interface LoadResult {
    options: Omit<LoadOptions, "watch" | "progress">;
    startedAt: string;
    durationS: number;
    requests: number;
    failures: number;
    failuresByCause: Record<string, number>;
    rps: number;
    /** Latency of successful requests, ms. */
    latencyMs: LatencySummary | null;
    timeline: TimelinePoint[];
    scaling?: WatchResult & { namespace: string; deployment: string; cooldown?: Cooldown; anatomy?: Anatomy };
    /** Set when a signal stopped the run before its run time: what was measured until then. */
    interrupted?: "SIGINT" | "SIGTERM";
}
