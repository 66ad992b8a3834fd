// The end-to-end workflow's verdict on a chaos step: while the autoscaler's signal was lost (the
// PodMonitor deleted, or Prometheus stopped), KEDA held the fallback replicas instead of scaling down to
// the minimum, the report showed it as a fallback, the missing-metrics alert fired (when Prometheus ran),
// and normal scaling resumed afterwards. Read from the load test's own report.json, the chaos window the
// workflow wrote down, and Prometheus's alerts API. Pure.
import { signalLostPeriods } from "../../loadtest/scaling";
import { LoadResult } from "../../loadtest/types";

/** What the workflow broke, when (ISO times), and what the ScaledObject says it falls back to. */
export interface ChaosWindow {
    kind: "podmonitor" | "prometheus";
    startedAt: string;
    endedAt: string;
    /** The ScaledObject's spec.fallback (what Seldon copied from the kedaSpec). */
    fallbackReplicas: number;
    failureThreshold: number;
}

/**
 * How long after the break the fallback must hold: the request rate's 1-minute window to empty, then
 * more than failureThreshold failed reads at the HPA's 15 s sync (KEDA 2.20 falls back on the read
 * after failureThreshold), then a sync for the HPA to act, and 30 s of margin.
 */
export function fallbackGraceS(failureThreshold: number): number {
    return 60 + (failureThreshold + 2) * 15 + 30;
}

export interface ChaosVerdict {
    problems: string[];
    /** A Markdown row for the job summary. */
    row: string;
}

export const CHAOS_SUMMARY_HEADER = "| chaos | signal lost (report) | replicas while lost, after the grace | fallback | alert | verdict |\n|---|---|---|---|---|---|";

/**
 * `alerts`: Prometheus's `/api/v1/alerts` answer taken while the signal was lost (undefined when
 * Prometheus itself was stopped and cannot answer).
 */
export function chaosVerdict(report: LoadResult, chaos: ChaosWindow, alerts?: unknown): ChaosVerdict {
    const problems: string[] = [];
    const t0 = Date.parse(report.startedAt);
    const from = (Date.parse(chaos.startedAt) - t0) / 1000;
    const to = (Date.parse(chaos.endedAt) - t0) / 1000;
    const samples = report.scaling?.samples ?? [];
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
        problems.push(`the chaos window ${chaos.startedAt} → ${chaos.endedAt} is not a time span after the load's start ${report.startedAt}`);
    }
    const grace = fallbackGraceS(chaos.failureThreshold);
    if (to - from <= grace) {
        problems.push(`the signal was lost for ${to - from} s, not longer than the ${grace} s the fallback needs to show: the step proves nothing`);
    }
    const held = samples.filter(s => s.t >= from + grace && s.t <= to);
    if (samples.length === 0) {
        problems.push("the report has no scaling samples: run the load test with --watch");
    } else if (held.length === 0) {
        problems.push(`no sample between ${from + grace} s and ${to} s: a longer chaos window or a shorter --watch-interval`);
    }
    const low = held.filter(s => s.replicas < chaos.fallbackReplicas);
    if (low.length > 0) {
        problems.push(`while the signal was lost the replicas fell to ${Math.min(...low.map(s => s.replicas))} at ${low[0].t} s, below the ` +
            `fallback of ${chaos.fallbackReplicas}: the silence was read as no load`);
    }
    const periods = signalLostPeriods(samples).filter(p => p.to >= from && p.from <= to);
    if (samples.length > 0 && periods.length === 0) {
        problems.push("the report never showed the signal as lost (KEDA's Fallback condition): the fallback was not in force, or --watch could not read the ScaledObject");
    }
    let alertState = "not asked (Prometheus stopped)";
    if (chaos.kind === "podmonitor") {
        const firing = firingAlerts(alerts);
        alertState = firing === undefined ? "unreadable answer" : firing.includes("ModelMetricsMissing") ? "ModelMetricsMissing firing" : `not firing (${firing.join(", ") || "none"})`;
        if (firing === undefined) {
            problems.push("Prometheus's alerts answer could not be read: expected /api/v1/alerts JSON");
        } else if (!firing.includes("ModelMetricsMissing")) {
            problems.push(`ModelMetricsMissing did not fire while the PodMonitor was gone (firing: ${firing.join(", ") || "none"})`);
        }
    }
    const after = samples.filter(s => s.t > to);
    if (after.length > 0 && !after.some(s => !s.signalLost)) {
        problems.push("the signal never came back after the chaos ended");
    }
    const replicasHeld = held.length ? `${Math.min(...held.map(s => s.replicas))}–${Math.max(...held.map(s => s.replicas))}` : "-";
    const lostCell = periods.length ? periods.map(p => `${p.from}–${p.to} s`).join(", ") : "never";
    const row = `| ${chaos.kind} (${Math.round(from)}–${Math.round(to)} s) | ${lostCell} | ${replicasHeld} | ${chaos.fallbackReplicas} | ${alertState} | ` +
        `${problems.length === 0 ? "passed" : `FAILED: ${problems.join("; ")}`} |`;
    return { problems, row };
}

/** The names of the firing alerts in a Prometheus `/api/v1/alerts` answer; undefined when it is not one. */
export function firingAlerts(answer: unknown): string[] | undefined {
    const alerts = (answer as { status?: string; data?: { alerts?: Array<{ labels?: { alertname?: string }; state?: string }> } } | undefined);
    if (alerts?.status !== "success" || !Array.isArray(alerts.data?.alerts)) {
        return undefined;
    }
    return [...new Set(alerts.data!.alerts!.filter(a => a.state === "firing").map(a => a.labels?.alertname ?? ""))].filter(Boolean);
}
