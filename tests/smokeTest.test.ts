import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { fakeKubeConfig } from "./fakeKubernetes";
import { EVENTS, STARTING_POD } from "./podFixtures";
import { Clock, PollError, pollUntil } from "../probes/poll";
import { smokeTest, smokeTestCommand, SmokeTestCommandOptions } from "../probes/smokeTest";
import { waitForStoreCommand } from "../probes/waitForStore";
import { sampleRequest } from "../lib/v2Protocol";
import { runNode } from "./harness";
import { Misbehaviour, notListeningUrl, startMisbehavingServer } from "./misbehaving";
import { reply, WRONG_ANSWERS } from "./v2answers";
import { startV2Server, validReply } from "./v2server";

const INFER = "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer";
/** Servers that never give an answer, and the last problem the smoke test must report for each. */
const NO_ANSWER: Array<[Misbehaviour, RegExp]> = [
    ["accept-then-close", /server closed the connection without answering/],
    ["accept-then-hang", /no complete answer within \d+ ms/],
    ["server-error", /HTTP 503: no healthy upstream/],
    ["reset", /ECONNRESET/],
    ["trickle", /no complete answer within \d+ ms/],
    ["endless", /larger than 65536 bytes/],
];

describe("retrying until a deadline (pollUntil)", () => {
    /** A clock that moves only when slept on; every attempt fails at once, noting the budget it was given. */
    async function budgets(timeoutMs: number, intervalMs: number): Promise<{ budgets: number[]; error: Error }> {
        let now = 0;
        const clock: Clock = { now: () => now, sleep: async ms => { now += ms; } };
        const seen: number[] = [];
        const error = await pollUntil<void>(async budget => { seen.push(budget); return { done: false, waiting: `busy at ${now}` }; },
            { timeoutMs, intervalMs, what: "x", clock }).then(() => new Error("passed"), e => e as Error);
        return { budgets: seen, error };
    }

    it("starts another attempt only with at least 250 ms of the deadline left, so the last problem is a real one", async () => {
        // At the boundary: 800 + 250 = 1050, just in.
        const edge = await budgets(1050, 100);
        assert.deepStrictEqual(edge.budgets, [1050, 950, 850, 750, 650, 550, 450, 350, 250]);
        assert.strictEqual(edge.error.message, "x was not ready within 1.1 s (9 attempts); last problem: busy at 800");
        // Just outside: 1 ms less, and the attempt at 800 would have 249 ms.
        const outside = await budgets(1049, 100);
        assert.deepStrictEqual(outside.budgets, [1049, 949, 849, 749, 649, 549, 449, 349]);
        assert.match(outside.error.message, /\(8 attempts\); last problem: busy at 700$/);
    });

    it("a deadline shorter than the pause allows one attempt only", async () => {
        assert.deepStrictEqual((await budgets(1000, 5000)).budgets, [1000]);
    });
});

