// Benchmark (not a test): the project's load generator against Locust's FastHttpUser, side by side
// in one run: the same users, body shape, duration and local V2 server, each generator pinned to one
// core of its own (taskset, when present). Prints requests per CPU-second of each and their ratio,
// and checks the counts against what the server saw.
//   npm run bench:loadgen [-- --seconds 10 --users 50]
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..", "..");
const PATH = "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer";
const REPLY = JSON.stringify({ model_name: "cifar10-pytorch", outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 10], data: Array(10).fill(0.1) }] });

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
    serverSaw: number;
}

const hasTaskset = spawnSync("taskset", ["--version"]).status === 0;
const pinned = (core: number, command: string, args: string[]): [string, string[]] =>
    hasTaskset && os.cpus().length > 1 ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", d => (out += d));
        child.stderr.on("data", d => (err += d));
        child.on("close", code => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`))));
    });
}

async function serverCount(port: number): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${port}/count`, { signal: AbortSignal.timeout(5000) });
    return Number(await res.text());
}

async function measure(port: number, command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Measured> {
    await serverCount(port);
    const out = await run(...pinned(1, command, args), env);
    const line = out.split("\n").find(l => l.startsWith("BENCH "));
    if (!line) {
        throw new Error(`no BENCH line in the output of ${command}:\n${out.slice(-2000)}`);
    }
    return { ...JSON.parse(line.slice(6)), serverSaw: await serverCount(port) };
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, users: { type: "string", default: "50" } } });
    const seconds = Number(values.seconds);
    const users = Number(values.users);
    if (!(seconds > 0) || !Number.isInteger(users) || users < 1) {
        throw new Error(`--seconds ${values.seconds} and --users ${values.users}: use a positive number of seconds and a whole number of users`);
    }
    const [cmd, args] = pinned(0, process.execPath, ["-e", SERVER]);
    const server: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    try {
        const port = await new Promise<number>(resolve => server.stdout!.once("data", d => resolve(Number(String(d).trim()))));
        const url = `http://127.0.0.1:${port}${PATH}`;
        const rows: Array<[string, Measured]> = [
            ["scalable-serving loadgen", await measure(port, process.execPath, ["--import", "tsx", "tools/bench/generator.ts", url, String(users), String(seconds)])],
        ];
        const locust = spawnSync("/usr/bin/python3", ["-c", "import locust"]).status === 0;
        if (locust) {
            rows.push(["Locust FastHttpUser", await measure(port, "/usr/bin/python3", ["-m", "locust", "-f", "tools/bench/locustfile.py", "--headless",
                "-u", String(users), "-r", String(users), "-t", `${seconds}s`, "--host", `http://127.0.0.1:${port}`, "--only-summary", "--loglevel", "WARNING"],
            { ...process.env, BENCH_PATH: PATH })]);
        }
        console.log(`${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ` +
            `${users} users, no wait, ${seconds} s each, server on core 0, generator on core 1${hasTaskset ? "" : " (no taskset: not pinned)"}`);
        console.log("| generator | requests | server saw | failures | CPU s | requests per CPU-second |");
        console.log("|---|---|---|---|---|---|");
        for (const [name, m] of rows) {
            console.log(`| ${name} | ${m.requests} | ${m.serverSaw} | ${m.failures} | ${m.cpuSeconds.toFixed(2)} | ${Math.round(m.requests / m.cpuSeconds)} |`);
        }
        if (rows.length === 2) {
            const [ours, theirs] = rows.map(([, m]) => m.requests / m.cpuSeconds);
            console.log(`ratio: ${(ours / theirs).toFixed(2)}× Locust FastHttpUser per CPU-second`);
        } else {
            console.log("Locust not found (Debian: apt-get install python3-locust): only this generator was measured");
        }
    } finally {
        server.kill();
    }
}

main().catch(e => {
    console.error(e);
    process.exitCode = 1;
});
