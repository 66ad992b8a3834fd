// What the load generator shows: the progress line, the summary table, and the JSON and
// self-contained HTML reports (inline SVG, no scripts).
import * as fs from "node:fs";
import * as path from "node:path";
import { LoadResult, TimelinePoint } from "./types";
import { describeScaling, scalingTimes, signalLostPeriods } from "./scaling";
import { EXECUTOR_REQUESTS } from "../lib/queries";
import { TRITON_METRICS } from "../lib/triton";
import { Anatomy, describeAnatomy, scaleUpAnatomy } from "./anatomy";
import { escapeHtml } from "./html";
import { anatomyLanes, PLOT } from "./lanes";

/** One progress line: elapsed, users, req/s, failures, p50/p95 of the last second. */
export function progressLine(point: TimelinePoint, totals: { requests: number; failures: number }): string {
    const ms = (x: number | null) => (x === null ? "-" : `${Math.round(x)} ms`);
    return `${String(point.t).padStart(4)}s | users ${String(point.users).padStart(4)} | ${String(point.requests).padStart(5)} req/s | ` +
        `failures ${totals.failures}/${totals.requests} | p50 ${ms(point.p50)} | p95 ${ms(point.p95)}`;
}

/** The summary table printed at the end. */
export function summaryTable(r: LoadResult): string {
    const l = r.latencyMs;
    const n = (x: number | undefined) => (x === undefined ? "-" : String(x));
    const header = ["requests", "failures", "req/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms"];
    const row = [String(r.requests), String(r.failures), String(r.rps), n(l?.p50), n(l?.p90), n(l?.p95), n(l?.p99), n(l?.max)];
    const widths = header.map((h, i) => Math.max(h.length, row[i].length));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    const lines = [line(header), line(row)];
    const causes = Object.entries(r.failuresByCause).sort((a, b) => b[1] - a[1]);
    if (causes.length > 0) {
        lines.push("failures by cause:");
        for (const [cause, count] of causes) {
            lines.push(`  ${String(count).padStart(widths[0])}  ${cause}`);
        }
    }
    if (r.scaling) {
        const reps = r.scaling.samples.map(s => s.replicas);
        lines.push(`replicas of ${r.scaling.namespace}/${r.scaling.deployment}: ` +
            (reps.length ? `${reps[0]} at start, ${Math.max(...reps)} at most, ${reps[reps.length - 1]} at the end` : "no sample") +
            (r.scaling.errors ? ` (${r.scaling.errors} failed samples)` : ""));
        for (const [message, count] of Object.entries(r.scaling.errorsByMessage).sort((a, b) => b[1] - a[1])) {
            lines.push(`  watch error ×${count}: ${message}`);
        }
        const times = scalingTimes(r);
        if (times) {
            lines.push(...describeScaling(times));
        }
        lines.push(...describeSignalLost(r));
        if (r.scaling.anatomy) {
            lines.push(...describeAnatomy(r.scaling.anatomy));
        }
        const c = r.scaling.cooldown;
        if (c) {
            lines.push(`  cooldown: watched ${c.watchedS} s after the load; ${c.ended === "back" ? "back at the starting replicas" : c.ended === "deadline" ? "--cooldown ran out first" : "stopped by a signal"}`);
        }
    }
    if (r.interrupted) {
        lines.push(`stopped early by ${r.interrupted} after ${r.durationS} s of ${r.options.runTimeMs / 1000} s: these are the numbers until then`);
    }
    return lines.join("\n");
}

/** Writes report.json and a self-contained report.html (inline SVG, no scripts) into `dir`. */
export function writeReports(dir: string, r: LoadResult): { json: string; html: string } {
    fs.mkdirSync(dir, { recursive: true });
    const json = path.join(dir, "report.json");
    const html = path.join(dir, "report.html");
    fs.writeFileSync(json, JSON.stringify(r, null, 2));
    fs.writeFileSync(html, reportHtml(r));
    return { json, html };
}

interface Series {
    name: string;
    color: string;
    points: Array<[number, number]>;
    /** Line width (default 2) and dash pattern: lines that often coincide stay visible on top of each other. */
    width?: number;
    dash?: string;
}

/** A moment worth a vertical mark on every chart (a change of the replicas), with its label. */
export interface Mark {
    t: number;
    label: string;
}

