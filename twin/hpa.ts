// The HorizontalPodAutoscaler controller, as the Kubernetes documentation describes its algorithm:
// one sync at a time, from the metric it reads to the replicas it sets. Pure: the twin drives it with
// simulated readings and a simulated clock.
//
// Sources, cited rule by rule below as [docs §Section] or [api:LINE]:
//   docs: kubernetes/website content/en/docs/tasks/run-application/horizontal-pod-autoscale.md
//         (commit 01650250b631e2cae823654bef3b4e775f18eab4), sections "Algorithm details",
//         "Scaling policies", "Stabilization window", "Default Behavior".
//   api:  k8s.io/api v0.33.1 autoscaling/v2/types.go (HorizontalPodAutoscalerBehavior, HPAScalingRules).

export interface ScalingPolicy {
    type: "Pods" | "Percent";
    value: number;
    periodSeconds: number;
}

export interface ScalingRules {
    stabilizationWindowSeconds: number;
    /** Max: the policy allowing the largest change; Min: the smallest; Disabled: no scaling this way [docs §Scaling policies]. */
    selectPolicy: "Max" | "Min" | "Disabled";
    policies: ScalingPolicy[];
}

export interface Behavior {
    scaleUp: ScalingRules;
    scaleDown: ScalingRules;
}

/** Defaults merged into a `behavior` that sets only some fields [docs §Default Behavior; api:189-204]. */
export const DEFAULT_BEHAVIOR: Behavior = {
    scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: 100, periodSeconds: 15 }, { type: "Pods", value: 4, periodSeconds: 15 }],
    },
    scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
    },
};

/** A `behavior` as an HPA spec writes it: any field may be left out. */
export interface BehaviorSpec {
    scaleUp?: Partial<ScalingRules>;
    scaleDown?: Partial<ScalingRules>;
}

/** Fills what a behavior leaves out with the defaults [docs §Default Behavior: "custom values are merged with default values"]. */
export function withDefaults(spec: BehaviorSpec): Behavior {
    const merge = (rules: Partial<ScalingRules> | undefined, d: ScalingRules): ScalingRules => ({
        stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds,
        selectPolicy: rules?.selectPolicy ?? d.selectPolicy,
        policies: rules?.policies && rules.policies.length > 0 ? rules.policies : d.policies,
    });
    return { scaleUp: merge(spec.scaleUp, DEFAULT_BEHAVIOR.scaleUp), scaleDown: merge(spec.scaleDown, DEFAULT_BEHAVIOR.scaleDown) };
}

/** kube-controller-manager's flags that shape every HPA, with their defaults [docs §How does a HorizontalPodAutoscaler work?, §Algorithm details]. */
export interface ControllerFlags {
    /** --horizontal-pod-autoscaler-sync-period: 15 s. */
    syncPeriodS: number;
    /** --horizontal-pod-autoscaler-tolerance: 0.1. */
    tolerance: number;
    /** --horizontal-pod-autoscaler-downscale-stabilization: 5 minutes (the window of an HPA without `behavior`). */
    downscaleStabilizationS: number;
    /** --horizontal-pod-autoscaler-cpu-initialization-period: 5 minutes. */
    cpuInitializationPeriodS: number;
    /** --horizontal-pod-autoscaler-initial-readiness-delay: 30 s. */
    initialReadinessDelayS: number;
}

export const DEFAULT_FLAGS: ControllerFlags = {
    syncPeriodS: 15,
    tolerance: 0.1,
    downscaleStabilizationS: 300,
    cpuInitializationPeriodS: 300,
    initialReadinessDelayS: 30,
};

/** One pod as the HPA sees it when it scales on CPU (a Resource or ContainerResource metric with a Utilization target). */
export interface PodCpu {
    name: string;
    /** When the pod started (status.startTime). */
    startS: number;
    /** Pending (scheduling, pulling, init containers such as the model download) or Running. */
    phase: "Pending" | "Running";
    ready: boolean;
    /** The last transition of the Ready condition. */
    readyTransitionS: number;
    /** The metrics API's reading: usage (cores) over `windowS` ending at `timestampS`; undefined when the pod has no metric. */
    metric?: { cores: number; timestampS: number; windowS: number };
    /** The measured containers' CPU request, cores. */
    requestCores: number;
}

