// Benchmark (not a test): `npm run plan` with its scaling prediction, as a reviewer runs it, against
// its budget of 5 s on this machine. Each round is one whole command in a fresh process (start-up,
// the program under mocks, the plan, the twin for every mode against the last commit's settings and
// for a changed setting). Prints every round and the median; exits 1 over the budget.
//   npm run bench:plan [-- --rounds 5]
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..", "..");
const BUDGET_S = 5;
const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    console.error(`--rounds ${JSON.stringify(values.rounds)} is not allowed: use a whole number from 1 to 20`);
    process.exit(2);
}

/** Wall seconds of one plan; exits 1 if it fails or prints no scaling comparison (a failing plan is not a measurement). */
function timed(args: string[]): number {
    const started = process.hrtime.bigint();
    const r = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "dev", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 2 ** 20 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0 || !r.stdout.includes("### Scaling prediction: stack `dev`")) {
        console.error(`npm run plan failed (${r.status ?? r.signal}) or printed no scaling prediction:\n${(r.stderr ?? "").slice(-4000)}`);
        process.exit(1);
    }
    return seconds;
}

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const times: number[] = [];
for (let i = 1; i <= rounds; i++) {
    const same = timed([]);
    const changed = timed(["--set", "kedaScaleDownStabilizationSeconds=60", "--set", "maxReplicas=5"]);
    times.push(same, changed);
    console.log(`round ${i}: settings as committed ${same.toFixed(2)} s, a scaling setting changed ${changed.toFixed(2)} s`);
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
console.log(`median ${median.toFixed(2)} s, slowest ${Math.max(...times).toFixed(2)} s (budget: ${BUDGET_S} s)`);
process.exitCode = Math.max(...times) > BUDGET_S ? 1 : 0;