describe("smoke test", () => {
    it("retries while the model starts, then accepts 10 probabilities", async () => {
        const server = await startV2Server(n => (n < 2 ? { status: 503, body: "no healthy upstream" } : { status: 200, body: validReply() }));
        try {
            const lines: string[] = [];
            const probs = await smokeTest({ url: server.url, timeoutMs: 5000, intervalMs: 10, log: l => lines.push(l) });
            assert.strictEqual(probs.length, 10);
            assert.strictEqual(server.requests.length, 3);
            assert.ok(lines.some(l => l.includes("HTTP 503")));
            for (const r of server.requests) {
                assert.strictEqual(r.method, "POST");
                assert.strictEqual(r.url, INFER);
                assert.deepStrictEqual(r.body, sampleRequest());
            }
        } finally {
            await server.close();
        }
    });

    for (const [how, problem] of NO_ANSWER) {
        it(`never passes against a server that does ${how}: fails at the deadline with the last problem`, async () => {
            const server = await startMisbehavingServer(how, INFER);
            try {
                const lines: string[] = [];
                await assert.rejects(smokeTest({ url: server.url, timeoutMs: 600, intervalMs: 50, requestTimeoutMs: 1000, log: l => lines.push(l) }),
                    (e: Error) => e instanceof PollError && /was not ready within 0\.6 s \(\d+ attempts\); last problem: /.test(e.message) &&
                        [e.message, ...lines].some(l => problem.test(l)));
                assert.ok(server.connections() >= 1);
            } finally {
                await server.close();
            }
        });
    }

    it("never passes when nothing listens", async () => {
        const url = await notListeningUrl(INFER);
        await assert.rejects(smokeTest({ url, timeoutMs: 200, intervalMs: 50 }), /last problem: .*ECONNREFUSED/);
    });

    for (const [what, body, problem] of WRONG_ANSWERS) {
        it(`fails at once on an answer with ${what}, saying what was wrong`, async () => {
            const server = await startV2Server(() => ({ status: 200, body }));
            try {
                await assert.rejects(smokeTest({ url: server.url, timeoutMs: 5000, intervalMs: 10 }),
                    (e: Error) => e instanceof PollError && /answered HTTP 200, but /.test(e.message) && problem.test(e.message));
                assert.strictEqual(server.requests.length, 1);
            } finally {
                await server.close();
            }
        });
    }

    describe("probes/smoke-test.ts: its settings, in-process (smokeTestCommand)", () => {
        const command = (env: Record<string, string>, opts: Partial<SmokeTestCommandOptions> = {}) => {
            const lines: string[] = [];
            return { lines, done: smokeTestCommand(env, { log: l => lines.push(l), ...opts }) };
        };

        it("while it waits, prints what the model's pods are doing (phase, init containers, last event)", async () => {
            const api = http.createServer((req, res) => {
                res.setHeader("Content-Type", "application/json");
                if (req.url?.startsWith("/api/v1/namespaces/seldon/pods")) {
                    res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: [STARTING_POD] }));
                } else if (req.url?.startsWith("/api/v1/namespaces/seldon/events")) {
                    res.end(JSON.stringify({ kind: "EventList", apiVersion: "v1", metadata: {}, items: EVENTS }));
                } else {
                    res.statusCode = 404;
                    res.end("{}");
                }
            });
            await new Promise<void>(r => api.listen(0, "127.0.0.1", r));
            const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
            // Not ready until a status line was printed: the test decides when the model answers.
            let statusSeen = false;
            const server = await startV2Server(() => (statusSeen ? { status: 200, body: validReply() } : { status: 503, body: "no healthy upstream" }));
            const contexts: Array<string | undefined> = [];
            try {
                const run = command({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "30", SMOKE_NAMESPACE: "seldon",
                    SMOKE_DEPLOYMENT: "cifar10-default-0-cifar10-pytorch", KUBE_CONTEXT: "kind-scalable-serving" },
                { intervalMs: 20, statusIntervalMs: 50, kubeConfig: context => { contexts.push(context); return fakeKubeConfig(apiUrl); } });
                const status = /pod cifar10-default-0-cifar10-pytorch-7d9f-abcde: Pending; init istio-proxy: ready, cifar10-pytorch-model-initializer: running; containers 0\/3 ready; last event: Pulling/;
                for (const deadline = Date.now() + 10_000; !run.lines.some(l => status.test(l)); await new Promise(r => setTimeout(r, 10))) {
                    assert.ok(Date.now() < deadline, `no pod status line within 10 s:\n${run.lines.join("\n")}`);
                }
                statusSeen = true;
                assert.strictEqual((await run.done).length, 10);
                assert.deepStrictEqual(contexts, ["kind-scalable-serving"]);
            } finally {
                await server.close();
                await new Promise<void>(r => { api.closeAllConnections(); api.close(() => r()); });
            }
        });

        it("says why there are no status lines when the kubeconfig cannot be read, and still tests the model", async () => {
            const server = await startV2Server();
            try {
                const run = command({ SMOKE_URL: server.url, SMOKE_NAMESPACE: "seldon", SMOKE_DEPLOYMENT: "d" },
                    { kubeConfig: () => { throw new Error("no context \"x\" in the kubeconfig"); } });
                assert.strictEqual((await run.done).length, 10);
                assert.ok(run.lines.includes("(no pod status while waiting: no context \"x\" in the kubeconfig)"), run.lines.join("\n"));
            } finally {
                await server.close();
            }
        });

        it("a wrong answer fails with a clear message", async () => {
            const server = await startV2Server(() => ({ status: 200, body: reply({ datatype: "INT64" }) }));
            try {
                await assert.rejects(command({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "5" }).done, /datatype "INT64", expected FP32/);
            } finally {
                await server.close();
            }
        });

        it("refuses a missing URL, a timeout that is not a positive number and a malformed port-forward, naming the setting", async () => {
            await assert.rejects(command({ SMOKE_URL: "" }).done, /^Error: SMOKE_URL = "" is not an http\(s\) URL$/);
            await assert.rejects(command({}).done, /SMOKE_URL = "" is not an http\(s\) URL/);
            for (const bad of ["-5", "0", "ten", ""]) {
                await assert.rejects(command({ SMOKE_URL: "http://127.0.0.1:1/", SMOKE_TIMEOUT_SECONDS: bad }).done,
                    new RegExp(`SMOKE_TIMEOUT_SECONDS = "${bad}" is not a positive number of seconds`));
            }
            await assert.rejects(command({ SMOKE_URL: "http://127.0.0.1:1/", SMOKE_PORT_FORWARD: "istio-system/istio-ingressgateway" }).done,
                /SMOKE_PORT_FORWARD = "istio-system\/istio-ingressgateway" is not <namespace>\/<service>:<port>/);
        });
    });

    describe("probes/smoke-test.ts, as Pulumi runs it (a process: its exit status and output)", () => {
        const run = (env: Record<string, string>) => runNode(["--import", "tsx", "probes/smoke-test.ts"], { env: { ...process.env, ...env } });

        it("exits 0 when the model answers", async () => {
            const server = await startV2Server();
            try {
                const result = await run({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "5" });
                assert.strictEqual(result.status, 0, result.stderr);
                assert.match(result.stdout, /the model at .* is ready after 1 attempt/);
            } finally {
                await server.close();
            }
        });

        // The Node 20 fetch defect: a proxy that accepts and closes made the old script exit 0.
        it("exits 1 against a server that does accept-then-close, saying why and where to look", async () => {
            const server = await startMisbehavingServer("accept-then-close", INFER);
            try {
                const result = await run({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "1" });
                assert.strictEqual(result.status, 1, result.stdout);
                assert.match(result.stderr, /^smoke test FAILED: the model at .* was not ready within 1 s .*last problem: (the server closed the connection without answering|the request failed: read ECONNRESET)\nSee docs\/troubleshooting\.md/);
            } finally {
                await server.close();
            }
        });
    });

    it("a probe process whose work can never settle exits 1, not 0", async () => {
        const result = await runNode(["--import", "tsx", "-e", "require('./probes/poll').runProbe('probe', () => new Promise(() => {}))"]);
        assert.strictEqual(result.status, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /probe FAILED: the check ended without an answer/);
    });
});

