// Calibration: a real load test's report.json replayed through the twin (its users second by second,
// its pauses, its new replicas' measured readiness), and the twin's error against what the cluster
// did: the replica timeline, the first scale-up, the first new replica Ready, the scale-down.
import type { LoadResult } from "../loadtest/types";
import { replayLoad } from "./load";
import { simulate, TwinInput, TwinResult } from "./simulate";
import { asLoadResult } from "./report";
import { Moments, moments, sampleAt } from "./moments";

/** Real minus predicted, in seconds (positive: the cluster was slower than the twin). */
export interface CalibrationError {
    firstScaleUpS?: number;
    newReplicaReadyS?: number;
    scaleDownS?: number;
    /** Replicas, compared at every sample of the real run. */
    replicas: { meanAbs: number; maxAbs: number; samples: number };
    /** What could not be compared, and why. */
    notes: string[];
}

/**
 * Seconds from a new pod's creation to Ready, from a report's scale-up anatomy (the median over the
 * replicas that became Ready); undefined without one.
 */
export function readinessFromReport(report: Pick<LoadResult, "scaling">): { seconds: number; source: string } | undefined {
    const ready = (report.scaling?.anatomy?.replicas ?? [])
        .flatMap(r => (r.outcome.kind === "ready" ? [r.outcome.atS - r.createdS] : []))
        .sort((a, b) => a - b);
    if (ready.length === 0) {
        return undefined;
    }
    const mid = Math.floor(ready.length / 2);
    const seconds = ready.length % 2 === 1 ? ready[mid] : (ready[mid - 1] + ready[mid]) / 2;
    return { seconds: Math.round(seconds), source: `the report's scale-up anatomy: median of ${ready.length} new replica(s), creation to Ready` };
}

export class CalibrationInputError extends Error {}

/** Replays `real` through the twin and measures the error. */
export function calibrate(real: LoadResult, input: Omit<TwinInput, "load">): { predicted: TwinResult; predictedReport: LoadResult; error: CalibrationError } {
    const samples = real.scaling?.samples ?? [];
    if (samples.length === 0) {
        throw new CalibrationInputError("the report has no --watch samples: nothing to compare the twin with (run the load test with --watch)");
    }
    const load = replayLoad(real);
    const predicted = simulate({ ...input, load, cooldownS: Math.max(0, Math.ceil(samples[samples.length - 1].t) - load.runTimeS) });
    const predictedReport = asLoadResult(predicted, load, { namespace: real.scaling!.namespace, deployment: real.scaling!.deployment });
    const p = predictedReport.scaling!.samples;
    const r = moments(samples, real.durationS);
    const q = moments(p, real.durationS);
    const notes: string[] = [];
    const diff = (name: keyof Moments, what: string) => {
        if (r[name] !== undefined && q[name] !== undefined) {
            return r[name]! - q[name]!;
        }
        if (r[name] !== undefined || q[name] !== undefined) {
            notes.push(`${what}: ${r[name] === undefined ? "the cluster had none" : `the cluster at ${r[name]} s`}, ${q[name] === undefined ? "the twin none" : `the twin at ${q[name]} s`}`);
        }
        return undefined;
    };
    const firstScaleUpS = diff("firstScaleUpS", "first scale-up");
    const newReplicaReadyS = diff("newReplicaReadyS", "first new replica Ready");
    const scaleDownS = diff("backS", "back at the start");
    const gaps = samples.flatMap(s => {
        const predictedReplicas = sampleAt(p, s.t)?.replicas;
        return predictedReplicas === undefined ? [] : [Math.abs(s.replicas - predictedReplicas)];
    });
    return {
        predicted,
        predictedReport,
        error: {
            ...(firstScaleUpS !== undefined ? { firstScaleUpS } : {}),
            ...(newReplicaReadyS !== undefined ? { newReplicaReadyS } : {}),
            ...(scaleDownS !== undefined ? { scaleDownS } : {}),
            replicas: { meanAbs: gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 0, maxAbs: Math.max(0, ...gaps), samples: gaps.length },
            notes,
        },
    };
}

/** The error in words, for the console and the e2e job summary. */
export function describeError(e: CalibrationError): string[] {
    const s = (v: number | undefined) => (v === undefined ? "—" : `${v > 0 ? "+" : ""}${v} s`);
    return [
        `first scale-up ${s(e.firstScaleUpS)}, first new replica Ready ${s(e.newReplicaReadyS)}, back at the start ${s(e.scaleDownS)} (cluster minus twin)`,
        `replicas off by ${e.replicas.meanAbs.toFixed(2)} on average, ${e.replicas.maxAbs} at most, over ${e.replicas.samples} samples`,
        ...e.notes,
    ];
}
