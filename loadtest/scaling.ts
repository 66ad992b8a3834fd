// What the watch says about the scaling, in numbers: how far it scaled, how long the first new
// replica took to be ready after the autoscaler's metric crossed its target, and how long after the
// load ended the Deployment was back where it started. The summary, the HTML report and the
// end-to-end workflow's assertions all read these. Pure.
import { backToStart } from "./cooldown";
import { LoadResult, ScalingSample } from "./types";

export interface ScalingTimes {
    /** Replicas at the first sample (before any load had effect). */
    startReplicas: number;
    /** Most ready replicas seen. */
    peakReadyReplicas: number;
    /** Seconds (load's time axis) when the load ended. */
    loadEndS: number;
    /** When the scale-up clock starts: the first sample whose metric exceeds the target, else the load's start. */
    trigger: { atS: number; from: "metric" | "load start" };
    /** A new replica became ready: when, and how long after the trigger. */
    scaleUp?: { readyAtS: number; afterS: number };
    /** Back at the starting replicas after the load: when, and how long after it ended. */
    scaleDown?: { atS: number; afterS: number };
}

/** The scaling times of a run watched with --watch; undefined without samples. */
export function scalingTimes(result: Pick<LoadResult, "durationS" | "scaling">): ScalingTimes | undefined {
    const samples: ScalingSample[] = result.scaling?.samples ?? [];
    if (samples.length === 0) {
        return undefined;
    }
    const start = samples[0];
    const loadEndS = result.durationS;
    const crossed = samples.find(s => s.t <= loadEndS && s.hpa?.metric !== undefined && s.hpa.target !== undefined && s.hpa.metric > s.hpa.target);
    const trigger = crossed ? { atS: crossed.t, from: "metric" as const } : { atS: 0, from: "load start" as const };
    const ready = samples.find(s => s.readyReplicas > start.readyReplicas);
    const times: ScalingTimes = {
        startReplicas: start.replicas,
        peakReadyReplicas: Math.max(...samples.map(s => s.readyReplicas)),
        loadEndS,
        trigger,
    };
    if (ready) {
        times.scaleUp = { readyAtS: ready.t, afterS: round(Math.max(0, ready.t - trigger.atS)) };
        const back = samples.find(s => s.t > loadEndS && s.t > ready.t && backToStart(s, start));
        if (back) {
            times.scaleDown = { atS: back.t, afterS: round(back.t - loadEndS) };
        }
    }
    return times;
}

/** The times as the summary prints them. */
/** The stretches in which the autoscaler said it was not acting on its signal (ScalingSample.signalLost). */
export function signalLostPeriods(samples: readonly ScalingSample[]): Array<{ from: number; to: number; reason: string; replicas: number[] }> {
    const periods: Array<{ from: number; to: number; reason: string; replicas: number[] }> = [];
    for (const s of samples) {
        const open = periods[periods.length - 1];
        if (s.signalLost && open && open.to === Number.POSITIVE_INFINITY) {
            open.replicas.push(s.replicas);
        } else if (s.signalLost) {
            periods.push({ from: s.t, to: Number.POSITIVE_INFINITY, reason: s.signalLost, replicas: [s.replicas] });
        } else if (open && open.to === Number.POSITIVE_INFINITY) {
            open.to = s.t;
        }
    }
    const last = samples[samples.length - 1];
    return periods.map(p => (p.to === Number.POSITIVE_INFINITY ? { ...p, to: last.t } : p));
}

export function describeScaling(t: ScalingTimes): string[] {
    const lines = [`scaling: ${t.startReplicas} → ${t.peakReadyReplicas} ready replicas at most`];
    lines.push(t.scaleUp
        ? `  scale-up: first new replica ready at ${t.scaleUp.readyAtS} s, ${t.scaleUp.afterS} s after ${t.trigger.from === "metric" ? `the metric crossed its target (${t.trigger.atS} s)` : "the load started"}`
        : "  scale-up: none seen");
    if (t.scaleUp) {
        lines.push(t.scaleDown
            ? `  scale-down: back to ${t.startReplicas} at ${t.scaleDown.atS} s, ${t.scaleDown.afterS} s after the load ended (${t.loadEndS} s)`
            : "  scale-down: not seen (watch longer with --cooldown)");
    }
    return lines;
}

function round(s: number): number {
    return Math.round(s * 10) / 10;
}
