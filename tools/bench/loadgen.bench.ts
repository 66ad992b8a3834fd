// Benchmark (not a test): how fast can the load generator itself go on this machine? It drives a
// trivial V2 server in a separate process on 127.0.0.1 and reports req/s and the generator's CPU.
//   npm run bench:loadgen [-- --seconds 10]
import { ChildProcess, spawn } from "child_process";
import { runLoad } from "../../loadtest/engine";
import { LoadOptions } from "../../loadtest/types";

const REPLY = JSON.stringify({ model_name: "cifar10-pytorch", outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 10], data: Array(10).fill(0.1) }] });

/** A server that reads the body and answers a fixed valid reply: as cheap as a server can be. */
const SERVER = `
const http = require("http");
const reply = ${JSON.stringify(REPLY)};
const server = http.createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => { res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(reply) }); res.end(reply); });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

async function startServer(): Promise<{ port: number; child: ChildProcess }> {
    const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>(resolve => child.stdout!.once("data", d => resolve(Number(String(d).trim()))));
    return { port, child };
}

async function scenario(name: string, port: number, o: Partial<LoadOptions>, seconds: number) {
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const r = await runLoad({
        host: `http://127.0.0.1:${port}`, path: "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer",
        users: 100, spawnRate: 1000, runTimeMs: seconds * 1000, minWaitMs: 0, maxWaitMs: 0, timeoutMs: 10000, progress: "none", ...o,
    });
    const cpu = process.cpuUsage(cpu0);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (Date.now() - t0);
    return { name, rps: r.rps, failures: r.failures, p50: r.latencyMs?.p50, p95: r.latencyMs?.p95, cpu: Math.round(cpuShare * 100) };
}

async function main() {
    const i = process.argv.indexOf("--seconds");
    const seconds = i > 0 ? Number(process.argv[i + 1]) : 10;
    const { port, child } = await startServer();
    try {
        const rows = [
            await scenario("ceiling: 100 users, no wait", port, { minWaitMs: 0, maxWaitMs: 0 }, seconds),
            await scenario("tutorial: 100 users, 10-100 ms waits", port, { minWaitMs: 10, maxWaitMs: 100 }, seconds),
        ];
        console.log(`node ${process.version}, ${require("os").cpus().length} cores, ${seconds} s per scenario, server in its own process`);
        console.log("| scenario | req/s | failures | p50 ms | p95 ms | generator CPU (% of one core) |");
        console.log("|---|---|---|---|---|---|");
        for (const r of rows) {
            console.log(`| ${r.name} | ${r.rps} | ${r.failures} | ${r.p50} | ${r.p95} | ${r.cpu} |`);
        }
        const ideal = 100 / 0.055;
        console.log(`tutorial load at most: 100 users / 55 ms mean wait = ${Math.round(ideal)} req/s (less the model's latency)`);
    } finally {
        child.kill();
    }
}

main().catch(e => { console.error(e); process.exitCode = 1; });
