// `node --import tsx tools/e2e/chaos-verdict.ts <report.json> <chaos.json> [alerts.json]`: exit 0 when
// the load test's report shows the fallback held while the signal was lost (and, for a deleted
// PodMonitor, the missing-metrics alert fired), 1 otherwise, saying why. Appends a row to the job
// summary when GITHUB_STEP_SUMMARY names a file.
import * as fs from "fs";
import { CHAOS_SUMMARY_HEADER, chaosVerdict } from "./chaos";

const [reportFile, chaosFile, alertsFile] = process.argv.slice(2);
if (!reportFile || !chaosFile) {
    console.error("usage: node --import tsx tools/e2e/chaos-verdict.ts <report.json> <chaos.json> [alerts.json]");
    process.exit(2);
}
const readJson = (file: string) => {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        console.error(`chaos-verdict: cannot read ${file}: ${(e as Error).message}`);
        process.exit(1);
    }
};
const verdict = chaosVerdict(readJson(reportFile), readJson(chaosFile), alertsFile ? readJson(alertsFile) : undefined);
const summary = process.env.GITHUB_STEP_SUMMARY;
if (summary) {
    const fresh = !fs.existsSync(summary) || !fs.readFileSync(summary, "utf8").includes(CHAOS_SUMMARY_HEADER);
    fs.appendFileSync(summary, `${fresh ? `\n### Losing the signal\n\n${CHAOS_SUMMARY_HEADER}\n` : ""}${verdict.row}\n`);
}
console.log(verdict.row);
if (verdict.problems.length > 0) {
    verdict.problems.forEach(p => console.error(`chaos-verdict: ${p}`));
    process.exit(1);
}
