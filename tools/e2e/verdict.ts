// The end-to-end workflow's verdict on one load test, read from the load test's own report.json: the
// model scaled up above one replica under load and back down after it. Pure; the same numbers the
// load test's summary prints (loadtest/scaling.ts).
import { scalingTimes } from "../../loadtest/scaling";
import { LoadResult } from "../../loadtest/types";

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
