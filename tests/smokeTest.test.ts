import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { kubeconfigFile } from "./fakeKubernetes";
import { EVENTS, STARTING_POD } from "./podFixtures";
import { PollError } from "../probes/poll";
import { smokeTest } from "../probes/smokeTest";
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
                    (e: Error) => e instanceof PollError && /was not ready within \d+ s \(\d+ attempts\); last problem: /.test(e.message) &&
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

    describe("probes/smoke-test.ts, as Pulumi runs it", () => {
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
        for (const how of ["accept-then-close", "accept-then-hang"] as const) {
            it(`exits 1 against a server that does ${how}`, async () => {
                const server = await startMisbehavingServer(how, INFER);
                try {
                    const result = await run({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "1" });
                    assert.strictEqual(result.status, 1, result.stdout);
                    assert.match(result.stderr, /smoke test FAILED: the model at .* was not ready within 1 s/);
                } finally {
                    await server.close();
                }
            });
        }

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
            const kubeconfig = kubeconfigFile(`http://127.0.0.1:${(api.address() as AddressInfo).port}`);
            // Not ready at the first attempt: the script waits 5 s before the next, and reports meanwhile.
            const server = await startV2Server(n => (n === 0 ? { status: 503, body: "no healthy upstream" } : { status: 200, body: validReply() }));
            try {
                const result = await run({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "30", SMOKE_NAMESPACE: "seldon",
                    SMOKE_DEPLOYMENT: "cifar10-default-0-cifar10-pytorch", SMOKE_STATUS_INTERVAL_MS: "200", KUBECONFIG: kubeconfig, KUBE_CONTEXT: "" });
                assert.strictEqual(result.status, 0, result.stderr);
                assert.match(result.stdout, /pod cifar10-default-0-cifar10-pytorch-7d9f-abcde: Pending; init istio-proxy: ready, cifar10-pytorch-model-initializer: running; containers 0\/3 ready; last event: Pulling/);
            } finally {
                await server.close();
                await new Promise<void>(r => { api.closeAllConnections(); api.close(() => r()); });
            }
        });

        it("exits 1 with a clear message when the answer is wrong", async () => {
            const server = await startV2Server(() => ({ status: 200, body: reply({ datatype: "INT64" }) }));
            try {
                const result = await run({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "5" });
                assert.strictEqual(result.status, 1);
                assert.match(result.stderr, /smoke test FAILED: .*datatype "INT64", expected FP32/);
            } finally {
                await server.close();
            }
        });

        it("exits 1 without a URL, or with a timeout that is not a positive number", async () => {
            const noUrl = await run({ SMOKE_URL: "" });
            assert.strictEqual(noUrl.status, 1);
            assert.match(noUrl.stderr, /SMOKE_URL = "" is not an http\(s\) URL/);
            const badTimeout = await run({ SMOKE_URL: "http://127.0.0.1:1/", SMOKE_TIMEOUT_SECONDS: "-5" });
            assert.strictEqual(badTimeout.status, 1);
            assert.match(badTimeout.stderr, /SMOKE_TIMEOUT_SECONDS = "-5" is not a positive number of seconds/);
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

    it("exits 0 once the URL answers 2xx", async () => {
        const server = await startV2Server(() => ({ status: 200, body: "ok" }));
        try {
            const result = await run({ WAIT_URL: server.url, WAIT_TIMEOUT_SECONDS: "5" });
            assert.strictEqual(result.status, 0, result.stderr);
        } finally {
            await server.close();
        }
    });

    for (const how of ["accept-then-close", "accept-then-hang", "server-error"] as const) {
        it(`exits 1 against a server that does ${how}`, async () => {
            const server = await startMisbehavingServer(how, "/healthz");
            try {
                const result = await run({ WAIT_URL: server.url, WAIT_TIMEOUT_SECONDS: "1" });
                assert.strictEqual(result.status, 1, result.stdout);
                assert.match(result.stderr, /wait-for-http FAILED: .*\/healthz was not ready within 1 s/);
            } finally {
                await server.close();
            }
        });
    }

    it("exits 1 when nothing listens", async () => {
        const result = await run({ WAIT_URL: await notListeningUrl("/healthz"), WAIT_TIMEOUT_SECONDS: "1" });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /ECONNREFUSED/);
    });
});
