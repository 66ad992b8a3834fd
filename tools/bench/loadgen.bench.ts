// Benchmark (not a test): the project's load generator as users run it (`npm run loadtest`, that is
// `node -r tsx/cjs loadtest/cli.ts`) against Locust's FastHttpUser, side by side in one run, in
// interleaved rounds: the same users, body shape, duration and local V2 server; the server pinned to
// one core and each generator to the other (taskset, when present). Two settings: saturation (no
// wait between a user's requests) and the tutorial's default waits (10-100 ms). Counts requests per
// CPU-second of each generator's whole process, start-up included, and checks the project's count
// against what the server saw (exact: exit 1 otherwise).
//   npm run bench:loadgen [-- --seconds 10 --users 50 --rounds 2]
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..", "..");
const PATH = "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer";
const REPLY = JSON.stringify({ model_name: "cifar10-pytorch", outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 10], data: Array(10).fill(0.1) }] });
const PYTHON = "/usr/bin/python3";

/** The settings measured, and the ratio to FastHttpUser each aims at (issue 23). */
const SETTINGS = [
    { name: "saturation (no wait)", minWaitMs: 0, maxWaitMs: 0, target: 2 },
    { name: "default waits (10-100 ms)", minWaitMs: 10, maxWaitMs: 100, target: 1.5 },
];

/** A server that reads the body and answers a fixed valid reply, and counts (GET /count reads and resets). */
const SERVER = `
const http = require("http");
const reply = ${JSON.stringify(REPLY)};
let count = 0;
const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/count") { res.end(String(count)); count = 0; return; }
  req.on("data", () => {});
  req.on("end", () => { count++; res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(reply) }); res.end(reply); });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

interface Measured {
    requests: number;
    failures: number;
    cpuSeconds: number;
    maxRssMB: number;
    serverSaw: number;
}

const hasTaskset = spawnSync("taskset", ["--version"]).status === 0;
const pinned = (core: number, command: string, args: string[]): [string, string[]] =>
    hasTaskset && os.cpus().length > 1 ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];

/** Runs a command to its end (with a deadline); resolves with its output. */
function run(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ out: string; err: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", d => (out += d));
        child.stderr.on("data", d => (err += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("close", code => {
            clearTimeout(timer);
            if (code === 0) {
                resolve({ out, err });
            } else {
                reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`));
            }
        });
    });
}

async function serverCount(port: number): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${port}/count`, { signal: AbortSignal.timeout(5000) });
    return Number(await res.text());
}

/** The project's generator: the CLI, with a preload that reports the whole process's CPU at exit. */
async function ours(port: number, users: number, seconds: number, wait: { minWaitMs: number; maxWaitMs: number }): Promise<Measured> {
    await serverCount(port);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-loadgen-"));
    const { err } = await run(...pinned(1, process.execPath, ["-r", "./tools/bench/cpuAtExit.cjs", "-r", "tsx/cjs", "loadtest/cli.ts",
        "--host", `http://127.0.0.1:${port}`, "--users", String(users), "--spawn-rate", "1000", "--run-time", `${seconds}s`,
        "--min-wait", String(wait.minWaitMs), "--max-wait", String(wait.maxWaitMs), "--quiet", "--report", dir]), (seconds + 60) * 1000);
    const line = err.split("\n").find(l => l.startsWith("BENCH_PROCESS "));
    if (!line) {
        throw new Error(`no BENCH_PROCESS line from the generator:\n${err.slice(-2000)}`);
    }
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
    fs.rmSync(dir, { recursive: true, force: true });
    return { requests: report.requests, failures: report.failures, ...JSON.parse(line.slice("BENCH_PROCESS ".length)), serverSaw: await serverCount(port) };
}