/** Tick labels with as many decimals as the step needs: a 0.2 s or 0.05 req/s step gets distinct labels. */
export function tickLabel(v: number, step: number): string {
    const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
    return String(Number(v.toFixed(decimals)));
}


/** A line chart over [0, xMax] seconds: the same time axis for every chart of the report. */
export function lineChart(title: string, unit: string, xMax: number, series: Series[], marks: Mark[] = []): string {
    const w = PLOT.width, h = 220, left = PLOT.left, right = PLOT.right, top = 28, bottom = 30;
    const step = niceStep(Math.max(1, ...series.flatMap(s => s.points.map(p => p[1]))) / 4);
    const yMax = step * Math.ceil(Math.max(1, ...series.flatMap(s => s.points.map(p => p[1]))) / step);
    const x = (t: number) => left + (t / Math.max(1, xMax)) * (w - left - right);
    const y = (v: number) => top + (1 - v / yMax) * (h - top - bottom);
    const ticks = (max: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (max * i) / n);
    const grid = ticks(yMax, Math.round(yMax / step)).map(v =>
        `<line x1="${left}" x2="${w - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>` +
        `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${tickLabel(v, step)}</text>`).join("");
    const xStep = niceStep(Math.max(1, xMax) / 6);
    const xTicks = ticks(xStep * Math.floor(xMax / xStep), Math.floor(xMax / xStep)).map(t =>
        `<text x="${x(t).toFixed(1)}" y="${h - 10}" text-anchor="middle">${tickLabel(t, xStep)}s</text>`).join("");
    const lines = series.filter(s => s.points.length > 0).map(s =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} ` +
        `points="${s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`).join("");
    // Labels of nearby marks go on three staggered rows so they do not overwrite each other.
    const markLines = marks.filter(m => m.t >= 0 && m.t <= xMax).map((m, i) =>
        `<line class="mark" x1="${x(m.t).toFixed(1)}" x2="${x(m.t).toFixed(1)}" y1="${top}" y2="${h - bottom}" stroke="#555" stroke-dasharray="2 3"/>` +
        `<text x="${(x(m.t) + 3).toFixed(1)}" y="${top + 10 + (i % 3) * 12}" fill="#555">${escapeHtml(m.label)}</text>`).join("");
    const legend = series.map((s, i) =>
        `<rect x="${left + i * 190}" y="8" width="12" height="4" fill="${s.color}"/><text x="${left + 16 + i * 190}" y="14">${escapeHtml(s.name)}</text>`).join("");
    return `<figure><figcaption>${escapeHtml(title)} <small>(${escapeHtml(unit)})</small></figcaption>` +
        `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeHtml(title)}" font-size="11" font-family="sans-serif">` +
        `${grid}${xTicks}${legend}${markLines}${lines}</svg></figure>`;
}

/** A step of 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
    const power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map(m => m * power).find(s => s >= raw)!;
}


/** Which of the program's KEDA signals a trigger's query is (lib/queries.ts), if either. */
export function kedaSignalOf(trigger: { query: string }): "queue" | "requestRate" | undefined {
    return trigger.query.includes(TRITON_METRICS.pending) ? "queue" : trigger.query.includes(EXECUTOR_REQUESTS) ? "requestRate" : undefined;
}

/**
 * The autoscaler mode and its signal, read from what the watch saw: KEDA's HPA is named
 * keda-hpa-<ScaledObject>; Seldon's HPA in hpa mode is named after the Deployment; no HPA means none.
 */
export function autoscalerSeen(r: LoadResult): { mode: "none" | "hpa" | "keda"; signal: string } | undefined {
    if (!r.scaling) {
        return undefined;
    }
    const hpa = r.scaling.samples.find(s => s.hpa)?.hpa;
    if (!hpa) {
        return { mode: "none", signal: "none (no HPA targets the Deployment)" };
    }
    const withUnit = r.scaling.samples.find(s => s.hpa?.unit)?.hpa;
    const mode = hpa.name.startsWith("keda-hpa-") ? "keda" : "hpa";
    const trigger = r.scaling.trigger;
    if (mode === "keda" && trigger) {
        const signal = kedaSignalOf(trigger);
        const what = signal === "queue" ? "requests waiting in Triton's queue (kedaSignal queue)"
            : signal === "requestRate" ? "the executors' request rate (kedaSignal requestRate)"
            : `the Prometheus query ${trigger.query}`;
        return { mode, signal: `${what}, target ${trigger.threshold} per replica; the HPA shows the query's total ÷ replicas (AverageValue)` };
    }
    return { mode, signal: withUnit?.unit || "not reported yet by the HPA" };
}