/** What one sync read. */
export type Reading =
    /** An External metric with an AverageValue target (KEDA's triggers): the total, or undefined when it could not be read. */
    | { kind: "externalAverageValue"; total: number | undefined; targetPerPod: number }
    /** CPU utilisation of the pods against `targetPercent` of their request. */
    | { kind: "cpuUtilization"; targetPercent: number; pods: PodCpu[] };

export interface Proposal {
    /** Replicas the metric asks for, before stabilisation and limits; undefined when it could not be computed. */
    replicas?: number;
    /** The metric as the HPA's status reports it: per pod for AverageValue, percent for Utilization. */
    metric?: number;
}

/**
 * External metric, AverageValue target: usage ratio = total / (target × current replicas); within the
 * tolerance the replicas stay, else ceil(total / target) [docs §Algorithm details: "For object metrics
 * and external metrics, a single metric is fetched ... this value can optionally be divided by the
 * number of Pods before the comparison"; the ratio and the tolerance as for every metric]. The current
 * replicas are the pods the scale subresource counts (status.replicas), ready or not.
 */
export function externalAverageValueReplicas(statusReplicas: number, total: number, targetPerPod: number, tolerance: number): Proposal {
    const ratio = total / (targetPerPod * statusReplicas);
    const replicas = Math.abs(1 - ratio) > tolerance ? Math.ceil(total / targetPerPod) : statusReplicas;
    return { replicas, metric: statusReplicas > 0 ? total / statusReplicas : undefined };
}

/**
 * CPU utilisation [docs §Algorithm details]:
 * - a Pending pod is set aside as not yet ready (the controller's grouping of pods; the docs' "still
 *   initializing");
 * - a pod not yet ready, or whose latest metric was taken before it became ready, is set aside. "Not
 *   yet ready": within the CPU initialisation period of its start, unready or ready for less than one
 *   metric window; after it, unready and never ready since the initial readiness delay;
 * - a pod without a metric is set aside as missing;
 * - ratio = mean utilisation of the rest / target; within the tolerance, no change;
 * - missing pods then count as 100% of the desired value on a scale-down and 0% on a scale-up;
 *   not-yet-ready pods as 0%, only when the first ratio scaled up;
 * - if the recomputed ratio reverses the direction or falls within the tolerance, no change.
 */
export function cpuUtilizationReplicas(currentReplicas: number, pods: PodCpu[], targetPercent: number, nowS: number, flags: ControllerFlags): Proposal {
    const unready: PodCpu[] = [];
    const missing: PodCpu[] = [];
    const measured: PodCpu[] = [];
    for (const pod of pods) {
        if (pod.phase === "Pending") {
            unready.push(pod);
            continue;
        }
        if (!pod.metric) {
            missing.push(pod);
            continue;
        }
        const initialising = pod.startS + flags.cpuInitializationPeriodS > nowS;
        const notYetReady = initialising
            ? !pod.ready || pod.metric.timestampS < pod.readyTransitionS + pod.metric.windowS
            : !pod.ready && pod.startS + flags.initialReadinessDelayS > pod.readyTransitionS;
        (notYetReady ? unready : measured).push(pod);
    }
    if (measured.length === 0) {
        // No metric to scale on: the HPA cannot compute a scale.
        return {};
    }
    const utilisation = (ps: Array<{ cores: number; request: number }>) =>
        100 * ps.reduce((s, p) => s + p.cores, 0) / ps.reduce((s, p) => s + p.request, 0);
    const base = measured.map(p => ({ cores: p.metric!.cores, request: p.requestCores }));
    const metric = utilisation(base);
    const ratio = metric / targetPercent;
    const scaleUpWithUnready = unready.length > 0 && ratio > 1;
    if (!scaleUpWithUnready && missing.length === 0) {
        if (Math.abs(1 - ratio) <= flags.tolerance) {
            return { replicas: currentReplicas, metric };
        }
        return { replicas: Math.ceil(ratio * measured.length), metric };
    }
    const filled = [...base];
    for (const pod of missing) {
        if (ratio < 1) {
            filled.push({ cores: pod.requestCores * Math.max(100, targetPercent) / 100, request: pod.requestCores });
        } else if (ratio > 1) {
            filled.push({ cores: 0, request: pod.requestCores });
        }
    }
    if (scaleUpWithUnready) {
        for (const pod of unready) {
            filled.push({ cores: 0, request: pod.requestCores });
        }
    }
    const newRatio = utilisation(filled) / targetPercent;
    if (Math.abs(1 - newRatio) <= flags.tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
        return { replicas: currentReplicas, metric };
    }
    const replicas = Math.ceil(newRatio * filled.length);
    if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) {
        return { replicas: currentReplicas, metric };
    }
    return { replicas, metric };
}

