// What the twin shows: a table of predictions per mode, a one-line comparison of two settings, the
// HTML page with the load test report's charts, and the run as a report.json of its own (the shape a
// load test writes, so the calibration and the report's own tools read both alike).
import { escapeHtml } from "../loadtest/html";
import { lineChart, Mark } from "../loadtest/report";
import type { LoadResult } from "../loadtest/types";
import { LoadProfile } from "./load";
import { Prediction, TwinResult } from "./simulate";

const s = (v: number | undefined) => (v === undefined ? "none" : `${Math.round(v)} s`);
const round = (v: number) => (v < 10 ? String(Math.round(v * 10) / 10) : String(Math.round(v)));
const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

/** The figures of one prediction, by name, as the table and the comparison show them. */
export function figures(p: Prediction): Array<[string, string]> {
    // A scale-up that never comes says how far the load stayed below the target.
    const short = p.targetCrossedS === undefined && p.peakDemand
        ? ` (the load peaks at ${round(p.peakDemand.value)} of ${p.peakDemand.target} ${p.peakDemand.unit})`
        : "";
    return [
        ["scale-up", `${s(p.scaleUpS)}${short}`],
        ["peak replicas", String(p.peakReplicas)],
        ["scale-down", s(p.scaleDownS)],
        ["mean queue", ms(p.meanQueueMs)],
        ["max queue", ms(p.maxQueueMs)],
        ["failed", String(p.failedRequests)],
        ["reversals", String(p.reversals)],
    ];
}

/** A table, one row per mode. */
export function predictionTable(results: readonly TwinResult[]): string {
    const header = ["mode", ...figures(results[0].prediction).map(([name]) => name)];
    const rows = results.map(r => [r.prediction.mode, ...figures(r.prediction).map(([, v]) => v)]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    return [line(header), ...rows.map(line)].join("\n");
}

/** "scale-up 48 s → 21 s, peak replicas 3 → 3, ...": only the figures, before and after. */
export function compareLine(before: Prediction, after: Prediction): string {
    const b = figures(before);
    const a = figures(after);
    return b.map(([name, v], i) => `${name} ${v === a[i][1] ? v : `${v} → ${a[i][1]}`}`).join(", ");
}

/** The prediction in words: what scale-up means here, what it rests on. */
export function describePrediction(r: TwinResult): string[] {
    const p = r.prediction;
    const lines = [
        p.mode === "none"
            ? `  no autoscaler: ${p.peakReplicas} replica(s) throughout`
            : p.targetCrossedS === undefined
            ? `  the load never crosses the autoscaler's target: ${p.peakReplicas} replica(s) throughout`
            : `  target crossed at ${p.targetCrossedS} s; first scale-up at ${p.firstScaleUpS ?? "—"} s; first new replica Ready at ${p.newReplicaReadyS ?? "—"} s`,
        `  peak ${p.peakReplicas} replicas; ${p.scaleDownS === undefined ? (p.peakReplicas > p.startReplicas ? "not back at the start within the cooldown" : "no scale-down needed") : `back at ${p.startReplicas} ${p.scaleDownS} s after the load`}`,
        `  ${p.requests} requests, about ${p.failedRequests} failed (slower than the timeout); queue wait mean ${ms(p.meanQueueMs)}, max ${ms(p.maxQueueMs)}`,
    ];
    if (p.reversals > 0) {
        lines.push(`  the replicas changed direction ${p.reversals} time(s) under load: flapping`);
    }
    return [...lines, ...p.basis.map(b => `  ${b}`)];
}

/** The run as a load test's report.json: its users and throughput each second, its replicas every second. */
export function asLoadResult(r: TwinResult, load: LoadProfile, names: { namespace: string; deployment: string }): LoadResult {
    const timeline = r.timeline.filter(p => p.t <= load.runTimeS);
    const served = timeline.reduce((sum, p) => sum + p.served, 0);
    const failed = timeline.reduce((sum, p) => sum + p.failed, 0);
    const thinkMs = load.thinkS * 1000;
    return {
        options: { host: "twin", path: "", users: Math.max(0, ...timeline.map(p => p.users)), spawnRate: 0, runTimeMs: load.runTimeS * 1000, minWaitMs: thinkMs, maxWaitMs: thinkMs, timeoutMs: load.timeoutS * 1000 },
        startedAt: new Date(0).toISOString(),
        durationS: load.runTimeS,
        requests: Math.round(served),
        failures: Math.round(failed),
        failuresByCause: failed > 0 ? { "timeout (predicted)": Math.round(failed) } : {},
        rps: served / load.runTimeS,
        latencyMs: null,
        timeline: timeline.map(p => ({ t: p.t, users: p.users, requests: Math.round(p.served), failures: Math.round(p.failed),
            // The twin has one latency a second, its mean: both percentiles carry it.
            p50: p.served > 0 ? p.latencyMs : null, p95: p.served > 0 ? p.latencyMs : null })),
        scaling: {
            namespace: names.namespace,
            deployment: names.deployment,
            samples: r.timeline.map(p => ({
                t: p.t, replicas: p.replicas, readyReplicas: p.ready,
                ...(p.signal ? { hpa: { name: names.deployment, currentReplicas: p.ready, desiredReplicas: p.replicas, ...(p.signal.value !== undefined ? { metric: p.signal.value } : {}), target: p.signal.target, unit: p.signal.unit } } : {}),
            })),
            errors: 0,
            errorsByMessage: {},
        },
    };
}

/** The HTML page: per mode, the replicas, the signal against its target, the queue and the throughput, on the load test report's charts. */
export function twinHtml(title: string, results: readonly TwinResult[]): string {
    const sections = results.map(r => {
        const xMax = Math.max(...r.timeline.map(p => p.t));
        const marks: Mark[] = r.decisions.map(d => ({ t: d.atS, label: `${d.from}→${d.to}${d.limitedBy ? ` (${d.limitedBy})` : ""}` }));
        const withSignal = r.timeline.filter(p => p.signal?.value !== undefined);
        const charts = [
            lineChart("Replicas", "pods", xMax, [
                { name: "replicas", color: "#c5b0d5", width: 6, points: r.timeline.map(p => [p.t, p.replicas]) },
                { name: "ready", color: "#2ca02c", width: 2.5, points: r.timeline.map(p => [p.t, p.ready]) },
            ], marks),
            ...(withSignal.length > 0 ? [lineChart("Autoscaler metric (at each sync)", withSignal[0].signal!.unit, xMax, [
                { name: "current", color: "#17becf", points: withSignal.map(p => [p.t, p.signal!.value!]) },
                { name: "target", color: "#bcbd22", dash: "6 4", points: withSignal.map(p => [p.t, p.signal!.target]) },
            ], marks)] : []),
            lineChart("Throughput", "requests per second", xMax, [{ name: "served", color: "#1f77b4", points: r.timeline.map(p => [p.t, p.served]) }], marks),
            lineChart("Queue wait", "ms", xMax, [{ name: "mean wait", color: "#ff7f0e", points: r.timeline.map(p => [p.t, p.queueMs]) }], marks),
        ];
        return `<h2>${escapeHtml(r.prediction.mode)}</h2><ul>${describePrediction(r).map(l => `<li>${escapeHtml(l.trim())}</li>`).join("")}</ul>${charts.join("")}`;
    });
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}figure{margin:1.5em 0}figcaption{font-weight:bold}svg{max-width:100%;height:auto}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>A prediction of the autoscaling twin (docs/autoscaling-twin.md), not a measurement.</p>
${sections.join("\n")}
</body></html>
`;
}
