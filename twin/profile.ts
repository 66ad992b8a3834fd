// What one replica of the model can serve: its curve of throughput and latency against the requests
// in it at once, and the CPU it burns. From a load test's report when one exists, else an estimate
// from the model's measured compute, said as such wherever it is shown.
import type { LoadResult } from "../loadtest/types";
import { sampleAt } from "./moments";

/** One replica with `concurrency` requests in it at once (queued or in service): what it serves, how long each takes. */
export interface ProfilePoint {
    concurrency: number;
    perSecond: number;
    latencyMs: number;
}

export interface ModelProfile {
    /**
     * Ascending in concurrency, with latency and throughput never falling. Below the first point a
     * request takes the first point's latency; between points the latency is interpolated; beyond the
     * last the replica is saturated: it serves the last throughput, and a request takes concurrency /
     * throughput (Little's law), its wait in Triton's queue growing with the concurrency.
     */
    curve: ProfilePoint[];
    /** Cores the model's container burns at the curve's highest throughput. */
    coresAtCapacity: number;
    /** Where the numbers come from, in words; `estimate` until a cluster's report replaces them. */
    source: { kind: "estimate" | "report"; text: string };
}

/** The most one replica serves. */
export const capacityOf = (p: ModelProfile) => p.curve[p.curve.length - 1].perSecond;

/** Latency with nothing queued, ms. */
export const unloadedMsOf = (p: ModelProfile) => p.curve[0].latencyMs;

/** A replica's latency (ms) with `concurrency` requests in it. */
export function latencyAt(p: ModelProfile, concurrency: number): number {
    const c = p.curve;
    if (concurrency <= c[0].concurrency) {
        return c[0].latencyMs;
    }
    for (let i = 1; i < c.length; i++) {
        if (concurrency <= c[i].concurrency) {
            const f = (concurrency - c[i - 1].concurrency) / (c[i].concurrency - c[i - 1].concurrency);
            return c[i - 1].latencyMs + f * (c[i].latencyMs - c[i - 1].latencyMs);
        }
    }
    return Math.max(c[c.length - 1].latencyMs, (1000 * concurrency) / capacityOf(p));
}

/** The simplest curve: a replica that serves `capacity` requests/s, each taking `serviceMs` until it is saturated. */
export function profileOf(capacity: number, serviceMs: number, coresAtCapacity: number, source: ModelProfile["source"]): ModelProfile {
    return { curve: [{ concurrency: (capacity * serviceMs) / 1000, perSecond: capacity, latencyMs: serviceMs }], coresAtCapacity, source };
}

/**
 * The default until a cluster report exists: the tutorial CNN's own compute, measured on one CPU thread
 * with PyTorch 1.13 (docs/autoscaling-twin.md#model-profile): about 5,200 images/s at batch 1 (one
 * request at a time, 0.19 ms each) and 8,600 at batch 4, where the batching gain is complete (four at
 * a time, 0.47 ms). Each request carries one image, and Triton's dynamic batching serves concurrent
 * requests together, so one replica serves up to 8,600 requests/s on one core. Seldon's executor, the
 * Istio sidecar and HTTP are not in it: a real replica serves less, so the estimate is an upper bound
 * of capacity and a lower bound of the CPU each request costs.
 */
export const ESTIMATED_PROFILE: ModelProfile = {
    curve: [
        { concurrency: 1, perSecond: 5200, latencyMs: 1000 / 5200 },
        { concurrency: 4, perSecond: 8600, latencyMs: 4000 / 8600 },
    ],
    coresAtCapacity: 1,
    source: {
        kind: "estimate",
        text: "estimate: the model's compute alone, 5,200 images/s at batch 1 and 8,600 at batch 4 on one CPU thread " +
            "(PyTorch 1.13, docs/autoscaling-twin.md#model-profile); without the executor, Istio and HTTP costs, so capacity is an upper bound",
    },
};

/**
 * A profile measured by a load test watched with --watch. Each second with successful requests gives
 * a point per Ready replica: its throughput, its median latency, and so (Little's law) its
 * concurrency. Points within 25% of each other's concurrency are merged (their medians); the curve
 * runs up to the highest throughput (beyond it the replica was saturated), keeping only points whose
 * throughput and latency do not fall. Saturated when the latency had at least doubled by then; else
 * the capacity is only the most it served (said). The CPU per request is not in a report: each
 * request costs the model's container what the estimate says.
 */
export function profileFromReport(report: Pick<LoadResult, "timeline" | "scaling">, fallback: ModelProfile = ESTIMATED_PROFILE): ModelProfile {
    const samples = report.scaling?.samples ?? [];
    if (samples.length === 0) {
        throw new Error("the report has no --watch samples: the replicas serving each second are unknown, so no per-replica profile can be measured");
    }
    // A second before the first sample is served by the first sample's replicas.
    const readyAt = (t: number) => Math.max(1, (sampleAt(samples, t) ?? samples[0]).readyReplicas);
    const points = report.timeline
        .filter(p => p.requests > 0 && p.p50 !== null && p.p50 > 0 && (p.seconds ?? 1) === 1)
        .map(p => {
            const perSecond = p.requests / readyAt(p.t);
            return { concurrency: (perSecond * (p.p50 as number)) / 1000, perSecond, latencyMs: p.p50 as number };
        })
        .sort((a, b) => a.concurrency - b.concurrency);
    if (points.length === 0) {
        throw new Error("the report's timeline has no second with a successful request");
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const merged: ProfilePoint[] = [];
    for (let i = 0; i < points.length;) {
        let j = i;
        while (j < points.length && points[j].concurrency <= points[i].concurrency * 1.25) {
            j++;
        }
        const group = points.slice(i, j);
        merged.push({ concurrency: median(group.map(p => p.concurrency)), perSecond: median(group.map(p => p.perSecond)), latencyMs: median(group.map(p => p.latencyMs)) });
        i = j;
    }
    const peak = merged.reduce((best, p, i) => (p.perSecond > merged[best].perSecond ? i : best), 0);
    const curve: ProfilePoint[] = [];
    for (const p of merged.slice(0, peak + 1)) {
        const last = curve[curve.length - 1];
        if (!last || (p.perSecond >= last.perSecond && p.latencyMs >= last.latencyMs)) {
            curve.push(p);
        }
    }
    const capacity = curve[curve.length - 1].perSecond;
    const saturated = curve[curve.length - 1].latencyMs >= 2 * curve[0].latencyMs;
    return {
        curve,
        coresAtCapacity: (fallback.coresAtCapacity * capacity) / capacityOf(fallback),
        source: {
            kind: "report",
            text: `measured: ${curve.length} point(s) per replica up to ${capacity.toFixed(0)} requests/s ${saturated ? "at saturation" : "at most (it never saturated: a lower bound)"}, ` +
                `${curve[0].latencyMs.toFixed(1)} ms unqueued median latency`,
        },
    };
}