async function locust(port: number, users: number, seconds: number, wait: { minWaitMs: number; maxWaitMs: number }): Promise<Measured> {
    await serverCount(port);
    const { out } = await run(...pinned(1, PYTHON, ["-m", "locust", "-f", "tools/bench/locustfile.py", "--headless",
        "-u", String(users), "-r", String(users), "-t", `${seconds}s`, "--host", `http://127.0.0.1:${port}`, "--only-summary", "--loglevel", "WARNING"]),
    (seconds + 60) * 1000, { ...process.env, BENCH_PATH: PATH, BENCH_MIN_WAIT_MS: String(wait.minWaitMs), BENCH_MAX_WAIT_MS: String(wait.maxWaitMs) });
    const line = out.split("\n").find(l => l.startsWith("BENCH "));
    if (!line) {
        throw new Error(`no BENCH line from Locust:\n${out.slice(-2000)}`);
    }
    return { ...JSON.parse(line.slice("BENCH ".length)), serverSaw: await serverCount(port) };
}

const perCpu = (m: Measured) => m.requests / m.cpuSeconds;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, users: { type: "string", default: "50" }, rounds: { type: "string", default: "2" } } });
    const seconds = Number(values.seconds);
    const users = Number(values.users);
    const rounds = Number(values.rounds);
    if (!(seconds >= 1 && seconds <= 600) || !Number.isInteger(users) || users < 1 || users > 1000 || !Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
        console.error(`--seconds ${values.seconds}, --users ${values.users}, --rounds ${values.rounds}: use 1-600 seconds, 1-1000 users and 1-20 rounds`);
        return 2;
    }
    const withLocust = spawnSync(PYTHON, ["-c", "import locust"]).status === 0;
    const [cmd, args] = pinned(0, process.execPath, ["-e", SERVER]);
    const server: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let inexact = false;
    try {
        const port = await new Promise<number>(resolve => server.stdout!.once("data", d => resolve(Number(String(d).trim()))));
        console.log(`${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ` +
            `${users} users, ${seconds} s per run, ${rounds} interleaved round(s), server on core 0, generator on core 1${hasTaskset ? "" : " (no taskset: not pinned)"}; ` +
            "CPU and memory of each generator's whole process, start-up included");
        console.log("| round | setting | generator | requests | server saw | failures | CPU s | peak MB | requests per CPU-second |");
        console.log("|---|---|---|---|---|---|---|---|---|");
        const ratios = new Map<string, number[]>(SETTINGS.map(s => [s.name, []]));
        for (let round = 1; round <= rounds; round++) {
            for (const setting of SETTINGS) {
                // Alternate who goes first, so neither always runs on a warmer machine.
                const order = round % 2 === 1 ? ["ours", "locust"] : ["locust", "ours"];
                const measured: Record<string, Measured> = {};
                for (const who of order) {
                    if (who === "ours") {
                        measured.ours = await ours(port, users, seconds, setting);
                    } else if (withLocust) {
                        measured.locust = await locust(port, users, seconds, setting);
                    }
                }
                for (const [who, m] of Object.entries(measured)) {
                    console.log(`| ${round} | ${setting.name} | ${who === "ours" ? "scalable-serving loadgen" : "Locust FastHttpUser"} | ${m.requests} | ${m.serverSaw} | ` +
                        `${m.failures} | ${m.cpuSeconds.toFixed(2)} | ${m.maxRssMB} | ${Math.round(perCpu(m))} |`);
                }
                if (measured.ours.requests !== measured.ours.serverSaw) {
                    inexact = true;
                }
                if (measured.locust) {
                    ratios.get(setting.name)!.push(perCpu(measured.ours) / perCpu(measured.locust));
                }
            }
        }
        if (!withLocust) {
            console.log("Locust not found (Debian: apt-get install python3-locust): only this generator was measured");
        } else {
            for (const setting of SETTINGS) {
                const r = ratios.get(setting.name)!;
                console.log(`${setting.name}: ${r.map(x => x.toFixed(2)).join(", ")}× FastHttpUser per CPU-second; median ${median(r).toFixed(2)}× ` +
                    `(target ${setting.target}×: ${median(r) >= setting.target ? "met" : "NOT met"})`);
            }
        }
        if (inexact) {
            console.error("the project's generator reported a count the server did not see: its counts must be exact");
            return 1;
        }
        return 0;
    } finally {
        server.kill();
    }
}

main().then(code => { process.exitCode = code; }, e => {
    console.error(e);
    process.exitCode = 1;
});
