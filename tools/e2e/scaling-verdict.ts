// `node --import tsx tools/e2e/scaling-verdict.ts <report.json> <autoscaler>`: exit 0 when the load
// test's report shows the model scaled up above one replica and back down, 1 otherwise (saying why).
// Appends a row to the job summary when GITHUB_STEP_SUMMARY names a file, and the run's scale-up
// anatomy below it; a step over its budget (tools/e2e/budgets.ts) fails the run too.
import * as fs from "fs";
import { anatomyVerdict, scalingVerdict, SUMMARY_HEADER } from "./verdict";

const [file, mode] = process.argv.slice(2);
if (!file || !mode) {
    console.error("usage: node --import tsx tools/e2e/scaling-verdict.ts <report.json> <autoscaler>");
    process.exit(2);
}
let verdict;
let anatomy;
try {
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    verdict = scalingVerdict(report, mode);
    anatomy = anatomyVerdict(report, mode);
} catch (e) {
    console.error(`scaling-verdict: cannot read ${file}: ${(e as Error).message}`);
    process.exit(1);
}
const summary = process.env.GITHUB_STEP_SUMMARY;
if (summary) {
    const fresh = !fs.existsSync(summary) || !fs.readFileSync(summary, "utf8").includes(SUMMARY_HEADER);
    fs.appendFileSync(summary, `${fresh ? `### Scaling on kind\n\n${SUMMARY_HEADER}\n` : ""}${verdict.row}\n`);
    fs.appendFileSync(`${summary}.anatomy`, `${anatomy.markdown}\n`);
}
console.log(verdict.row);
console.log(anatomy.markdown);
const problems = [...verdict.problems, ...anatomy.problems];
if (problems.length > 0) {
    problems.forEach(p => console.error(`scaling-verdict (${mode}): ${p}`));
    process.exit(1);
}