export interface HpaSpec {
    minReplicas: number;
    maxReplicas: number;
    /**
     * The HPA's `behavior`; undefined for an HPA without one (Seldon 1.17.1's hpaSpec), which the
     * controller scales with its flags: the downscale stabilisation window, and at most
     * max(2 × current, 4) replicas per sync.
     */
    behavior?: BehaviorSpec;
}

/** What one sync did. */
export interface SyncResult {
    atS: number;
    /** The replicas the Deployment had (spec) and has now. */
    from: number;
    to: number;
    /** What the metric asked for, before stabilisation and limits. */
    proposal: Proposal;
    /** Why `to` differs from the proposal, when it does. */
    limitedBy?: "stabilization" | "policy" | "minReplicas" | "maxReplicas" | "no metric";
}

/**
 * One HPA controller with its memory: the recommendations of the stabilisation windows and the
 * scale events the policies count.
 */
export class HpaController {
    private recommendations: Array<{ atS: number; replicas: number }> = [];
    private events: Array<{ atS: number; change: number }> = [];
    private readonly behavior?: Behavior;

    constructor(readonly spec: HpaSpec, readonly flags: ControllerFlags = DEFAULT_FLAGS) {
        this.behavior = spec.behavior ? withDefaults(spec.behavior) : undefined;
    }

    /**
     * One sync at `nowS`: `specReplicas` is the Deployment's spec.replicas, `statusReplicas` its pods.
     * A metric that cannot be read changes nothing (condition ScalingActive False) [docs §Algorithm
     * details: "If any of these metrics cannot be converted into a desired replica count ... scaling is
     * skipped"].
     */
    sync(nowS: number, specReplicas: number, statusReplicas: number, reading: Reading): SyncResult {
        const { minReplicas, maxReplicas } = this.spec;
        // Outside min/max the HPA first brings the target back within them.
        if (specReplicas > maxReplicas) {
            return this.rescale(nowS, specReplicas, maxReplicas, {}, "maxReplicas");
        }
        if (specReplicas < minReplicas) {
            return this.rescale(nowS, specReplicas, minReplicas, {}, "minReplicas");
        }
        const proposal = reading.kind === "externalAverageValue"
            ? reading.total === undefined ? {} : externalAverageValueReplicas(statusReplicas, reading.total, reading.targetPerPod, this.flags.tolerance)
            : cpuUtilizationReplicas(specReplicas, reading.pods, reading.targetPercent, nowS, this.flags);
        if (proposal.replicas === undefined) {
            return { atS: nowS, from: specReplicas, to: specReplicas, proposal, limitedBy: "no metric" };
        }
        const { replicas, limitedBy } = this.behavior
            ? this.normalizeWithBehavior(nowS, specReplicas, proposal.replicas, this.behavior)
            : this.normalizeWithFlags(nowS, specReplicas, proposal.replicas);
        return this.rescale(nowS, specReplicas, replicas, proposal, limitedBy);
    }

    private rescale(nowS: number, from: number, to: number, proposal: Proposal, limitedBy?: SyncResult["limitedBy"]): SyncResult {
        if (to !== from) {
            // A policy's period is at most 1800 s (api:247): older events count for none.
            this.events = [...this.events.filter(e => e.atS > nowS - 1800), { atS: nowS, change: to - from }];
        }
        return { atS: nowS, from, to, proposal, ...(limitedBy && to !== proposal.replicas ? { limitedBy } : {}) };
    }

    /** Recommendations strictly within the last `windowS` (syncs come a little later than every period, so one exactly a window old has left it). */
    private within(nowS: number, windowS: number): number[] {
        return this.recommendations.filter(r => r.atS > nowS - windowS).map(r => r.replicas);
    }

    private remember(nowS: number, replicas: number): void {
        this.recommendations.push({ atS: nowS, replicas });
        const longest = Math.max(this.flags.downscaleStabilizationS, this.behavior?.scaleDown.stabilizationWindowSeconds ?? 0,
            this.behavior?.scaleUp.stabilizationWindowSeconds ?? 0);
        this.recommendations = this.recommendations.filter(r => r.atS > nowS - longest);
    }