/**
 * The timeline as rates: the last bucket, when the run ended inside it, is scaled to a full second
 * (or left out when it covers under a quarter of one) so the chart shows no false cliff at the end.
 */
export function timelineRates(r: Pick<LoadResult, "timeline">): Array<{ t: number; requests: number; failures: number; users: number }> {
    return r.timeline.filter(p => p.seconds === undefined || p.seconds >= 0.25).map(p => {
        const span = p.seconds ?? 1;
        return { t: Math.round((p.t - 1 + span) * 100) / 100, requests: p.requests / span, failures: p.failures / span, users: p.users };
    });
}

/**
 * When the autoscaler was not acting on its signal, in words: so a fallback holding replicas is not
 * mistaken for the autoscaler at work.
 */
export function describeSignalLost(r: Pick<LoadResult, "scaling">): string[] {
    return signalLostPeriods(r.scaling?.samples ?? []).map(p =>
        `  signal lost from ${p.from} s to ${p.to} s (${p.reason}); replicas meanwhile ${Math.min(...p.replicas)}–${Math.max(...p.replicas)}`);
}

/** When the ready replicas changed, from the watch's samples: `1→2 ready`; and when the signal was lost and came back. */
export function replicaChanges(r: Pick<LoadResult, "scaling">): Mark[] {
    const s = r.scaling?.samples ?? [];
    const ready = s.slice(1).flatMap((p, i) => (p.readyReplicas !== s[i].readyReplicas ? [{ t: p.t, label: `${s[i].readyReplicas}→${p.readyReplicas} ready` }] : []));
    const lost = signalLostPeriods(s).flatMap(p => [{ t: p.from, label: "signal lost" }, ...(p.to > p.from ? [{ t: p.to, label: "signal back" }] : [])]);
    return [...ready, ...lost].sort((a, b) => a.t - b.t);
}

/**
 * The scale-up anatomy of a watched run, from its cluster records; undefined when the watch kept none
 * (a run without --watch, or a report written before the anatomy existed).
 */
export function anatomyFor(r: LoadResult): Anatomy | undefined {
    if (!r.scaling?.cluster) {
        return undefined;
    }
    const trigger = r.scaling.trigger;
    const threshold = trigger && kedaSignalOf(trigger) === "requestRate" ? Number(trigger.threshold) : undefined;
    return scaleUpAnatomy({
        startedAt: r.startedAt,
        durationS: r.durationS,
        samples: r.scaling.samples,
        cluster: r.scaling.cluster,
        rates: timelineRates(r),
        ...(threshold !== undefined && Number.isFinite(threshold) ? { requestRateThreshold: threshold } : {}),
    });
}

