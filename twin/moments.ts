// The moments a scaling run is judged by, read from its samples the way the load test's own report
// reads a watched run (loadtest/scaling.ts scalingTimes): the twin's predictions and its calibration
// against a cluster then mean the same as the report's scale-up and scale-down.
import { scalingTimes } from "../loadtest/scaling";
import type { ScalingSample } from "../loadtest/types";

/** On the load's time axis (s); undefined when the run has none. */
export interface Moments {
    /** The first sample with more replicas wanted than at the start. */
    firstScaleUpS?: number;
    /** The first sample with more replicas Ready than at the start (the report's scale-up). */
    newReplicaReadyS?: number;
    /** After the load, back at the starting replicas, all Ready (the report's scale-down). */
    backS?: number;
}

export function moments(samples: readonly ScalingSample[], loadEndS: number): Moments {
    const times = scalingTimes({ durationS: loadEndS, scaling: { samples: [...samples], namespace: "", deployment: "", errors: 0, errorsByMessage: {} } });
    if (!times) {
        return {};
    }
    const up = samples.find(s => s.replicas > samples[0].replicas);
    return {
        ...(up ? { firstScaleUpS: up.t } : {}),
        ...(times.scaleUp ? { newReplicaReadyS: times.scaleUp.readyAtS } : {}),
        ...(times.scaleDown ? { backS: times.scaleDown.atS } : {}),
    };
}

/** The latest sample at or before `t` (samples ascending by t); undefined before the first. */
export function sampleAt(samples: readonly ScalingSample[], t: number): ScalingSample | undefined {
    let found: ScalingSample | undefined;
    for (const s of samples) {
        if (s.t > t) {
            break;
        }
        found = s;
    }
    return found;
}