    /**
     * Without `behavior`: the highest recommendation of the downscale stabilisation window [docs
     * §Algorithm details, last paragraph], then at most max(2 × current, 4) [the legacy rate, which
     * the default scale-up policies restate: docs §Default Behavior], then min/max.
     */
    private normalizeWithFlags(nowS: number, current: number, desired: number): { replicas: number; limitedBy?: SyncResult["limitedBy"] } {
        const stabilized = Math.max(desired, ...this.within(nowS, this.flags.downscaleStabilizationS));
        this.remember(nowS, desired);
        let replicas = stabilized;
        let limitedBy: SyncResult["limitedBy"] = stabilized !== desired ? "stabilization" : undefined;
        const upLimit = Math.max(2 * current, 4);
        if (replicas > Math.min(upLimit, this.spec.maxReplicas)) {
            limitedBy = upLimit < this.spec.maxReplicas ? "policy" : "maxReplicas";
            replicas = Math.min(upLimit, this.spec.maxReplicas);
        }
        if (replicas < this.spec.minReplicas) {
            replicas = this.spec.minReplicas;
            limitedBy = "minReplicas";
        }
        return { replicas, limitedBy };
    }

    /**
     * With `behavior` [docs §Stabilization window, §Scaling policies; api:186-223]:
     * - stabilisation: the lowest recommendation of the scale-up window and the highest of the
     *   scale-down window bound the change from the current replicas;
     * - policies: each allows a change from the replicas at the start of its period (the current
     *   replicas less the changes made within it); Max picks the policy allowing the most change, Min
     *   the least, Disabled none;
     * - min/max replicas last.
     */
    private normalizeWithBehavior(nowS: number, current: number, desired: number, b: Behavior): { replicas: number; limitedBy?: SyncResult["limitedBy"] } {
        const upBound = Math.min(desired, ...this.within(nowS, b.scaleUp.stabilizationWindowSeconds));
        const downBound = Math.max(desired, ...this.within(nowS, b.scaleDown.stabilizationWindowSeconds));
        this.remember(nowS, desired);
        let stabilized = current;
        if (stabilized < upBound) {
            stabilized = upBound;
        }
        if (stabilized > downBound) {
            stabilized = downBound;
        }
        let limitedBy: SyncResult["limitedBy"] = stabilized !== desired ? "stabilization" : undefined;
        let replicas = stabilized;
        if (stabilized > current) {
            const limit = Math.max(current, this.policyLimit(nowS, current, b.scaleUp, +1));
            const allowed = Math.min(this.spec.maxReplicas, limit);
            if (replicas > allowed) {
                replicas = allowed;
                limitedBy = limit < this.spec.maxReplicas ? "policy" : "maxReplicas";
            }
        } else if (stabilized < current) {
            const limit = Math.min(current, this.policyLimit(nowS, current, b.scaleDown, -1));
            const allowed = Math.max(this.spec.minReplicas, limit);
            if (replicas < allowed) {
                replicas = allowed;
                limitedBy = limit > this.spec.minReplicas ? "policy" : "minReplicas";
            }
        }
        return { replicas, limitedBy };
    }

    /** The furthest the policies allow from `current` this sync, upwards (+1) or downwards (-1). */
    private policyLimit(nowS: number, current: number, rules: ScalingRules, direction: 1 | -1): number {
        if (rules.selectPolicy === "Disabled") {
            return current;
        }
        const proposals = rules.policies.map(policy => {
            const inPeriod = this.events.filter(e => e.atS > nowS - policy.periodSeconds);
            const added = inPeriod.filter(e => e.change > 0).reduce((s, e) => s + e.change, 0);
            const removed = inPeriod.filter(e => e.change < 0).reduce((s, e) => s - e.change, 0);
            const periodStart = current - added + removed;
            if (policy.type === "Pods") {
                return periodStart + direction * policy.value;
            }
            // Up: rounded up, so that a small percentage still adds a pod; down: rounded down (truncated).
            return direction > 0
                ? Math.ceil(periodStart * (1 + policy.value / 100))
                : Math.trunc(periodStart * (1 - policy.value / 100));
        });
        // Max change: the highest count up, the lowest count down; Min change the other way.
        const most = direction > 0 ? Math.max(...proposals) : Math.min(...proposals);
        const least = direction > 0 ? Math.min(...proposals) : Math.max(...proposals);
        return rules.selectPolicy === "Min" ? least : most;
    }
}
