import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { httpLoadClient, MakeLoadClient } from "../loadtest/client";
import { BODY_POOL_SIZE, runLoad } from "../loadtest/engine";
import { undiciLoadClient } from "../loadtest/undiciClient";
import { parseArgs } from "../loadtest/args";
import { main } from "../loadtest/main";
import { replicaChanges, reportHtml, summaryTable, tickLabel, writeReports } from "../loadtest/report";
import { LoadOptions } from "../loadtest/types";
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

/** Both ways the generator sends. */
const CLIENTS: Array<[string, MakeLoadClient]> = [["Node's http", httpLoadClient], ["undici", undiciLoadClient]];

describe("load generator", () => {
    // Both ways the generator sends: Node's http (the in-cluster Job's script) and undici (the CLI).
    for (const [clientName, client] of CLIENTS) {
        describe(`requests (${clientName})`, () => {
            it("sends valid V2 requests with a random UINT8 [1,3,32,32] image to the infer path", async () => {
                const server = await startV2Server();
                try {
                    const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { runTimeMs: 600 }), { client });
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
                    assert.strictEqual(images.size, Math.min(server.requests.length, BODY_POOL_SIZE), "requests cycle through distinct random images");
                } finally {
                    await server.close();
                }
            });
        });

        describe(`failure accounting (${clientName})`, () => {
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
                    const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 1, runTimeMs: 600, minWaitMs: 0, maxWaitMs: 0, timeoutMs: 150 }), { client });
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

            it("a request still waiting for a connection at its deadline was not sent; one sent and unanswered is a timeout", async () => {
                const server = await startMisbehavingServer("accept-then-hang");
                // One connection: the others wait for it behind the first, which hangs. When the first's deadline
                // cuts it, the second may still get a new connection and be sent in the same millisecond (then
                // it timed out, rightly); the third never can, since the second then holds the only one.
                const one = client(new URL(server.url), { connections: 1, timeoutMs: 300, maxBytes: 1024, check: () => ({ ok: true }) });
                try {
                    const outcomes = (await Promise.all([0, 1, 2].map(() => one.send(Buffer.from("{}"))))).map(o => o.cause);
                    assert.strictEqual(outcomes[0], "timeout");
                    assert.ok(["timeout", "not sent: no connection"].includes(outcomes[1]!), outcomes[1]);
                    assert.strictEqual(outcomes[2], "not sent: no connection");
                    assert.ok(server.connections() <= 2, `${server.connections()} connections: the third request was sent`);
                } finally {
                    await one.destroy();
                    await server.close();
                }
            });

            it("counts refused connections", async () => {
                const server = await startV2Server();
                const host = `http://127.0.0.1:${server.port}`;
                await server.close();
                const r = await runLoad(options(host, { users: 1, runTimeMs: 300 }), { client });
                assert.ok(r.requests > 0);
                assert.strictEqual(r.failures, r.requests);
                assert.deepStrictEqual(Object.keys(r.failuresByCause), ["connection: ECONNREFUSED"]);
                assert.strictEqual(r.latencyMs, null);
            });
        });

        describe(`always ends, and keeps what it measured (${clientName})`, () => {
            // Each of these would hold a request open for ever; the idle timeout of the old generator
            // never fired on a body that trickles faster than it.
            // A close that races with the request body may surface as a reset or a broken pipe instead.
            const closed = /^(connection closed before an answer|connection: (ECONNRESET|EPIPE))$/;
            for (const [how, cause] of [["trickle", /^timeout$/], ["accept-then-hang", /^timeout$/], ["endless", /^reply too large$/],
                ["accept-then-close", closed]] as Array<[Misbehaviour, RegExp]>) {
                it(`a server that does ${how} cannot keep the run past --run-time plus --timeout`, async () => {
                    const server = await startMisbehavingServer(how);
                    try {
                        const r = await runLoad(options(server.url.replace(/\/$/, ""), { users: 2, runTimeMs: 300, timeoutMs: 600, path: "/" }), { client });
                        assert.ok(r.requests > 0);
                        assert.strictEqual(r.failures, r.requests);
                        assert.ok(Object.keys(r.failuresByCause).every(c => cause.test(c)), JSON.stringify(r.failuresByCause));
                        // Generous: the property is that it ends (a trickled 100 kB body would take a day).
                        assert.ok(r.durationS < 0.3 + 0.6 + 5, `ran ${r.durationS} s`);
                    } finally {
                        await server.close();
                    }
                });
            }

            it("a tiny spawn rate cannot stretch the run past --run-time", async () => {
                const server = await startV2Server();
                try {
                    const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 5, spawnRate: 0.01, runTimeMs: 400 }), { client });
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
                        const run = main(["--host", `http://127.0.0.1:${server.port}`, "--users", "2", "--run-time", "1h", "--quiet", "--report", dir], { signals, client });
                        while (server.requests.length < sent + 5) {
                            await new Promise(r => setTimeout(r, 20));
                        }
                        signals.emit(signal);
                        assert.strictEqual(await run, code);
                        const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
                        assert.strictEqual(report.interrupted, signal);
                        assert.strictEqual(report.failures, 0, "requests cut by the stop are not failures");
                        // Each of the 2 users waits for an answer before its next request: of the 5 the server
                        // saw, at most the last 2 can have been cut in flight.
                        assert.ok(report.requests >= 5 - 2 && report.requests <= server.requests.length - sent, `${report.requests} requests`);
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
        });
    }

    describe("users, ramp and waits", () => {
        // Timers never fire early, so lower bounds on time and upper bounds on counts hold on any
        // machine; nothing here asserts how fast a busy machine is.
        it("spawns users at the spawn rate, never faster", async () => {
            const server = await startV2Server();
            const users = 6;
            try {
                // Waits longer than the run: every user sends exactly one request, when it starts.
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users, spawnRate: 10, runTimeMs: 800, minWaitMs: 5000, maxWaitMs: 5000 }));
                assert.strictEqual(server.requests.length, users);
                const start = Date.parse(r.startedAt);
                server.requests.forEach((q, i) => {
                    assert.ok(q.at - start >= i * 100 - 5, `user ${i} started at ${q.at - start} ms, before ${i * 100} ms`);
                });
            } finally {
                await server.close();
            }
        });

        it("each user waits between its requests", async () => {
            const server = await startV2Server();
            const users = 6;
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users, spawnRate: 100, runTimeMs: 500, minWaitMs: 40, maxWaitMs: 80 }));
                // A user waits at least 40 ms after each request: at most 500 / 40 + 1 requests each.
                assert.ok(r.requests <= users * (500 / 40 + 1), `${r.requests} requests: some user did not wait`);
                assert.strictEqual(r.requests, server.requests.length);
                assert.ok(r.requests >= users, "every user sent");
            } finally {
                await server.close();
            }
        });

        it("waits between a user's requests: one user with 200-200 ms waits sends at most one per 200 ms", async () => {
            const server = await startV2Server();
            try {
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 1, runTimeMs: 700, minWaitMs: 200, maxWaitMs: 200 }));
                assert.ok(r.requests >= 1 && r.requests <= 4, `${r.requests} requests`);
                const gaps = server.requests.slice(1).map((q, i) => q.at - server.requests[i].at);
                for (const gap of gaps) {
                    assert.ok(gap >= 195, `gap ${gap} ms`);
                }
            } finally {
                await server.close();
            }
        });

        it("stops sending at the end of the run time", async () => {
            const server = await startV2Server();
            try {
                const started = Date.now();
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { runTimeMs: 500, timeoutMs: 1000 }));
                // A request starts only before the run time and has a hard deadline of --timeout.
                const last = Math.max(...server.requests.map(q => q.at));
                assert.ok(last - started <= 500 + 1000, `a request arrived ${last - started} ms after the start`);
                assert.ok(r.durationS >= 0.5, `ran ${r.durationS} s`);
            } finally {
                await server.close();
            }
        });

        it("lasts its run time when every user's next pause would cross it, and no longer", async () => {
            const server = await startV2Server();
            try {
                // One request each, then a 5 s pause that the 300 ms run cuts short: the run still lasts 300 ms.
                const r = await runLoad(options(`http://127.0.0.1:${server.port}`, { users: 2, spawnRate: 100, runTimeMs: 300, minWaitMs: 5000, maxWaitMs: 5000 }));
                assert.strictEqual(r.requests, 2);
                assert.ok(r.durationS >= 0.3 && r.durationS < 5, `ran ${r.durationS} s`);
            } finally {
                await server.close();
            }
        });
    });


    /** Starts a generator command, sends `signal` once the server saw 5 requests, and returns its exit status and output. */
    async function interruptedRun(command: string, args: string[], server: { requests: unknown[] }, signal: NodeJS.Signals) {
        const child = spawn(command, args, { cwd: path.resolve(__dirname, "..") });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d));
        child.stderr.on("data", (d: Buffer) => (out += d));
        while (server.requests.length < 5) {
            await new Promise(r => setTimeout(r, 20));
        }
        child.kill(signal);
        const status = await new Promise(resolve => child.on("close", resolve));
        return { status, out };
    }

    describe("npm run loadtest, as a process (undici's client)", () => {
        it("Ctrl-C on the real command line: summary, reports, exit 130", async () => {
            const server = await startV2Server();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadgen-ctrl-c-"));
            try {
                const { status, out } = await interruptedRun(process.execPath, ["-r", "tsx/cjs", "loadtest/cli.ts", "--host", `http://127.0.0.1:${server.port}`,
                    "--users", "2", "--run-time", "1h", "--report", dir], server, "SIGINT");
                assert.strictEqual(status, 130, out);
                assert.match(out, /SIGINT: stopping the load/);
                assert.match(out, /requests\s+failures/);
                assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")).interrupted, "SIGINT");
            } finally {
                await server.close();
            }
        });

        it("SIGTERM to npm reaches the generator (the script execs node): the load stops, the report says so, exit 143", async () => {
            const server = await startV2Server();
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadgen-npm-"));
            try {
                const { status, out } = await interruptedRun("npm", ["run", "--silent", "loadtest", "--", "--host", `http://127.0.0.1:${server.port}`,
                    "--users", "2", "--run-time", "1h", "--quiet", "--report", dir], server, "SIGTERM");
                assert.strictEqual(status, 143, out);
                assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")).interrupted, "SIGTERM");
                // Nothing is left sending: the count stays put.
                const after = server.requests.length;
                await new Promise(r => setTimeout(r, 300));
                assert.strictEqual(server.requests.length, after, "no orphaned generator keeps loading the server");
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
            // Throughput, failures, users and latency, each on an axis of its own scale.
            assert.strictEqual((html.match(/<svg /g) ?? []).length, 4);
            for (const title of ["Throughput", "Failures", "Users", "Latency"]) {
                assert.ok(html.includes(`<figcaption>${title} `), title);
            }
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
            assert.strictEqual((html.match(/<svg /g) ?? []).length, 6);
            assert.ok(html.includes("Replicas of seldon/cifar10-default-0-cifar10-pytorch") && html.includes("Autoscaler metric"));
            // Every chart spans the same seconds: the x axis ends at the same label.
            const lastTicks = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map(m => [...m[0].matchAll(/>(\d+)s<\/text>/g)].pop()![1]);
            assert.strictEqual(new Set(lastTicks).size, 1, `x axes differ: ${lastTicks}`);
            assert.ok(summaryTable(watched).includes("replicas of seldon/cifar10-default-0-cifar10-pytorch: 1 at start, 2 at most, 2 at the end"));
            // The report names the mode, the signal and the deployment, and states the scaling times.
            assert.ok(html.includes("<h1>Load test: hpa, seldon/cifar10-default-0-cifar10-pytorch</h1>"));
            assert.ok(html.includes("<li>autoscaler: hpa; signal: % CPU of request</li>"));
            assert.ok(html.includes("<li>scale-up: none seen</li>"));
        });

        it("HTML report: replica changes are marked on every chart; coinciding lines stay visible; short runs get distinct labels", () => {
            const watched = { ...result, durationS: 2.4, timeline: result.timeline.slice(0, 2), scaling: {
                namespace: "seldon", deployment: "d", errors: 0, errorsByMessage: {}, samples: [
                    { t: 0, replicas: 1, readyReplicas: 1, hpa: { name: "h", currentReplicas: 1, desiredReplicas: 1, metric: 30, target: 50, unit: "%" } },
                    { t: 1.2, replicas: 2, readyReplicas: 2, hpa: { name: "h", currentReplicas: 2, desiredReplicas: 2, metric: 90, target: 50, unit: "%" } },
                    { t: 2.4, replicas: 2, readyReplicas: 2, hpa: { name: "h", currentReplicas: 2, desiredReplicas: 2, metric: 60, target: 50, unit: "%" } },
                ] } };
            assert.deepStrictEqual(replicaChanges(watched), [{ t: 1.2, label: "1→2 ready" }]);
            const html = reportHtml(watched);
            const charts = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map(m => m[0]);
            assert.ok(charts.length >= 5 && charts.every(c => (c.match(/class="mark"/g) ?? []).length === 1), "one mark per chart");
            // Replicas, ready and desired coincide here: three widths or dashes, so each stays visible.
            const replicas = charts.find(c => c.includes("aria-label=\"Replicas of seldon/d\""))!;
            const styles = [...replicas.matchAll(/<polyline [^>]*stroke-width="([\d.]+)"( stroke-dasharray="[^"]+")?/g)].map(m => m[1] + (m[2] ?? ""));
            assert.strictEqual(new Set(styles).size, 3, `styles: ${styles}`);
            // A 2.4 s run: x ticks every 0.5 s, all distinct.
            for (const chart of charts) {
                const labels = [...chart.matchAll(/>([\d.]+)s<\/text>/g)].map(m => m[1]);
                assert.strictEqual(new Set(labels).size, labels.length, `duplicate x labels: ${labels}`);
            }
        });

        it("tick labels carry the decimals their step needs", () => {
            assert.deepStrictEqual([0, 0.5, 1, 1.5].map(v => tickLabel(v, 0.5)), ["0", "0.5", "1", "1.5"]);
            assert.deepStrictEqual([0, 0.05, 0.1].map(v => tickLabel(v, 0.05)), ["0", "0.05", "0.1"]);
            assert.deepStrictEqual([0, 200, 400].map(v => tickLabel(v, 200)), ["0", "200", "400"]);
        });

        it("HTML report: KEDA's HPA means keda mode; no HPA means none", () => {
            const keda = { ...result, scaling: { namespace: "seldon", deployment: "d", errors: 0, errorsByMessage: {}, samples: [
                { t: 0, replicas: 1, readyReplicas: 1, hpa: { name: "keda-hpa-d", currentReplicas: 1, desiredReplicas: 1, metric: 5, target: 20, unit: "s0-prometheus: the query's total ÷ replicas (AverageValue)" } },
                { t: 30, replicas: 2, readyReplicas: 2, hpa: { name: "keda-hpa-d", currentReplicas: 2, desiredReplicas: 2, metric: 25, target: 20, unit: "s0-prometheus: the query's total ÷ replicas (AverageValue)" } },
            ] } };
            assert.match(reportHtml(keda), /<li>autoscaler: keda; signal: s0-prometheus: the query&#39;s total ÷ replicas \(AverageValue\)<\/li>/);
            assert.match(reportHtml(keda), /scale-up: first new replica ready at 30 s/);
            const queue = { ...keda, scaling: { ...keda.scaling, trigger: { query: "sum(nv_inference_pending_request_count{namespace=\"seldon\"})", threshold: "16" } } };
            assert.match(reportHtml(queue), /signal: requests waiting in Triton&#39;s queue \(kedaSignal queue\), target 16 per replica/);
            const rate = { ...keda, scaling: { ...keda.scaling, trigger: { query: "sum(rate(seldon_api_executor_client_requests_seconds_count{}[1m]))", threshold: "20" } } };
            assert.match(reportHtml(rate), /signal: the executors&#39; request rate \(kedaSignal requestRate\), target 20 per replica/);
            const none = { ...result, scaling: { namespace: "seldon", deployment: "d", errors: 0, errorsByMessage: {}, samples: [{ t: 0, replicas: 1, readyReplicas: 1 }] } };
            assert.match(reportHtml(none), /<h1>Load test: none, seldon\/d<\/h1>/);
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
        it("a report folder that cannot be written is found before any load: exit 2, nothing sent (issue 19)", async () => {
            const errors: string[] = [];
            const { error, log } = console;
            console.error = (m: string) => errors.push(m);
            console.log = () => undefined;
            const server = await startV2Server();
            try {
                // A file where a folder should be: not writable even for root.
                const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "report-")), "a-file");
                fs.writeFileSync(file, "");
                const code = await main(["--host", `http://127.0.0.1:${server.port}`, "--users", "2", "--run-time", "1s", "--quiet", "--report", path.join(file, "reports")]);
                assert.strictEqual(code, 2);
                assert.match(errors.join("\n"), /--report ".*a-file\/reports" cannot be written \((ENOTDIR|EEXIST)[^)]*\)\. Nothing was sent\./);
                assert.strictEqual(server.requests.length, 0);
            } finally {
                console.error = error;
                console.log = log;
                await server.close();
            }
        });

        it("absurd sizes are refused with the bound and why, before anything is allocated: --users 1e9, 20000, --spawn-rate 5000", async () => {
            for (const [argv, message] of [
                [["--users", "1e9"], /--users "1e9" is not allowed: use a whole number from 1 to 10000 \(one connection each/],
                [["--users", "20000"], /--users "20000" is not allowed: use a whole number from 1 to 10000/],
                [["--spawn-rate", "5000"], /--spawn-rate "5000" is not allowed: use a number above 0 and at most 1000/],
                [["--run-time", "48h"], /--run-time is at most 24 h/],
            ] as Array<[string[], RegExp]>) {
                assert.throws(() => parseArgs(argv), (e: Error) => message.test(e.message), argv.join(" "));
            }
            // At the bound: allowed.
            assert.strictEqual(parseArgs(["--users", "10000"]).users, 10000);
        });


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
                assert.strictEqual(await main(["--users", "0"]), 2);
                assert.match(errors.join("\n"), /loadgen: --users "0"[\s\S]*Usage: loadgen/);
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

});
