// The project's load generator as its own process, for tools/bench/loadgen.bench.ts: runs one load
// and prints one JSON line with requests, failures and the CPU seconds it spent while the load ran.
//   node --import tsx tools/bench/generator.ts URL USERS SECONDS
import { runLoad } from "../../loadtest/engine";

async function main(): Promise<void> {
    const [url, users, seconds] = process.argv.slice(2);
    const target = new URL(url);
    const cpu0 = process.cpuUsage();
    const r = await runLoad({
        host: target.origin, path: target.pathname, users: Number(users), spawnRate: 1000, runTimeMs: Number(seconds) * 1000,
        minWaitMs: 0, maxWaitMs: 0, timeoutMs: 10000, progress: "none",
    });
    const cpu = process.cpuUsage(cpu0);
    console.log(`BENCH ${JSON.stringify({ requests: r.requests, failures: r.failures, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}`);
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
