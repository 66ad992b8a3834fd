// The scale-up anatomy drawn: one lane per new replica, each step a coloured bar on the report's
// common time axis (the same plot area as every chart above it, so a step lines up with the replicas
// it produced), image pulls as a dark strip under the steps they overlapped, and the slowest step in
// words. Inline SVG, no scripts. Pure.
import { Anatomy, Cause, CAUSES, STEP_MEANING } from "./anatomy";
import { escapeHtml } from "./html";

/** The plot area every chart of the report shares (report.ts lineChart): width, left and right margins. */
export const PLOT = { width: 860, left: 56, right: 16 } as const;

/** One colour per step (and for image pulls), readable side by side. */
export const STEP_COLOURS: Record<Cause, string> = {
    "signal": "#9467bd",
    "pod creation": "#8c564b",
    "scheduling": "#e377c2",
    "pod start": "#7f7f7f",
    "model download": "#1f77b4",
    "Triton start": "#bcbd22",
    "model load + readiness": "#ff7f0e",
    "first request": "#2ca02c",
    "image pull": "#d62728",
};

/** Geometry of the lanes, in SVG units (= CSS pixels at the SVG's natural width). */
export const LANE = { top: 44, height: 34, bar: 16, labelGap: 12, pull: 5 } as const;


/** The lanes of the anatomy over [0, xMax] seconds; empty when no replica was added. */
export function anatomyLanes(a: Anatomy, xMax: number): string {
    if (a.replicas.length === 0) {
        return "";
    }
    const { width, left, right } = PLOT;
    const x = (t: number) => left + (Math.max(0, Math.min(t, xMax)) / Math.max(1, xMax)) * (width - left - right);
    const h = LANE.top + a.replicas.length * LANE.height + 8;
    const used = new Set<Cause>(a.replicas.flatMap(r => [...r.steps.map(s => s.name as Cause), ...(r.pulls.some(p => p.toS > p.fromS) ? ["image pull" as Cause] : [])]));
    const legendCauses = CAUSES.filter(c => used.has(c));
    const legend = legendCauses.map((c, i) => {
        const lx = left + (i % 4) * 200;
        const ly = 8 + Math.floor(i / 4) * 13;
        return `<g><title>${escapeHtml(`${c}: ${STEP_MEANING[c]}`)}</title><rect x="${lx}" y="${ly}" width="12" height="8" fill="${STEP_COLOURS[c]}"/>` +
            `<text x="${lx + 16}" y="${ly + 8}">${escapeHtml(c)}</text></g>`;
    }).join("");
    const lanes = a.replicas.map((r, i) => {
        const y = LANE.top + i * LANE.height;
        const barY = y + LANE.labelGap;
        const label = `${r.pod}: ${r.outcome.kind === "ready" ? `ready at ${r.outcome.atS} s` : r.outcome.note}`;
        const bars = r.steps.map(s => {
            const x0 = x(s.fromS);
            const w = Math.max(0, x(s.toS) - x0);
            return `<rect class="step" data-step="${escapeHtml(s.name)}" x="${x0.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="${LANE.bar}" fill="${STEP_COLOURS[s.name]}"${s.open ? ` fill-opacity="0.45"` : ""}>` +
                `<title>${escapeHtml(`${s.name}: ${s.fromS}–${s.toS} s${s.open ? " (not finished)" : ""}; ${s.source}`)}</title></rect>`;
        }).join("");
        const pulls = r.pulls.filter(p => p.toS > p.fromS).map(p =>
            `<rect class="pull" x="${x(p.fromS).toFixed(1)}" y="${barY + LANE.bar + 1}" width="${(x(p.toS) - x(p.fromS)).toFixed(1)}" height="${LANE.pull}" fill="${STEP_COLOURS["image pull"]}">` +
            `<title>${escapeHtml(`image pull ${p.container}: ${p.fromS}–${p.toS} s${p.failures ? `, ${p.failures} failed` : ""}`)}</title></rect>`).join("");
        return `<text x="${left}" y="${y + 9}">${escapeHtml(label)}</text>${bars}${pulls}`;
    }).join("");
    // Where the load crossed the target: a tick above the lanes (never across them, so no bar is hidden).
    const signal = a.signalFrom
        ? `<line x1="${x(a.signalFrom.atS).toFixed(1)}" x2="${x(a.signalFrom.atS).toFixed(1)}" y1="${LANE.top - 6}" y2="${LANE.top}" stroke="#555"><title>${escapeHtml(a.signalFrom.how)}</title></line>`
        : "";
    return `<figure><figcaption>Scale-up anatomy <small>(one lane per new replica, same time axis as the charts)</small></figcaption>` +
        `<svg class="lanes" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="Scale-up anatomy" font-size="10" font-family="sans-serif" shape-rendering="crispEdges">` +
        `${legend}${signal}${lanes}</svg>` +
        (a.slowest ? `<p class="slowest"><strong>${escapeHtml(a.slowest.text)}</strong></p>` : "") +
        (a.notes.length ? `<ul>${a.notes.map(n => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : "") + "</figure>";
}
