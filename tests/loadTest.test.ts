import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadGeneratorScript } from "../components/serving/loadTest";
import { baseConfig, ProgramRun, runNode, runProgram } from "./harness";
import { startV2Server } from "./v2server";

const JOB = "kubernetes:batch/v1:Job";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const ENABLED = { loadTestEnabled: "true" };

describe("in-cluster load test", () => {
    let run: ProgramRun;

    before(async () => {
        run = await runProgram(baseConfig(ENABLED));
        assert.ifError(run.error);
    });

    it("is off by default", async () => {
        const off = await runProgram(baseConfig());
        assert.deepStrictEqual(off.ofType(JOB), []);
        assert.deepStrictEqual(off.ofType(CONFIG_MAP), []);
        assert.strictEqual(off.outputs.loadTestLogs.value, undefined);
    });

    it("ships the generator, bundled into one script, in a ConfigMap", () => {
        const cm = run.get(CONFIG_MAP, "cifar10-loadtest-script").inputs;
        assert.deepStrictEqual(cm.metadata, { name: "cifar10-loadtest-script", namespace: "seldon" });
        assert.deepStrictEqual(Object.keys(cm.data), ["loadgen.js"]);
        assert.strictEqual(cm.data["loadgen.js"], loadGeneratorScript());
    });

    it("the script needs only Node's built-ins, holds the shared answer check, and is the same on every build", () => {
        const script = loadGeneratorScript();
        const required = [...script.matchAll(/require\("([^"]+)"\)/g)].map(m => m[1]);
        assert.ok(required.length >= 3);
        assert.deepStrictEqual(required.filter(m => !m.startsWith("node:")), []);
        assert.ok(script.includes("function checkAnswer("), "lib/v2Protocol.ts is bundled");
        assert.ok(!script.includes(path.resolve(__dirname, "..")), "no absolute path of this machine");
        assert.strictEqual(loadGeneratorScript(), script);
    });

    it("is hardened: non-root, no privilege escalation, read-only root, no service-account token", () => {
        const pod = run.get(JOB, "cifar10-loadtest").inputs.spec.template.spec;
        assert.strictEqual(pod.automountServiceAccountToken, false);
        assert.deepStrictEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
        assert.deepStrictEqual(pod.containers[0].securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    });

    it("has an active deadline derived from its run time: run, one request's grace, start-up", async () => {
        assert.strictEqual(run.get(JOB, "cifar10-loadtest").inputs.spec.activeDeadlineSeconds, 180 + 10 + 300);
        const long = await runProgram(baseConfig({ ...ENABLED, loadTestRunTime: "20m" }));
        assert.strictEqual(long.get(JOB, "cifar10-loadtest").inputs.spec.activeDeadlineSeconds, 1200 + 10 + 300);
    });

    it("runs the tutorial's load against the ingress gateway Service from a Job without a sidecar", () => {
        const job = run.get(JOB, "cifar10-loadtest").inputs;
        assert.deepStrictEqual(job.metadata, { name: "cifar10-loadtest", namespace: "seldon" });
        assert.strictEqual(job.spec.backoffLimit, 0);
        const pod = job.spec.template;
        assert.strictEqual(pod.metadata.labels["sidecar.istio.io/inject"], "false");
        assert.match(pod.metadata.annotations["scalable-serving/loadgen-sha256"], /^[0-9a-f]{16}$/);
        assert.strictEqual(pod.spec.restartPolicy, "Never");
        const [container] = pod.spec.containers;
        assert.strictEqual(container.image, "node:22.20.0-alpine3.22");
        assert.deepStrictEqual(container.command, [
            "node", "/loadtest/loadgen.js",
            "--host", "http://istio-ingressgateway.istio-system.svc.cluster.local",
            "--path", "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer",
            "--users", "100", "--spawn-rate", "10", "--run-time", "180s", "--timeout", "10s",
        ]);
        const mount = container.volumeMounts.find((m: any) => m.mountPath === "/loadtest");
        const volume = pod.spec.volumes.find((v: any) => v.name === mount.name);
        assert.deepStrictEqual(volume.configMap, { name: "cifar10-loadtest-script" });
    });

    it("takes users, spawn rate, run time and image from config", async () => {
        const custom = await runProgram(baseConfig({ ...ENABLED, loadTestUsers: "40", loadTestSpawnRate: "4", loadTestRunTime: "5m", loadTestImage: "node:20.19.0-alpine" }));
        const container = custom.get(JOB, "cifar10-loadtest").inputs.spec.template.spec.containers[0];
        assert.strictEqual(container.image, "node:20.19.0-alpine");
        assert.deepStrictEqual(container.command.slice(6, 12), ["--users", "40", "--spawn-rate", "4", "--run-time", "5m"]);
    });

    it("starts once the model serves", () => {
        const job = run.get(JOB, "cifar10-loadtest");
        assert.ok(run.dependsOn(job, run.get("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", "cifar10")));
        assert.ok(run.dependsOn(job, run.get("command:local:Command", "cifar10-smoke-test")));
    });

    it("is left alone when the autoscaler is swapped", async () => {
        const keda = await runProgram(baseConfig({ ...ENABLED, autoscaler: "keda" }));
        const job = (r: ProgramRun) => JSON.stringify(r.get(JOB, "cifar10-loadtest").inputs);
        assert.strictEqual(job(keda), job(run));
    });

    it("says where its summary goes", () => {
        assert.strictEqual(run.outputs.loadTestLogs.value, "kubectl -n seldon logs -f job/cifar10-loadtest");
    });

    it("the bundled script runs in plain Node, outside the project, against a V2 server", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loadgen-js-"));
        fs.writeFileSync(path.join(dir, "loadgen.js"), loadGeneratorScript());
        const server = await startV2Server();
        try {
            // In an empty folder with an empty environment: nothing but Node's built-ins to load.
            const result = await runNode(["loadgen.js", "--host", `http://127.0.0.1:${server.port}`, "--users", "2", "--spawn-rate", "10", "--run-time", "1s"],
                { cwd: dir, env: { PATH: process.env.PATH } });
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stdout, /requests\s+failures\s+req\/s/);
            assert.ok(server.requests.length > 5);
        } finally {
            await server.close();
        }
    });
});
