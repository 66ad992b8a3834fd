// The smoke test's way to an internal gateway: a kubectl port-forward, tested with a stand-in kubectl
// that behaves like the real one (prints "Forwarding from 127.0.0.1:<port> -> <port>", or fails).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { portForward } from "../probes/portForward";
import { smokeTestCommand } from "../probes/smokeTest";
import { startV2Server } from "./v2server";

/** A stand-in kubectl on a PATH of its own: records its arguments, then does `script`. */
function fakeKubectl(script: string): { bin: string; argsFile: string } {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "kubectl-"));
    const argsFile = path.join(bin, "args");
    fs.writeFileSync(path.join(bin, "kubectl"), `#!/bin/sh\necho "$@" > '${argsFile}'\n${script}\n`, { mode: 0o755 });
    return { bin, argsFile };
}

describe("kubectl port-forward for the smoke test (probes/portForward.ts)", () => {
    it("starts the forward on a port kubectl picks, and reads it from kubectl's own line", async () => {
        const k = fakeKubectl(`echo "Forwarding from 127.0.0.1:43210 -> 8080"; echo "Forwarding from [::1]:43210 -> 8080"; exec sleep 60`);
        const pf = await portForward({ context: "prod", namespace: "istio-system", service: "istio-ingressgateway", port: 80 }, 10_000, path.join(k.bin, "kubectl"));
        try {
            assert.strictEqual(pf.baseUrl, "http://127.0.0.1:43210");
            assert.strictEqual(fs.readFileSync(k.argsFile, "utf8").trim(),
                "--context prod -n istio-system port-forward svc/istio-ingressgateway :80 --address 127.0.0.1");
        } finally {
            pf.stop();
        }
    });

    it("fails with kubectl's own message when it cannot forward, and at its deadline when it never says it does", async () => {
        const missing = fakeKubectl(`echo 'error: services "istio-ingressgateway" not found' >&2; exit 1`);
        await assert.rejects(portForward({ namespace: "istio-system", service: "istio-ingressgateway", port: 80 }, 10_000, path.join(missing.bin, "kubectl")),
            /exited \(1\) before forwarding: error: services "istio-ingressgateway" not found/);
        const silent = fakeKubectl("exec sleep 60");
        await assert.rejects(portForward({ namespace: "istio-system", service: "istio-ingressgateway", port: 80 }, 300, path.join(silent.bin, "kubectl")),
            /no forward within 0\.3 s/);
    });

    it("the smoke test with SMOKE_PORT_FORWARD reaches the model through the forward, not the internal address", async () => {
        const server = await startV2Server();
        try {
            const k = fakeKubectl(`echo "Forwarding from 127.0.0.1:${server.port} -> 8080"; exec sleep 60`);
            const lines: string[] = [];
            await smokeTestCommand({ SMOKE_URL: "http://internal-lb.example.internal/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer",
                SMOKE_TIMEOUT_SECONDS: "20", SMOKE_PORT_FORWARD: "istio-system/istio-ingressgateway:80", KUBE_CONTEXT: "prod" },
            { log: l => lines.push(l), kubectl: path.join(k.bin, "kubectl") });
            assert.ok(lines.some(l => /internal-lb\.example\.internal is internal; through kubectl port-forward of istio-system\/istio-ingressgateway:80 at http:\/\/127\.0\.0\.1:\d+/.test(l)), lines.join("\n"));
            assert.strictEqual(fs.readFileSync(k.argsFile, "utf8").trim(), "--context prod -n istio-system port-forward svc/istio-ingressgateway :80 --address 127.0.0.1");
            assert.deepStrictEqual(server.requests.map(q => q.url), ["/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer"]);
        } finally {
            await server.close();
        }
    });
});
