// Benchmark (not a test): the unit suite's wall time against the type-check's, on this machine in
// the same run (the budget: the unit suite in about 3x the type-check). Each round runs both, one
// after the other; prints every round and the median ratio.
//   npm run bench:tests [-- --rounds 3]
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..", "..");
const { values } = parseArgs({ options: { rounds: { type: "string", default: "1" } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    console.error(`--rounds ${JSON.stringify(values.rounds)} is not allowed: use a whole number from 1 to 20`);
    process.exit(2);
}

/** Wall seconds of `npm run -s <script>`; exits 1 if it fails (a failing suite is not a measurement). */
function timed(script: string): number {
    const started = process.hrtime.bigint();
    const r = spawnSync("npm", ["run", "-s", script, ...(script === "test:unit" ? ["--", "--reporter", "dot"] : [])],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 15 * 60_000, maxBuffer: 64 * 2 ** 20 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) {
        console.error(`npm run ${script} failed (${r.status ?? r.signal}):\n${(r.stdout ?? "").slice(-6000)}`);
        process.exit(1);
    }
    return seconds;
}

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const ratios: number[] = [];
for (let i = 1; i <= rounds; i++) {
    const typecheck = timed("typecheck");
    const unit = timed("test:unit");
    ratios.push(unit / typecheck);
    console.log(`round ${i}: typecheck ${typecheck.toFixed(1)} s, test:unit ${unit.toFixed(1)} s, ratio ${(unit / typecheck).toFixed(2)}`);
}
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`median ratio ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} (budget: about 3)`);
