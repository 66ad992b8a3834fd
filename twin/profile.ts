// What one replica of the model can serve: its capacity and its latency without a queue, and the CPU
// it burns doing so. From a load test's report when one exists, else an estimate from the model's
// measured compute, said as such wherever it is shown.
import type { LoadResult } from "../loadtest/types";

export interface ModelProfile {
    /** Requests per second one replica serves at most (its queue grows beyond). */
    capacityPerReplica: number;
    /** Latency of one request with nothing queued, ms. */
    serviceMs: number;
    /** Cores the model's container burns at capacity. */
    coresAtCapacity: number;
    /** Where the numbers come from, in words; `estimate` until a cluster's report replaces them. */
    source: { kind: "estimate" | "report"; text: string };
}

/**
 * The default until a cluster report exists: the tutorial CNN's own compute, measured on one CPU thread
 * with PyTorch 1.13 (docs/autoscaling-twin.md#model-profile): about 5,200 images/s at batch 1 (0.19 ms a request) and 8,600
 * at batch 4, where the batching gain is complete; each request carries one image, so with Triton's
 * dynamic batching one replica serves up to 8,600 requests/s on one core. Seldon's executor, the Istio
 * sidecar and HTTP are not in it: a real replica serves less, so the estimate is an upper bound of
 * capacity and a lower bound of the CPU each request costs.
 */
export const ESTIMATED_PROFILE: ModelProfile = {
    capacityPerReplica: 8600,
    serviceMs: 1000 / 5200,
    coresAtCapacity: 1,
    source: {
        kind: "estimate",
        text: "estimate: the model's compute alone, 5,200 images/s at batch 1 and 8,600 at batch 4 on one CPU thread " +
            "(PyTorch 1.13, docs/autoscaling-twin.md#model-profile); without the executor, Istio and HTTP costs, so capacity is an upper bound",
    },
};

/**
 * A profile measured by a load test watched with --watch: per ready replica, each second's throughput
 * and median latency. Capacity: the most one replica served in any second whose latency had risen to
 * twice the lowest (it was queueing, so that was all it could do), else the most it served at all (a
 * lower bound, said so). Service time: the lowest median latency. The CPU per request is not in a
 * report: each request costs the model's container what the estimate says.
 */
export function profileFromReport(report: Pick<LoadResult, "timeline" | "scaling">, fallback: ModelProfile = ESTIMATED_PROFILE): ModelProfile {
    const samples = report.scaling?.samples ?? [];
    if (samples.length === 0) {
        throw new Error("the report has no --watch samples: the replicas serving each second are unknown, so no per-replica profile can be measured");
    }
    const readyAt = (t: number) => {
        let ready = samples[0].readyReplicas;
        for (const s of samples) {
            if (s.t > t) {
                break;
            }
            ready = s.readyReplicas;
        }
        return ready;
    };
    const seconds = report.timeline
        .filter(p => p.requests > 0 && p.p50 !== null && (p.seconds ?? 1) === 1)
        .map(p => ({ perReplica: p.requests / Math.max(1, readyAt(p.t)), p50: p.p50 as number }));
    if (seconds.length === 0) {
        throw new Error("the report's timeline has no second with a successful request");
    }
    const serviceMs = Math.min(...seconds.map(s => s.p50));
    const queueing = seconds.filter(s => s.p50 >= 2 * serviceMs);
    const capacityPerReplica = Math.max(...(queueing.length > 0 ? queueing : seconds).map(s => s.perReplica));
    return {
        capacityPerReplica,
        serviceMs,
        // The CPU each request costs the model's container stays the estimate's.
        coresAtCapacity: fallback.coresAtCapacity * capacityPerReplica / fallback.capacityPerReplica,
        source: {
            kind: "report",
            text: `measured: ${capacityPerReplica.toFixed(0)} requests/s per replica ${queueing.length > 0 ? "at saturation" : "at most (it never saturated: a lower bound)"}, ` +
                `${serviceMs.toFixed(1)} ms unqueued median latency`,
        },
    };
}