describe("the store's health gate (probes/wait-for-http.ts)", () => {
    const run = (env: Record<string, string>) => runNode(["--import", "tsx", "probes/wait-for-http.ts"], { env: { ...process.env, ...env } });
    const command = (env: Record<string, string>) => waitForStoreCommand(env, { log: () => undefined, input: () => "", intervalMs: 50 });

    it("exits 0 once the URL answers 2xx", async () => {
        const server = await startV2Server(() => ({ status: 200, body: "ok" }));
        try {
            const result = await run({ WAIT_URL: server.url, WAIT_TIMEOUT_SECONDS: "5" });
            assert.strictEqual(result.status, 0, result.stderr);
        } finally {
            await server.close();
        }
    });

    it("exits 1 against a server that does accept-then-close", async () => {
        const server = await startMisbehavingServer("accept-then-close", "/healthz");
        try {
            const result = await run({ WAIT_URL: server.url, WAIT_TIMEOUT_SECONDS: "1" });
            assert.strictEqual(result.status, 1, result.stdout);
            assert.match(result.stderr, /^wait-for-http FAILED: .*\/healthz was not ready within 1 s/);
        } finally {
            await server.close();
        }
    });

    for (const [how, problem] of [["accept-then-hang", /no complete answer within/], ["server-error", /HTTP 503/]] as const) {
        it(`never passes against a server that does ${how}`, async () => {
            const server = await startMisbehavingServer(how, "/healthz");
            try {
                await assert.rejects(command({ WAIT_URL: server.url, WAIT_TIMEOUT_SECONDS: "0.5" }),
                    (e: Error) => /\/healthz was not ready within 0\.5 s .*last problem: /.test(e.message) && problem.test(e.message));
            } finally {
                await server.close();
            }
        });
    }

    it("never passes when nothing listens", async () => {
        await assert.rejects(command({ WAIT_URL: await notListeningUrl("/healthz"), WAIT_TIMEOUT_SECONDS: "0.5" }), /ECONNREFUSED/);
    });

    it("refuses a URL that is not http(s), and a timeout that is not a positive number", async () => {
        await assert.rejects(command({ WAIT_URL: "127.0.0.1:8333/healthz" }), /^Error: WAIT_URL = "127.0.0.1:8333\/healthz" is not an http\(s\) URL$/);
        await assert.rejects(command({ WAIT_URL: "http://127.0.0.1:1/", WAIT_TIMEOUT_SECONDS: "-1" }), /WAIT_TIMEOUT_SECONDS = "-1" is not a positive number of seconds/);
    });
});
