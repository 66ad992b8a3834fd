import * as assert from "assert";
import { PollError } from "../lib/poll";
import { smokeTest } from "../lib/smokeTest";
import { probabilitiesOf, sampleRequest } from "../lib/v2Protocol";
import { runNode } from "./harness";
import { startV2Server, validReply } from "./v2server";

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
                assert.strictEqual(r.url, "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer");
                assert.deepStrictEqual(r.body, sampleRequest());
            }
        } finally {
            await server.close();
        }
    });

    it("fails at once when the model answers without 10 probabilities", async () => {
        const server = await startV2Server(() => ({ status: 200, body: { outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 9], data: Array(9).fill(1 / 9) }] } }));
        try {
            await assert.rejects(smokeTest({ url: server.url, timeoutMs: 5000, intervalMs: 10 }),
                (e: Error) => e instanceof PollError && /holds 9 values, expected 10 probabilities/.test(e.message));
            assert.strictEqual(server.requests.length, 1);
        } finally {
            await server.close();
        }
    });

    it("fails with the last problem when the model never becomes ready", async () => {
        const server = await startV2Server(() => ({ status: 404, body: "route not found" }));
        try {
            await assert.rejects(smokeTest({ url: server.url, timeoutMs: 300, intervalMs: 50 }),
                (e: Error) => /the model at http:\/\/127.0.0.1:\d+\/seldon\/seldon\/cifar10\/v2\/models\/cifar10-pytorch\/infer was not ready within 0 s \(\d+ attempts\); last problem: HTTP 404: route not found/.test(e.message));
            assert.ok(server.requests.length >= 2);
        } finally {
            await server.close();
        }
    });

    it("reports a refused connection", async () => {
        const server = await startV2Server();
        const url = server.url;
        await server.close();
        await assert.rejects(smokeTest({ url, timeoutMs: 200, intervalMs: 50 }), /last problem: fetch failed \(ECONNREFUSED\)/);
    });

    it("fails on a reply that is not JSON", async () => {
        const server = await startV2Server(() => ({ status: 200, body: "<html>ok</html>" }));
        try {
            await assert.rejects(smokeTest({ url: server.url, timeoutMs: 1000, intervalMs: 10 }), /not JSON/);
        } finally {
            await server.close();
        }
    });

    describe("scripts/smoke-test.ts, as Pulumi runs it", () => {
        const run = (env: Record<string, string>) => runNode(["--import", "tsx", "scripts/smoke-test.ts"], { env: { ...process.env, ...env } });

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

        it("exits 1 with a clear message when it does not", async () => {
            const server = await startV2Server(() => ({ status: 200, body: { outputs: [] } }));
            try {
                const result = await run({ SMOKE_URL: server.url, SMOKE_TIMEOUT_SECONDS: "5" });
                assert.strictEqual(result.status, 1);
                assert.match(result.stderr, /smoke test FAILED: .*no output probs__0/);
            } finally {
                await server.close();
            }
        });

        it("exits 1 without a URL", async () => {
            const result = await run({ SMOKE_URL: "" });
            assert.strictEqual(result.status, 1);
            assert.match(result.stderr, /SMOKE_URL/);
        });
    });
});

describe("V2 protocol", () => {
    it("the sample request is one UINT8 image of shape [1,3,32,32], the same every time", () => {
        const r = sampleRequest();
        assert.deepStrictEqual(r, sampleRequest());
        assert.deepStrictEqual([r.inputs[0].name, r.inputs[0].datatype, r.inputs[0].shape], ["image__0", "UINT8", [1, 3, 32, 32]]);
        assert.strictEqual(r.inputs[0].data.length, 3072);
        assert.ok(r.inputs[0].data.every(x => Number.isInteger(x) && x >= 0 && x <= 255));
        assert.ok(new Set(r.inputs[0].data).size > 200, "not a constant image");
    });

    it("accepts 10 probabilities, flat or nested", () => {
        assert.deepStrictEqual(probabilitiesOf(validReply()), { ok: true, probabilities: Array(10).fill(0.1) });
        const nested = { outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 10], data: [Array(10).fill(0.1)] }] };
        assert.strictEqual(probabilitiesOf(nested).ok, true);
    });

    for (const [why, reply, problem] of [
        ["no outputs", {}, "no outputs"],
        ["wrong output", { outputs: [{ name: "logits", data: [] }] }, "no output probs__0 (outputs: logits)"],
        ["not probabilities", { outputs: [{ name: "probs__0", data: Array(10).fill(2) }] }, "expected 10 probabilities"],
        ["not normalised", { outputs: [{ name: "probs__0", data: Array(10).fill(0.5) }] }, "does not sum to 1"],
    ] as const) {
        it(`rejects a reply with ${why}`, () => {
            const result = probabilitiesOf(reply);
            assert.strictEqual(result.ok, false);
            assert.ok(!result.ok && result.problem.includes(problem), JSON.stringify(result));
        });
    }
});