export function reportHtml(r: LoadResult): string {
    // One time axis for every chart, long enough for every point (the last second may be partial).
    const rates = timelineRates(r);
    const xMax = Math.max(r.durationS, ...rates.map(p => p.t), ...(r.scaling?.samples.map(s => s.t) ?? [0]));
    // Every chart marks when the ready replicas changed, and each series has an axis of its own scale.
    const marks = replicaChanges(r);
    const charts = [
        lineChart("Throughput", "requests per second", xMax, [{ name: "req/s", color: "#1f77b4", points: rates.map(p => [p.t, p.requests]) }], marks),
        lineChart("Failures", "failed requests per second", xMax, [{ name: "failures/s", color: "#d62728", points: rates.map(p => [p.t, p.failures]) }], marks),
        lineChart("Users", "simulated users", xMax, [{ name: "users", color: "#7f7f7f", points: rates.map(p => [p.t, p.users]) }], marks),
        lineChart("Latency", "ms", xMax, [
            { name: "p95", color: "#ff7f0e", points: r.timeline.filter(p => p.p95 !== null).map(p => [p.t, p.p95!]) },
            { name: "p50", color: "#2ca02c", points: r.timeline.filter(p => p.p50 !== null).map(p => [p.t, p.p50!]) },
        ], marks),
    ];
    if (r.scaling) {
        const s = r.scaling.samples;
        // Replicas, ready and desired are often equal: a wide pale line under a narrower one under a dashed one.
        charts.push(lineChart(`Replicas of ${r.scaling.namespace}/${r.scaling.deployment}`, "pods", xMax, [
            { name: "replicas", color: "#c5b0d5", width: 6, points: s.map(p => [p.t, p.replicas]) },
            { name: "ready", color: "#2ca02c", width: 2.5, points: s.map(p => [p.t, p.readyReplicas]) },
            { name: "HPA desired", color: "#8c564b", width: 1.5, dash: "6 4", points: s.filter(p => p.hpa).map(p => [p.t, p.hpa!.desiredReplicas]) },
        ], marks));
        // Under the replicas, on the same axis: where each new replica's scale-up went.
        if (r.scaling.anatomy) {
            charts.push(anatomyLanes(r.scaling.anatomy, xMax));
        }
        const withMetric = s.filter(p => p.hpa?.metric !== undefined);
        if (withMetric.length > 0) {
            const unit = withMetric[0].hpa!.unit;
            charts.push(lineChart("Autoscaler metric", unit, xMax, [
                { name: "current", color: "#17becf", points: withMetric.map(p => [p.t, p.hpa!.metric!]) },
                { name: "target", color: "#bcbd22", dash: "6 4", points: withMetric.filter(p => p.hpa!.target !== undefined).map(p => [p.t, p.hpa!.target!]) },
            ], marks));
        }
    }
    const seen = autoscalerSeen(r);
    const times = scalingTimes(r);
    const scalingSection = r.scaling
        ? `<h2>Scaling</h2><ul><li>deployment: ${escapeHtml(`${r.scaling.namespace}/${r.scaling.deployment}`)}</li>` +
          `<li>autoscaler: ${seen!.mode}; signal: ${escapeHtml(seen!.signal)}</li>` +
          (times ? describeScaling(times).map(line => `<li>${escapeHtml(line.trim())}</li>`).join("") : "") +
          describeSignalLost(r).map(line => `<li><strong>${escapeHtml(line.trim())}</strong></li>`).join("") + "</ul>"
        : "";
    const l = r.latencyMs;
    const causes = Object.entries(r.failuresByCause).map(([c, n]) => `<li>${escapeHtml(c)}: ${n}</li>`).join("");
    const watchErrors = Object.entries(r.scaling?.errorsByMessage ?? {}).map(([m, n]) => `<li>${escapeHtml(m)}: ${n}</li>`).join("");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load test ${escapeHtml(r.startedAt)}</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}figure{margin:1.5em 0}figcaption{font-weight:bold}svg{max-width:100%;height:auto}</style>
</head><body>
<h1>Load test${seen ? `: ${seen.mode}, ${escapeHtml(`${r.scaling!.namespace}/${r.scaling!.deployment}`)}` : ""}</h1>
<p>${escapeHtml(r.options.host + r.options.path)}: ${r.options.users} users spawned at ${r.options.spawnRate}/s,
waits ${r.options.minWaitMs}-${r.options.maxWaitMs} ms, started ${escapeHtml(r.startedAt)}, ran ${r.durationS} s.</p>
<table><tr><th>requests</th><th>failures</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>
<tr><td>${r.requests}</td><td>${r.failures}</td><td>${r.rps}</td><td>${l?.p50 ?? "-"}</td><td>${l?.p90 ?? "-"}</td><td>${l?.p95 ?? "-"}</td><td>${l?.p99 ?? "-"}</td><td>${l?.max ?? "-"}</td></tr></table>
${r.interrupted ? `<p><strong>Stopped early by ${r.interrupted}</strong> after ${r.durationS} s of ${r.options.runTimeMs / 1000} s: the numbers cover the run until then.</p>` : ""}
${scalingSection}
${causes ? `<h2>Failures by cause</h2><ul>${causes}</ul>` : ""}
${watchErrors ? `<h2>Watch errors</h2><p>${r.scaling!.errors} of the samples of ${escapeHtml(`${r.scaling!.namespace}/${r.scaling!.deployment}`)} failed; the charts lack those points.</p><ul>${watchErrors}</ul>` : ""}
${charts.join("\n")}
</body></html>
`;
}
