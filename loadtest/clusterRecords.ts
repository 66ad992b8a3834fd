// What the watch keeps of the cluster for the scale-up anatomy: each model pod's timestamps and
// containers, the events about those pods and the HPA, and how far the cluster's clock is from the
// generator's. Plain JSON (ISO strings, no Date objects), so report.json holds it and the anatomy can
// be computed again from a report. Pure.
import type * as k8s from "@kubernetes/client-node";
import { isTritonImage } from "../lib/triton";

/**
 * The storage initializer Seldon 1.17.1 injects is named `<model container>-model-initializer`
 * (operator/controllers/model_initializer_injector.go:132, suffix from line 42).
 */
export const MODEL_INITIALIZER_SUFFIX = "-model-initializer";

/** What a container does in a Seldon model pod, for the steps that read it. */
export type ContainerRole = "model download" | "model server" | "other";

export interface ContainerRecord {
    name: string;
    image: string;
    role: ContainerRole;
    /** state.running.startedAt or state.terminated.startedAt (k8s.io/api v0.33.1 core/v1/types.go:3109, 3127). */
    startedAt?: string;
    /** state.terminated.finishedAt (types.go:3130). */
    finishedAt?: string;
    exitCode?: number;
    /** state.waiting.reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, …). */
    waiting?: string;
    restarts: number;
}

/** The pod conditions the anatomy reads, by type (types.go: PodScheduled 3355, Initialized 3350, ContainersReady 3348, Ready 3353). */
export type ConditionType = "PodScheduled" | "Initialized" | "ContainersReady" | "Ready";

export interface PodRecord {
    name: string;
    uid: string;
    node?: string;
    /** metadata.creationTimestamp: when the ReplicaSet controller created it (cluster clock, whole seconds). */
    createdAt: string;
    /** metadata.deletionTimestamp, once it is being removed. */
    deletedAt?: string;
    /** Condition status and lastTransitionTime (types.go:3429), by type; only the types the anatomy reads. */
    conditions: Partial<Record<ConditionType, { status: string; at?: string }>>;
    initContainers: ContainerRecord[];
    containers: ContainerRecord[];
    /** Load-axis seconds of the first listing that held it, and of the first after it that did not. */
    firstListedS: number;
    goneS?: number;
}

/**
 * One event about a model pod or the HPA, as core/v1 shows it. Two recorders write them at Kubernetes
 * 1.33 (client-go v0.33.1):
 * - kubelet and the HPA controller use tools/record: firstTimestamp and lastTimestamp, count 1
 *   (event.go:484-501); an identical event later keeps firstTimestamp, takes the new lastTimestamp and
 *   count + 1 (events_cache.go:342-343), so a repeated message is one record with two times;
 * - the scheduler uses tools/events (events.k8s.io/v1): eventTime only (event_recorder.go:91-110), its
 *   first and last timestamps empty, repeats counted in `series`.
 */
export interface EventRecord {
    reason: string;
    message: string;
    type: string;
    kind: string;
    name: string;
    uid?: string;
    /** `spec.containers{name}` / `spec.initContainers{name}` for a container's event. */
    fieldPath?: string;
    /** Who wrote it: source.component, else reportingComponent. */
    component?: string;
    first: string;
    last: string;
    count: number;
}

/**
 * The cluster's clock against the generator's: cluster time = generator time + offsetMs, within
 * ± uncertaintyMs. Every timestamp the cluster writes is on its clock; the load's time axis is the
 * generator's.
 */
export interface ClusterClock {
    offsetMs: number;
    uncertaintyMs: number;
    /** How many API answers the estimate rests on; 0: none had a Date header, the offset is taken as 0. */
    observations: number;
}

/** When each new pod served its first request, from the executor's request counter as Prometheus scraped it. */
export interface FirstServed {
    pod: string;
    /** The last scrape that showed no request yet (cluster clock), if there was one. */
    idleAt?: string;
    /** The first scrape that showed a request (cluster clock). */
    servedAt: string;
}

/** What the watch kept of the cluster. */
export interface ClusterRecords {
    pods: PodRecord[];
    events: EventRecord[];
    clock: ClusterClock;
    /** Absent when Prometheus was not asked; an error says why it could not be read. */
    firstServed?: { scrapeIntervalS: number; pods: FirstServed[] } | { error: string };
    /** Listings of pods or events that failed, by what went wrong: the anatomy lacks what they would have shown. */
    readErrors?: Record<string, number>;
}

const iso = (d: Date | string | undefined | null): string | undefined => {
    if (d === undefined || d === null) {
        return undefined;
    }
    const t = d instanceof Date ? d : new Date(d);
    return Number.isNaN(t.getTime()) || t.getTime() <= 0 ? undefined : t.toISOString();
};

function roleOf(name: string, image: string, init: boolean): ContainerRole {
    if (init && name.endsWith(MODEL_INITIALIZER_SUFFIX)) {
        return "model download";
    }
    return isTritonImage(image) ? "model server" : "other";
}

