import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LoadOptions, main, parseArgs, parseDuration, quantile, randomImageBody, reportHtml, runLoad, summaryTable, UsageError, writeReports } from "../loadtest/loadgen";
import { EventEmitter } from "events";
import { spawn } from "child_process";
import { Misbehaviour, startMisbehavingServer } from "./misbehaving";
import { startV2Server, validReply } from "./v2server";

/** Options for a short run against a local server. */
function options(host: string, overrides: Partial<LoadOptions> = {}): LoadOptions {
    return {
        host,
        path: "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer",
        users: 4,
        spawnRate: 20,
        runTimeMs: 1500,
        minWaitMs: 10,
        maxWaitMs: 100,
        timeoutMs: 1000,
        progress: "none",
        ...overrides,
    };
}

describe("load generator", () => {
    describe("requests", () => {
        it("sends valid V2 requests with a random UINT8 [1,3,32,32] image to the infer path", async () => {
            const server = await startV2Server();
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { runTimeMs: 600 }));
                assert.ok(server.requests.length >= 8, `only ${server.requests.length} requests`);
                assert.strictEqual(r.requests, server.requests.length);
                assert.strictEqual(r.failures, 0);
                const images = new Set<string>();
                for (const req of server.requests) {
                    assert.strictEqual(req.method, "POST");
                    assert.strictEqual(req.url, "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer");
                    const [input] = req.body.inputs;
                    assert.deepStrictEqual([req.body.inputs.length, input.name, input.datatype, input.shape], [1, "image__0", "UINT8", [1, 3, 32, 32]]);
                    assert.strictEqual(input.data.length, 3072);
                    assert.ok(input.data.every((x: number) => Number.isInteger(x) && x >= 0 && x <= 255));
                    images.add(JSON.stringify(input.data));
                }
                assert.strictEqual(images.size, server.requests.length, "every request carries a new random image");
            } finally {
                await server.close();
            }
        });

        it("randomImageBody covers the whole 0-255 range", () => {
            const data: number[] = JSON.parse(randomImageBody()).inputs[0].data;
            assert.strictEqual(Math.min(...data), 0);
            assert.strictEqual(Math.max(...data), 255);
            const fixed = JSON.parse(randomImageBody(() => 0.999999)).inputs[0].data;
            assert.ok(fixed.every((x: number) => x === 255));
        });
    });

    describe("users, ramp and waits", () => {
        it("spawns users at the spawn rate", async () => {
            const server = await startV2Server();
            const users = 6;
            try {
                // Waits longer than the run: every user sends exactly one request, when it starts.
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users, spawnRate: 10, runTimeMs: 700, minWaitMs: 5000, maxWaitMs: 5000 }));
                assert.strictEqual(server.requests.length, users);
                const start = Date.parse(r.startedAt);
                server.requests.forEach((q, i) => {
                    const at = q.at - start;
                    assert.ok(at >= i * 100 - 5 && at <= i * 100 + 60, `user ${i} started at ${at} ms, expected ${i * 100} ms`);
                });
            } finally {
                await server.close();
            }
        });

        it("keeps every user busy: throughput follows users / mean wait", async () => {
            const server = await startV2Server();
            const users = 6;
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users, spawnRate: 100, runTimeMs: 2100, minWaitMs: 40, maxWaitMs: 80 }));
                // Near-instant replies and waits of 40-80 ms: about 1000 / 60 requests per second per user.
                const expected = users * (1000 / 60);
                const steady = r.timeline.find(p => p.t === 2)!;
                assert.ok(steady.requests > expected * 0.7 && steady.requests < expected * 1.2,
                    `${steady.requests} req/s in a steady second, expected about ${expected.toFixed(0)}`);
                assert.strictEqual(steady.users, users);
            } finally {
                await server.close();
            }
        });

        it("waits between a user's requests: one user with 200-200 ms waits sends about 5 per second", async () => {
            const server = await startV2Server();
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 1, runTimeMs: 1100, minWaitMs: 200, maxWaitMs: 200 }));
                assert.ok(r.requests >= 5 && r.requests <= 6, `${r.requests} requests`);
                const gaps = server.requests.slice(1).map((q, i) => q.at - server.requests[i].at);
                for (const gap of gaps) {
                    assert.ok(gap >= 195 && gap < 280, `gap ${gap} ms`);
                }
            } finally {
                await server.close();
            }
        });

        it("stops sending at the end of the run time", async () => {
            const server = await startV2Server();
            try {
                const started = Date.now();
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { runTimeMs: 500 }));
                const last = Math.max(...server.requests.map(q => q.at));
                assert.ok(last - started <= 550, `a request was sent ${last - started} ms after the start`);
                assert.ok(r.durationS >= 0.5 && r.durationS < 1.2, `ran ${r.durationS} s`);
            } finally {
                await server.close();
            }
        });
    });

    describe("failure accounting", () => {
        it("counts HTTP errors, invalid replies and timeouts by cause", async () => {
            const server = await startV2Server(n => {
                switch (n % 4) {
                    case 0: return { status: 200, body: validReply() };
                    case 1: return { status: 503, body: "no healthy upstream" };
                    case 2: return { status: 200, body: { outputs: [{ name: "probs__0", data: [1] }] } };
                    default: return { status: 200, body: validReply(), delayMs: 400 };
                }
            });
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 1, runTimeMs: 1000, minWaitMs: 0, maxWaitMs: 0, timeoutMs: 150 }));
                assert.strictEqual(r.requests, server.requests.length);
                const n = server.requests.length;
                const expected = (k: number) => Math.floor(n / 4) + (n % 4 > k ? 1 : 0);
                assert.deepStrictEqual(r.failuresByCause, {
                    "HTTP 503": expected(1),
                    "invalid reply": expected(2),
                    "timeout": expected(3),
                });
                assert.strictEqual(r.failures, expected(1) + expected(2) + expected(3));
                assert.strictEqual(r.timeline.reduce((a, p) => a + p.failures, 0), r.failures);
                assert.strictEqual(r.timeline.reduce((a, p) => a + p.requests, 0), r.requests);
            } finally {
                await server.close();
            }
        });

        it("counts refused connections", async () => {
            const server = await startV2Server();
            const host = `http://127.0.0.1:${server.port}`;
            await server.close();
            const r = await runLoad(options(host, { users: 1, runTimeMs: 300 }));
            assert.ok(r.requests > 0);
            assert.strictEqual(r.failures, r.requests);
            assert.deepStrictEqual(Object.keys(r.failuresByCause), ["connection: ECONNREFUSED"]);
            assert.strictEqual(r.latencyMs, null);
        });
    });

    describe("always ends, and keeps what it measured", () => {
        // Each of these would hold a request open for ever; the idle timeout of the old generator
        // never fired on a body that trickles faster than it.
        // A close that races with the request body may surface as a reset or a broken pipe instead.
        const closed = /^(connection closed before an answer|connection: (ECONNRESET|EPIPE))$/;
        for (const [how, cause] of [["trickle", /^timeout$/], ["accept-then-hang", /^timeout$/], ["endless", /^reply too large$/],
            ["accept-then-close", closed]] as Array<[Misbehaviour, RegExp]>) {
            it(`a server that does ${how} cannot keep the run past --run-time plus --timeout`, async () => {
                const server = await startMisbehavingServer(how);
                try {
                    const r = await runLoad(options(server.url.replace(/\/$/, ""), { users: 2, runTimeMs: 500, timeoutMs: 1500, path: "/" }));
                    assert.ok(r.requests > 0);
                    assert.strictEqual(r.failures, r.requests);
                    assert.ok(Object.keys(r.failuresByCause).every(c => cause.test(c)), JSON.stringify(r.failuresByCause));
                    // Generous: the property is that it ends (a trickled 100 kB body would take a day).
                    assert.ok(r.durationS < 0.5 + 1.5 + 5, `ran ${r.durationS} s`);
                } finally {
                    await server.close();
                }
            });
        }

        it("a tiny spawn rate cannot stretch the run past --run-time", async () => {
            const server = await startV2Server();
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 5, spawnRate: 0.01, runTimeMs: 400 }));
                assert.ok(r.requests > 0);
                assert.ok(r.durationS < 5, `ran ${r.durationS} s, as if it waited 100 s for a second user`);
                assert.strictEqual(Math.max(...r.timeline.map(p => p.users)), 1);
            } finally {
                await server.close();
            }
        });

        it("a signal stops the load, then the summary and reports cover what was measured (exit 130 / 143)", async () => {
            const server = await startV2Server();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadgen-interrupt-"));
            const logs: string[] = [];
            const { error, log } = console;
            console.error = (m: string) => logs.push(m);
            console.log = (m: string) => logs.push(m);
            try {
                for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
                    const signals = new EventEmitter();
                    const sent = server.requests.length;
                    const run = main(["--host", `http://127.0.0.1:${server.port}`, "--users", "2", "--run-time", "1h", "--quiet", "--report", dir], { signals });
                    while (server.requests.length < sent + 5) {
                        await new Promise(r => setTimeout(r, 20));
                    }
                    signals.emit(signal);
                    assert.strictEqual(await run, code);
                    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
                    assert.strictEqual(report.interrupted, signal);
                    assert.strictEqual(report.failures, 0, "requests cut by the stop are not failures");
                    assert.ok(report.requests >= 5 && report.requests <= server.requests.length - sent);
                    assert.match(fs.readFileSync(path.join(dir, "report.html"), "utf8"), new RegExp(`Stopped early by ${signal}`));
                    assert.match(logs.join("\n"), new RegExp(`stopped early by ${signal} after`));
                    assert.strictEqual(signals.listenerCount(signal), 0, "handlers are removed");
                }
            } finally {
                console.error = error;
                console.log = log;
                await server.close();
            }
        });

        it("Ctrl-C on the real command line: summary, reports, exit 130", async () => {
            const server = await startV2Server();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadgen-ctrl-c-"));
            try {
                const child = spawn(process.execPath, ["--import", "tsx", "loadtest/cli.ts", "--host", `http://127.0.0.1:${server.port}`,
                    "--users", "2", "--run-time", "1h", "--report", dir], { cwd: path.resolve(__dirname, "..") });
                let out = "";
                child.stdout.on("data", (d: Buffer) => (out += d));
                child.stderr.on("data", (d: Buffer) => (out += d));
                while (server.requests.length < 5) {
                    await new Promise(r => setTimeout(r, 20));
                }
                child.kill("SIGINT");
                const status = await new Promise(resolve => child.on("close", resolve));
                assert.strictEqual(status, 130, out);
                assert.match(out, /SIGINT: stopping the load/);
                assert.match(out, /requests\s+failures/);
                assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")).interrupted, "SIGINT");
            } finally {
                await server.close();
            }
        });
    });

    describe("reports", () => {
        let dir: string;
        let result: Awaited<ReturnType<typeof runLoad>>;

        before(async () => {
            const server = await startV2Server(n => (n % 10 === 9 ? { status: 500, body: "boom" } : { status: 200, body: validReply() }));
            try {
                result = await runLoad(options(`http://127.0.0.1:${server.port}`, { runTimeMs: 1200 }));
            } finally {
                await server.close();
            }
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadgen-report-"));
            writeReports(dir, result);
        });

        it("JSON report: totals, failures by cause, latency percentiles and a per-second timeline", () => {
            const json = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
            assert.deepStrictEqual(json, JSON.parse(JSON.stringify(result)));
            assert.strictEqual(json.options.users, 4);
            assert.ok(json.requests > 15);
            assert.strictEqual(json.failuresByCause["HTTP 500"], json.failures);
            assert.strictEqual(json.failures, Math.floor(json.requests / 10));
            const l = json.latencyMs;
            assert.ok(l.p50 <= l.p90 && l.p90 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max);
            assert.deepStrictEqual(json.timeline.map((p: any) => p.t), [1, 2]);
            // durationS is rounded to 0.1 s: compare within that rounding.
            assert.ok(Math.abs(json.rps - json.requests / json.durationS) <= json.rps * 0.05, `${json.rps} vs ${json.requests} / ${json.durationS}`);
        });

        it("HTML report: self-contained charts of throughput and latency over time", () => {
            const html = fs.readFileSync(path.join(dir, "report.html"), "utf8");
            assert.ok(html.startsWith("<!doctype html>"));
            assert.ok(!/<script|<link|src=|href=/i.test(html), "no external or inline scripts, no links");
            assert.strictEqual((html.match(/<svg /g) ?? []).length, 2);
            assert.ok(html.includes("Throughput and users") && html.includes("Latency"));
            assert.ok(html.includes(`<td>${result.requests}</td>`));
            assert.ok(html.includes("HTTP 500: "));
        });

        it("HTML report: replicas and the autoscaler's metric on the same time axis when watched", () => {
            const watched = {
                ...result,
                scaling: {
                    namespace: "seldon", deployment: "cifar10-default-0-cifar10-pytorch", errors: 0, errorsByMessage: {},
                    samples: [
                        { t: 0, replicas: 1, readyReplicas: 1, hpa: { name: "h", currentReplicas: 1, desiredReplicas: 1, metric: 30, target: 50, unit: "% CPU of request" } },
                        { t: 2, replicas: 2, readyReplicas: 1, hpa: { name: "h", currentReplicas: 1, desiredReplicas: 2, metric: 90, target: 50, unit: "% CPU of request" } },
                    ],
                },
            };
            const html = reportHtml(watched);
            assert.strictEqual((html.match(/<svg /g) ?? []).length, 4);
            assert.ok(html.includes("Replicas of seldon/cifar10-default-0-cifar10-pytorch") && html.includes("Autoscaler metric"));
            // Every chart spans the same seconds: the x axis ends at the same label.
            const lastTicks = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map(m => [...m[0].matchAll(/>(\d+)s<\/text>/g)].pop()![1]);
            assert.strictEqual(new Set(lastTicks).size, 1, `x axes differ: ${lastTicks}`);
            assert.ok(summaryTable(watched).includes("replicas of seldon/cifar10-default-0-cifar10-pytorch: 1 at start, 2 at most, 2 at the end"));
        });

        it("watch errors appear in the summary and in the HTML report, by error", () => {
            const watched = {
                ...result,
                scaling: {
                    namespace: "seldon", deployment: "cifar10-default-0-cifar10-pytorch", errors: 3, lastError: "HTTP 500: etcdserver: request timed out",
                    errorsByMessage: { "the API server did not answer within 5000 ms": 2, "HTTP 500: etcdserver: request timed out": 1 },
                    samples: [{ t: 0, replicas: 1, readyReplicas: 1 }],
                },
            };
            const summary = summaryTable(watched);
            assert.match(summary, /\(3 failed samples\)/);
            assert.match(summary, /watch error ×2: the API server did not answer within 5000 ms\n\s+watch error ×1: HTTP 500/);
            const html = reportHtml(watched);
            assert.match(html, /<h2>Watch errors<\/h2><p>3 of the samples of seldon\/cifar10-default-0-cifar10-pytorch failed/);
            assert.ok(html.includes("<li>the API server did not answer within 5000 ms: 2</li>"));
            assert.ok(!reportHtml(result).includes("Watch errors"), "no section without a watcher");
        });

        it("summary table: requests, failures, req/s and p50/p90/p95/p99/max, then failures by cause", () => {
            const table = summaryTable(result).split("\n");
            assert.match(table[0], /requests\s+failures\s+req\/s\s+p50 ms\s+p90 ms\s+p95 ms\s+p99 ms\s+max ms/);
            assert.ok(table[1].trim().startsWith(String(result.requests)));
            assert.strictEqual(table[2], "failures by cause:");
            assert.match(table[3], new RegExp(`^\\s+${result.failures}\\s+HTTP 500$`));
        });
    });

    describe("command line", () => {
        it("defaults match the deployment's outputs and the tutorial's load", () => {
            const o = parseArgs([]);
            assert.strictEqual(o.host + o.path, "http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer");
            assert.deepStrictEqual([o.users, o.spawnRate, o.runTimeMs, o.minWaitMs, o.maxWaitMs, o.timeoutMs], [100, 10, 180000, 10, 100, 10000]);
            assert.strictEqual(o.watch, undefined);
        });

        it("reads every option, in both --key value and --key=value forms", () => {
            const o = parseArgs(["--host", "http://gw.example.com/", "--users=7", "--spawn-rate", "2.5", "--run-time", "1m30s", "--min-wait", "0",
                "--max-wait=5", "--timeout", "500ms", "--report", "out", "--quiet", "--path", "/x/infer",
                "--watch", "--context", "kind-scalable-serving", "--namespace", "ml", "--deployment", "d", "--watch-interval", "2s"]);
            assert.deepStrictEqual(o, {
                host: "http://gw.example.com", path: "/x/infer", users: 7, spawnRate: 2.5, runTimeMs: 90000, minWaitMs: 0, maxWaitMs: 5,
                timeoutMs: 500, reportDir: "out", progress: "none",
                watch: { context: "kind-scalable-serving", namespace: "ml", deployment: "d", intervalMs: 2000 },
            });
        });

        it("parses durations", () => {
            assert.strictEqual(parseDuration("180s"), 180000);
            assert.strictEqual(parseDuration("3m"), 180000);
            assert.strictEqual(parseDuration("1m30s"), 90000);
            assert.strictEqual(parseDuration("250ms"), 250);
            assert.strictEqual(parseDuration("1h"), 3600000);
            assert.strictEqual(parseDuration("180"), 180000);
            for (const bad of ["", "3x", "s", "1m 30s", "-5s", "180s!"]) {
                assert.throws(() => parseDuration(bad), UsageError, bad);
            }
        });

        const bad: Array<[string[], RegExp]> = [
            [["--users", "0"], /--users "0" is not allowed: use a whole number ≥ 1/],
            [["--users", "many"], /--users "many"/],
            [["--spawn-rate", "0"], /--spawn-rate "0" is not allowed/],
            [["--run-time", "soon"], /--run-time "soon" is not a duration/],
            [["--host", "localhost:8080"], /--host "localhost:8080" must be http/],
            [["--host", "not a url"], /--host "not a url" is not a URL/],
            [["--path", "infer"], /--path "infer" must start with \//],
            [["--min-wait", "100", "--max-wait", "10"], /--max-wait 10 is less than --min-wait 100/],
            [["--users"], /--users needs a value/],
            [["--userz", "3"], /unknown argument "--userz"/],
            [["--namespace", "x"], /--namespace only applies with --watch/],
            [["--watch", "--watch-interval", "200ms"], /--watch-interval "200ms" is too short: use at least 1s/],
        ];
        for (const [argv, message] of bad) {
            it(`rejects ${argv.join(" ")}`, () => {
                assert.throws(() => parseArgs(argv), (e: Error) => e instanceof UsageError && message.test(e.message));
            });
        }

        it("exits 2 with the usage on bad arguments, 0 on a good run, 1 when nothing succeeds", async () => {
            const errors: string[] = [];
            const logs: string[] = [];
            const { error, log } = console;
            console.error = (m: string) => errors.push(m);
            console.log = (m: string) => logs.push(m);
            try {
                assert.strictEqual(await main(["--help"]), 0);
                for (const code of ["0 ", "1 ", "2 ", "3 ", "130", "143"]) {
                    assert.match(errors.join("\n"), new RegExp(`Exit status:[\\s\\S]*\\n  ${code}`), `--help documents exit status ${code}`);
                }
                assert.strictEqual(await main(["--users", "-1"]), 2);
                assert.match(errors.join("\n"), /loadgen: --users "-1"[\s\S]*Usage: loadgen/);
                assert.strictEqual(await main(["--watch"]), 2, "--watch needs the Kubernetes client");
                const server = await startV2Server();
                const ok = await main(["--host", `http://127.0.0.1:${server.port}`, "--users", "2", "--run-time", "300ms", "--quiet"]);
                await server.close();
                assert.strictEqual(ok, 0);
                assert.ok(logs.some(l => /requests\s+failures/.test(l)));
                const refused = await main(["--host", `http://127.0.0.1:${server.port}`, "--users", "1", "--run-time", "200ms", "--quiet"]);
                assert.strictEqual(refused, 1);
            } finally {
                console.error = error;
                console.log = log;
            }
        });
    });

    it("quantile uses the nearest rank", () => {
        const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
        assert.deepStrictEqual([0.5, 0.9, 0.95, 0.99, 1].map(q => quantile(sorted, q)), [50, 90, 95, 99, 100]);
        assert.strictEqual(quantile([7], 0.95), 7);
        assert.ok(Number.isNaN(quantile([], 0.5)));
    });
});
