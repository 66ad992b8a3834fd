// The end-to-end workflow's verdict on one load test, read from the load test's own report.json: the
// model scaled up above one replica under load and back down after it. Pure; the same numbers the
// load test's summary prints (loadtest/scaling.ts).
import { CAUSES } from "../../loadtest/anatomy";
import { scalingTimes } from "../../loadtest/scaling";
import { LoadResult } from "../../loadtest/types";
import { STEP_BUDGETS_S } from "./budgets";

export interface Verdict {
    problems: string[];
    /** A Markdown table row for the job summary: mode, replicas, scale-up, scale-down, verdict. */
    row: string;
}

export const SUMMARY_HEADER = "| autoscaler | replicas (start → peak ready) | scale-up: target crossed → new replica ready | scale-down: load ended → back to start | verdict |\n|---|---|---|---|---|";

export function scalingVerdict(report: LoadResult, mode: string): Verdict {
    const problems: string[] = [];
    const times = scalingTimes(report);
    if (report.requests <= report.failures) {
        problems.push(`no request got a valid answer (${report.requests} sent, ${report.failures} failed)`);
    }
    if (!times) {
        problems.push("the report has no scaling samples: run the load test with --watch");
    } else {
        if (times.peakReadyReplicas <= 1 || !times.scaleUp) {
            problems.push(`did not scale up above one replica under load (at most ${times.peakReadyReplicas} ready)`);
        }
        if (times.scaleUp && !times.scaleDown) {
            const watched = report.scaling?.cooldown?.watchedS;
            problems.push(`did not scale back down to ${times.startReplicas} after the load` + (watched !== undefined ? ` (watched ${watched} s; a longer --cooldown?)` : " (run with --cooldown)"));
        }
    }
    const cell = (v: number | undefined, from?: string) => (v === undefined ? "not seen" : `${v} s${from ? ` (from ${from})` : ""}`);
    const row = `| ${mode} | ${times ? `${times.startReplicas} → ${times.peakReadyReplicas}` : "-"} | ` +
        `${cell(times?.scaleUp?.afterS, times?.trigger.from)} | ${cell(times?.scaleDown?.afterS)} | ${problems.length === 0 ? "passed" : `FAILED: ${problems.join("; ")}`} |`;
    return { problems, row };
}

/**
 * The scale-up anatomy of one run for the job summary (a table: one row per new replica, seconds per
 * step), and every step over its budget (tools/e2e/budgets.ts) as a problem.
 */
export function anatomyVerdict(report: LoadResult, mode: string): { problems: string[]; markdown: string } {
    const anatomy = report.scaling?.anatomy;
    if (!anatomy) {
        const problem = "the report has no scale-up anatomy: run the load test with --watch";
        return { problems: [problem], markdown: `#### Scale-up anatomy: ${mode}\n\n${problem}\n` };
    }
    const problems: string[] = [];
    for (const r of anatomy.replicas) {
        for (const cause of CAUSES) {
            const s = r.seconds[cause];
            if (s !== undefined && s > STEP_BUDGETS_S[cause]) {
                problems.push(`${r.pod}: ${cause} took ${s} s, over its budget of ${STEP_BUDGETS_S[cause]} s (tools/e2e/budgets.ts)`);
            }
        }
        if (r.outcome.kind !== "ready") {
            problems.push(`${r.pod}: ${r.outcome.note}`);
        }
    }
    const header = `| replica | ${CAUSES.join(" | ")} | outcome |\n|---|${CAUSES.map(() => "---|").join("")}---|`;
    const rows = anatomy.replicas.map(r => `| ${r.pod} | ${CAUSES.map(c => {
        const s = r.seconds[c];
        return s === undefined ? "-" : s > STEP_BUDGETS_S[c] ? `**${s}** (budget ${STEP_BUDGETS_S[c]})` : String(s);
    }).join(" | ")} | ${r.outcome.kind === "ready" ? `ready at ${r.outcome.atS} s` : r.outcome.note} |`);
    const markdown = [`#### Scale-up anatomy: ${mode}`, "", anatomy.replicas.length ? header : "no new replica", ...rows, "",
        ...(anatomy.slowest ? [anatomy.slowest.text, ""] : []), ...anatomy.notes.map(n => `- ${n}`), ""].join("\n");
    return { problems, markdown };
}