function containerRecords(specs: k8s.V1Container[] | undefined, statuses: k8s.V1ContainerStatus[] | undefined, init: boolean): ContainerRecord[] {
    return (specs ?? []).map(spec => {
        const s = statuses?.find(x => x.name === spec.name);
        const started = s?.state?.running?.startedAt ?? s?.state?.terminated?.startedAt;
        const record: ContainerRecord = {
            name: spec.name,
            image: spec.image ?? s?.image ?? "",
            role: roleOf(spec.name, spec.image ?? s?.image ?? "", init),
            restarts: s?.restartCount ?? 0,
        };
        const startedAt = iso(started);
        const finishedAt = iso(s?.state?.terminated?.finishedAt);
        if (startedAt) {
            record.startedAt = startedAt;
        }
        if (finishedAt) {
            record.finishedAt = finishedAt;
            record.exitCode = s?.state?.terminated?.exitCode;
        }
        if (s?.state?.waiting?.reason) {
            record.waiting = s.state.waiting.reason;
        }
        return record;
    });
}

const CONDITIONS: ConditionType[] = ["PodScheduled", "Initialized", "ContainersReady", "Ready"];

/** A pod as the anatomy keeps it; the listing times are the watch's. */
export function podRecord(pod: k8s.V1Pod, listedS: number): PodRecord {
    const conditions: PodRecord["conditions"] = {};
    for (const c of pod.status?.conditions ?? []) {
        if ((CONDITIONS as string[]).includes(c.type)) {
            const at = iso(c.lastTransitionTime);
            conditions[c.type as ConditionType] = { status: c.status, ...(at ? { at } : {}) };
        }
    }
    const deletedAt = iso(pod.metadata?.deletionTimestamp);
    return {
        name: pod.metadata?.name ?? "",
        uid: pod.metadata?.uid ?? "",
        ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
        createdAt: iso(pod.metadata?.creationTimestamp) ?? new Date(0).toISOString(),
        ...(deletedAt ? { deletedAt } : {}),
        conditions,
        initContainers: containerRecords(pod.spec?.initContainers, pod.status?.initContainerStatuses, true),
        containers: containerRecords(pod.spec?.containers, pod.status?.containerStatuses, false),
        firstListedS: listedS,
    };
}

/**
 * The pods the autoscaler added during the watch: not in its first listing, or created (cluster clock
 * corrected) after the load started; oldest first.
 */
export function addedPods(pods: readonly PodRecord[], clock: ClusterClock, loadStartMs: number): PodRecord[] {
    const firstListing = Math.min(...pods.map(p => p.firstListedS));
    return pods
        .filter(p => p.firstListedS > firstListing || Date.parse(p.createdAt) - clock.offsetMs > loadStartMs)
        .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.name.localeCompare(b.name));
}

/** An event as the anatomy keeps it, whichever recorder wrote it; undefined when it carries no time at all. */
export function eventRecord(e: k8s.CoreV1Event): EventRecord | undefined {
    const first = iso(e.firstTimestamp) ?? iso(e.eventTime) ?? iso(e.metadata?.creationTimestamp);
    const last = iso(e.series?.lastObservedTime) ?? iso(e.lastTimestamp) ?? first;
    if (!first || !last) {
        return undefined;
    }
    return {
        reason: e.reason ?? "",
        message: (e.message ?? "").trim(),
        type: e.type ?? "Normal",
        kind: e.involvedObject?.kind ?? "",
        name: e.involvedObject?.name ?? "",
        ...(e.involvedObject?.uid ? { uid: e.involvedObject.uid } : {}),
        ...(e.involvedObject?.fieldPath ? { fieldPath: e.involvedObject.fieldPath } : {}),
        ...(e.source?.component || e.reportingComponent ? { component: e.source?.component || e.reportingComponent } : {}),
        first,
        last,
        count: e.series?.count ?? e.count ?? 1,
    };
}

/**
 * Narrows the cluster's clock offset from API answers. An answer's Date header (RFC 7231, whole
 * seconds) says the server's clock read D to D+1 s while the generator's read between sending (sent)
 * and receiving (received): offset ∈ [D − received, D + 1000 − sent]. Each answer narrows the
 * interval; the estimate is its middle.
 */
export class ClockEstimate {
    private low = Number.NEGATIVE_INFINITY;
    private high = Number.POSITIVE_INFINITY;
    private count = 0;

    observe(sentMs: number, receivedMs: number, dateHeader: string | undefined): void {
        const d = dateHeader ? Date.parse(dateHeader) : Number.NaN;
        if (Number.isNaN(d)) {
            return;
        }
        const low = d - receivedMs;
        const high = d + 1000 - sentMs;
        // An interval disjoint from what is known (the cluster's clock stepped): start again from this one.
        if (low > this.high || high < this.low) {
            this.low = low;
            this.high = high;
        } else {
            this.low = Math.max(this.low, low);
            this.high = Math.min(this.high, high);
        }
        this.count++;
    }

    clock(): ClusterClock {
        if (this.count === 0) {
            return { offsetMs: 0, uncertaintyMs: 0, observations: 0 };
        }
        return { offsetMs: Math.round((this.low + this.high) / 2), uncertaintyMs: Math.round((this.high - this.low) / 2), observations: this.count };
    }
}
