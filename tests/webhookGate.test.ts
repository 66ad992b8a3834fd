// The webhook gate against a fake Kubernetes API server on 127.0.0.1 that behaves like one whose
// Seldon operator is still starting, then admits; and the gate's place in the program.
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { PollError } from "../probes/poll";
import { classify, waitForWebhook, webhookGateCommand } from "../probes/webhookGate";
import { fakeKubeConfig } from "./fakeKubernetes";
import { baseConfig, ProgramRun, runProgram } from "./harness";

const OBJECT = { apiVersion: "machinelearning.seldon.io/v1", kind: "SeldonDeployment", metadata: { name: "cifar10", namespace: "seldon" }, spec: { name: "cifar10", predictors: [] } };

/** Answers the n-th dry-run create with `answer(n)`: a status and a Status message. */
async function fakeApi(answer: (n: number) => { status: number; message?: string } | "hang") {
    const requests: Array<{ url: string; body: any }> = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", c => (raw += c));
        req.on("end", () => {
            requests.push({ url: req.url ?? "", body: JSON.parse(raw || "null") });
            const a = answer(requests.length - 1);
            if (a === "hang") {
                return;
            }
            res.writeHead(a.status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(a.status < 300 ? requests[requests.length - 1].body : { kind: "Status", status: "Failure", code: a.status, message: a.message }));
        });
    });
    await new Promise<void>(r => server.listen(0, "127.0.0.1", r));
    const kc = fakeKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return { kc, requests, close: () => new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); }) };
}

const STARTING = "Internal error occurred: failed calling webhook \"v1.vseldondeployment.kb.io\": Post \"https://seldon-webhook-service.seldon-system.svc:443/validate\": dial tcp 10.96.0.12:443: connect: connection refused";

describe("webhook gate (probes/wait-for-webhook.ts)", () => {
    it("retries while the webhook is not there, then passes once a dry-run create is admitted", async () => {
        const api = await fakeApi(n => (n < 2 ? { status: 500, message: STARTING } : { status: 201 }));
        try {
            const lines: string[] = [];
            await waitForWebhook({ object: OBJECT, kubeConfig: api.kc, timeoutMs: 5000, intervalMs: 10, log: l => lines.push(l) });
            assert.strictEqual(api.requests.length, 3);
            assert.ok(api.requests.every(r => r.url === "/apis/machinelearning.seldon.io/v1/namespaces/seldon/seldondeployments?dryRun=All"), api.requests[0].url);
            assert.deepStrictEqual(api.requests[2].body, OBJECT);
            assert.ok(lines.some(l => l.includes("failed calling webhook")));
        } finally {
            await api.close();
        }
    });

    it("never follows a redirect: a 307 to another port of the same host gets neither the bearer token nor the admission", async () => {
        const elsewhere: Array<{ auth?: string }> = [];
        const other = http.createServer((req, res) => {
            elsewhere.push({ auth: req.headers.authorization });
            res.writeHead(201, { "Content-Type": "application/json" });
            res.end(JSON.stringify(OBJECT));
        });
        await new Promise<void>(r => other.listen(0, "127.0.0.1", r));
        const seen: Array<string | undefined> = [];
        const api = http.createServer((req, res) => {
            seen.push(req.headers.authorization);
            req.resume();
            res.writeHead(307, { Location: `http://127.0.0.1:${(other.address() as AddressInfo).port}${req.url}` });
            res.end();
        });
        await new Promise<void>(r => api.listen(0, "127.0.0.1", r));
        try {
            const kc = fakeKubeConfig(`http://127.0.0.1:${(api.address() as AddressInfo).port}`, "secret-token-123");
            await assert.rejects(waitForWebhook({ object: OBJECT, kubeConfig: kc, timeoutMs: 5000, intervalMs: 10 }),
                (e: Error) => e instanceof PollError && /answered a redirect \(HTTP 307 to http:\/\/127\.0\.0\.1:\d+\/.*refused/.test(e.message));
            assert.deepStrictEqual(seen, ["Bearer secret-token-123"], "the API server got the token, once: no retry of a redirect");
            assert.deepStrictEqual(elsewhere, [], "the other server got nothing");
        } finally {
            for (const s of [api, other]) {
                s.closeAllConnections();
                await new Promise<void>(r => s.close(() => r()));
            }
        }
    });

    it("a 200 that is not JSON, or JSON without the object, is not an admission", async () => {
        const html = http.createServer((req, res) => {
            req.resume();
            res.writeHead(200, { "Content-Type": "text/html" });
            res.end("<html>welcome to nginx</html>");
        });
        await new Promise<void>(r => html.listen(0, "127.0.0.1", r));
        try {
            const kc = fakeKubeConfig(`http://127.0.0.1:${(html.address() as AddressInfo).port}`);
            await assert.rejects(waitForWebhook({ object: OBJECT, kubeConfig: kc, timeoutMs: 5000, intervalMs: 10 }),
                (e: Error) => e instanceof PollError && /HTTP 200 with "text\/html", not JSON: not an API server's answer/.test(e.message));
        } finally {
            html.closeAllConnections();
            await new Promise<void>(r => html.close(() => r()));
        }
        const other = http.createServer((req, res) => {
            req.resume();
            res.writeHead(201, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ kind: "Status", metadata: {} }));
        });
        await new Promise<void>(r => other.listen(0, "127.0.0.1", r));
        try {
            const kc = fakeKubeConfig(`http://127.0.0.1:${(other.address() as AddressInfo).port}`);
            const lines: string[] = [];
            // Never admitted: the gate keeps waiting until its deadline, and says why on the way.
            await assert.rejects(waitForWebhook({ object: OBJECT, kubeConfig: kc, timeoutMs: 1000, intervalMs: 50, log: l => lines.push(l) }),
                (e: Error) => e instanceof PollError);
            assert.ok(lines.some(l => /answered without the SeldonDeployment it was sent .*not an admission/.test(l)), lines.join("\n"));
        } finally {
            other.closeAllConnections();
            await new Promise<void>(r => other.close(() => r()));
        }
    });

    it("an existing SeldonDeployment (409) means the webhook already admitted it", async () => {
        const api = await fakeApi(() => ({ status: 409, message: "seldondeployments.machinelearning.seldon.io \"cifar10\" already exists" }));
        try {
            await waitForWebhook({ object: OBJECT, kubeConfig: api.kc, timeoutMs: 5000, intervalMs: 10 });
        } finally {
            await api.close();
        }
    });

    it("fails at once when the webhook denies the object, saying why", async () => {
        const api = await fakeApi(() => ({ status: 400, message: "admission webhook \"v1.vseldondeployment.kb.io\" denied the request: invalid protocol" }));
        try {
            await assert.rejects(waitForWebhook({ object: OBJECT, kubeConfig: api.kc, timeoutMs: 5000, intervalMs: 10 }),
                (e: Error) => e instanceof PollError && /refused the SeldonDeployment \(HTTP 400\).*denied the request: invalid protocol/.test(e.message));
            assert.strictEqual(api.requests.length, 1);
        } finally {
            await api.close();
        }
    });

    it("never passes against an API server that does not answer: fails at the deadline", async () => {
        const api = await fakeApi(() => "hang");
        try {
            await assert.rejects(waitForWebhook({ object: OBJECT, kubeConfig: api.kc, timeoutMs: 600, intervalMs: 10, requestTimeoutMs: 200 }),
                /Seldon's admission webhook was not ready within 0\.6 s .*did not answer/);
        } finally {
            await api.close();
        }
    });

    it("classifies the API server's answers", () => {
        assert.deepStrictEqual(classify(undefined), { done: true, value: undefined });
        assert.ok("waiting" in classify({ code: 404, body: "the server could not find the requested resource" }), "the CRD is not established yet");
        assert.ok("waiting" in classify({ code: 503, body: "" }));
        assert.ok("fatal" in classify({ code: 403, body: "forbidden" }));
    });

    it("the script's settings (webhookGateCommand): refuses a missing or nameless object and a bad timeout, before any call", async () => {
        const contexts: Array<string | undefined> = [];
        const command = (env: Record<string, string>) => webhookGateCommand(env, { log: () => undefined, kubeConfig: c => { contexts.push(c); throw new Error("not reached"); } });
        for (const object of ["", "{", JSON.stringify({ metadata: { name: "cifar10" } }), JSON.stringify({ metadata: { namespace: "seldon" } })]) {
            await assert.rejects(command({ WEBHOOK_OBJECT: object }), /^Error: WEBHOOK_OBJECT must be a SeldonDeployment with a name and a namespace, as JSON$/);
        }
        await assert.rejects(command({ WEBHOOK_OBJECT: JSON.stringify(OBJECT), WEBHOOK_TIMEOUT_SECONDS: "5m" }), /WEBHOOK_TIMEOUT_SECONDS = "5m" is not a positive number of seconds/);
        assert.deepStrictEqual(contexts, []);
    });

    it("the script's settings (webhookGateCommand): KUBE_CONTEXT chooses the kubeconfig's context, and the gate runs through it", async () => {
        const api = await fakeApi(n => (n < 1 ? { status: 500, message: STARTING } : { status: 201 }));
        try {
            const contexts: Array<string | undefined> = [];
            const lines: string[] = [];
            await webhookGateCommand({ WEBHOOK_OBJECT: JSON.stringify(OBJECT), KUBE_CONTEXT: "kind-scalable-serving" },
                { log: l => lines.push(l), kubeConfig: c => { contexts.push(c); return api.kc; }, intervalMs: 10 });
            assert.deepStrictEqual(contexts, ["kind-scalable-serving"]);
            assert.match(lines[0], /^webhook gate: dry-run create of SeldonDeployment seldon\/cifar10 through fake \(waiting up to 300 s\)$/);
            assert.strictEqual(api.requests.length, 2);
        } finally {
            await api.close();
        }
    });

    describe("in the program", () => {
        const GATE = "command:local:Command";
        let runs: Record<string, ProgramRun>;
        before(async () => {
            runs = {};
            for (const mode of ["none", "hpa", "keda"]) {
                runs[mode] = await runProgram(baseConfig({ autoscaler: mode, kubeContext: "kind-scalable-serving" }));
                assert.ifError(runs[mode].error);
            }
        });

        it("the SeldonDeployment is created after the gate, which waits for the operator", () => {
            const run = runs.hpa;
            const gate = run.get(GATE, "cifar10-webhook-ready");
            assert.strictEqual(gate.inputs.create, "node --import tsx probes/wait-for-webhook.ts");
            assert.ok(run.dependsOn(run.get("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", "cifar10"), gate));
            assert.ok(run.dependsOn(gate, run.get("kubernetes:helm.sh/v3:Release", "seldon-core")));
            assert.strictEqual(gate.inputs.environment.KUBE_CONTEXT, "kind-scalable-serving");
            const object = JSON.parse(gate.inputs.environment.WEBHOOK_OBJECT);
            assert.deepStrictEqual([object.kind, object.metadata], ["SeldonDeployment", { name: "cifar10", namespace: "seldon" }]);
        });

        it("swapping the autoscaler leaves the gate alone", () => {
            const env = (run: ProgramRun) => JSON.stringify(run.get(GATE, "cifar10-webhook-ready").inputs);
            assert.strictEqual(env(runs.none), env(runs.hpa));
            assert.strictEqual(env(runs.keda), env(runs.hpa));
        });
    });
});
