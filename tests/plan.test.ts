import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applyOverrides, MASK, plan, PlanError, readStackConfig, withBuildableModel } from "../tools/offlinePlan";
import { planCommand, USAGE } from "../tools/planCommand";
import { cifar10Repository, makeRepository, ROOT, runNode } from "./harness";

/** `npm run plan` as a process: its exit status and output. */
const cli = (args: string[]) => runNode(["--import", "tsx", "tools/plan.ts", ...args]);
/** The same command in this process: what it prints and the status it would exit with. */
async function planIn(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = "";
    const stderr: string[] = [];
    const status = await planCommand(args, { out: t => (stdout += t), err: l => stderr.push(l) });
    return { status, stdout, stderr: stderr.join("\n") };
}

/** The lines of a section (`## Title …` up to the next `## `). */
function section(text: string, title: string): string {
    const start = text.indexOf(`\n## ${title}`);
    assert.ok(start >= 0, `no section ${title}`);
    const end = text.indexOf("\n## ", start + 4);
    return text.slice(start, end < 0 ? undefined : end);
}

/** The YAML document of one Kubernetes object or Helm release in the plan. */
function doc(text: string, header: string): string {
    const start = text.indexOf(`--- # ${header}`);
    assert.ok(start >= 0, `no document ${header}`);
    const end = text.indexOf("\n---", start + 4);
    const next = text.indexOf("\n## ", start);
    return text.slice(start, Math.min(end < 0 ? Infinity : end, next < 0 ? Infinity : next));
}

describe("offline plan (npm run plan)", () => {
    let dev: string;

    before(async () => {
        const result = await cli(["--stack", "dev"]);
        assert.strictEqual(result.status, 0, result.stderr);
        dev = result.stdout;
    });

    it("plans the dev stack without backend, cluster or cloud account, deterministically", async () => {
        assert.ok(dev.startsWith("# Offline plan of stack dev (scalable-serving)\n"));
        // Another evaluation, in another process than the command's: the same text.
        const again = await planIn(["--stack", "dev"]);
        assert.strictEqual(again.status, 0, again.stderr);
        assert.strictEqual(again.stdout, dev, "the same plan on every run");
    });

    it("prints the dev stack's commands as ./pulumi-dev, the way they work for it; another stack's as pulumi", async () => {
        assert.ok(dev.includes('$(./pulumi-dev stack output inferenceRequest)'), "curlExample for the dev stack");
        assert.ok(!/\$\(pulumi stack output/.test(dev));
        assert.strictEqual(process.env.PULUMI_BACKEND_URL, undefined, "the plan leaves the environment as it found it");
    });

    it("says when the model is not built and plans its upload with a placeholder", function () {
        if (fs.existsSync(path.join(ROOT, "model/cifar10-model/cifar10-pytorch/1/model.ts"))) {
            this.skip();
        }
        assert.match(dev, /Note: the model is not built: planned with a placeholder for cifar10-pytorch\/1\/model.ts/);
        assert.match(dev, /aws:s3\/bucketObjectv2:BucketObjectv2 model-repository\/cifar10-pytorch\/1\/model.ts .*key=cifar10-model\/cifar10-pytorch\/1\/model.ts/);
        assert.ok(!dev.includes(os.tmpdir()), "no machine-specific path in the plan");
    });

    it("lists every resource with its key settings, as a tree under its components", () => {
        const resources = section(dev, "Resources");
        const count = Number(/## Resources \((\d+)\)/.exec(resources)![1]);
        assert.strictEqual(resources.trim().split("\n").filter(l => l !== "").length - 1, count);
        assert.match(resources, /\nscalable-serving:platform:Platform platform\n  kubernetes:core\/v1:Namespace seldon\n/);
        assert.match(resources, /\n    kubernetes:helm.sh\/v3:Release seldon-core\n/);
        assert.match(resources, /\n  pulumi:providers:aws model-store-s3 .*endpoints=\[\{"s3":"http:\/\/127.0.0.1:8333"\}\].*s3UsePathStyle=true/);
        assert.match(resources, /accessKey=\[secret\]/);
    });

    it("shows IAM and bucket policies as readable JSON, not as a hash", async () => {
        const cloud = await planIn(["--stack", "dev", "--set", "modelStore=aws-s3", "--set", "clusterFlavour=cloud", "--set", "aws:region=eu-west-1",
            "--set", "kubeContext=prod", "--set", "ingressExposure=internal"]);
        assert.strictEqual(cloud.status, 0, cloud.stderr);
        const resources = section(cloud.stdout, "Resources");
        assert.ok(!/policy=<\d+ chars, sha256/.test(resources), "no policy summarised as a hash");
        assert.match(resources, /aws:iam\/userPolicy:UserPolicy model-store-reader-policy .*\n\s+policy:\n\s+\{\n\s+"Version": "2012-10-17",\n\s+"Statement": \[/);
        assert.match(resources, /\n\s+"Action": "s3:GetObject",\n\s+"Resource": "arn:aws:s3:::[^"]+\/cifar10-model\/\*"\n/);
        assert.match(resources, /aws:s3\/bucketPolicy:BucketPolicy model-store-tls-only .*\n\s+policy:\n[\s\S]*"aws:SecureTransport": "false"/);
    });

    it("shows the Kubernetes objects as YAML: SeldonDeployment, Gateway, PodMonitor", () => {
        const sdep = doc(dev, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment cifar10");
        assert.match(sdep, /\nkind: SeldonDeployment\n/);
        assert.match(sdep, /implementation: TRITON_SERVER/);
        assert.match(sdep, /modelUri: s3:\/\/models\/cifar10-model/);
        assert.match(sdep, /hpaSpec:\n\s+maxReplicas: 3/);
        assert.match(doc(dev, "kubernetes:networking.istio.io/v1:Gateway seldon-gateway"), /selector:\n\s+istio: ingressgateway/);
        assert.match(doc(dev, "kubernetes:monitoring.coreos.com/v1:PodMonitor seldon-podmonitor"), /interval: 15s/);
    });

    it("shows which keys a Secret holds, never their values", () => {
        const rclone = doc(dev, "kubernetes:core/v1:Secret cifar10-rclone");
        for (const key of ["RCLONE_CONFIG_S3_TYPE", "RCLONE_CONFIG_S3_PROVIDER", "RCLONE_CONFIG_S3_ACCESS_KEY_ID", "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY"]) {
            assert.ok(rclone.includes(`  ${key}: "${MASK}"`), `${key} is not masked:\n${rclone}`);
        }
        assert.ok(!/SeaweedFS|<generated>/.test(rclone));
        assert.match(doc(dev, "kubernetes:core/v1:Secret model-store-identities"), /seaweedfs_s3_config: "\[secret\]"/);
        assert.ok(!dev.includes("<generated>"), "no generated credential, even a placeholder, is printed");
    });

    it("shows every Helm release's chart, version, repository, namespace and values", () => {
        const releases = section(dev, "Helm releases");
        assert.match(releases, /## Helm releases \(8\)/);
        assert.match(releases, /--- # seldon-core: seldon-core-operator 1.17.1 from https:\/\/storage.googleapis.com\/seldon-charts, namespace seldon-system\nvalues:\n\s+executor:/);
        assert.match(releases, /--- # istio-ingressgateway: gateway 1.30.3 .*\n[\s\S]*?nodePort: 30080/);
        assert.match(releases, /--- # seaweedfs: seaweedfs 4.44.0 from https:\/\/seaweedfs.github.io\/seaweedfs\/helm, namespace seaweedfs/);
    });

    it("--set autoscaler=keda changes the SeldonDeployment and nothing else among the resources", async () => {
        const keda = await planIn(["--stack", "dev", "--set", "autoscaler=keda"]);
        assert.strictEqual(keda.status, 0, keda.stderr);
        const a = dev.split("\n");
        const b = keda.stdout.split("\n");
        // Whole sections other than the SeldonDeployment, config and outputs are identical.
        assert.strictEqual(section(keda.stdout, "Resources"), section(dev, "Resources"));
        assert.strictEqual(section(keda.stdout, "Helm releases"), section(dev, "Helm releases"));
        const objects = (t: string) => section(t, "Kubernetes objects").replace(doc(t, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment cifar10"), "");
        assert.strictEqual(objects(keda.stdout), objects(dev));
        assert.match(doc(keda.stdout, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment cifar10"), /kedaSpec:[\s\S]*sum\(rate\(seldon_api_executor_client_requests_seconds_count/);
        assert.ok(b.includes("scalable-serving:autoscaler: keda") && a.includes("scalable-serving:autoscaler: hpa"));
    });

    it("rejects an unknown stack, listing the stacks there are", async () => {
        const result = await planIn(["--stack", "prod"]);
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /plan: no stack "prod": there is no Pulumi.prod.yaml \(stacks: dev\)/);
    });

    it("reports invalid settings like `pulumi up` would, and bad arguments", async () => {
        const invalid = await planIn(["--stack", "dev", "--set", "autoscaler=knative"]);
        assert.strictEqual(invalid.status, 2);
        assert.match(invalid.stderr, /^plan: Invalid stack configuration:\n  - scalable-serving:autoscaler = "knative" is not allowed: use one of none \| hpa \| keda[\s\S]*\nUsage: npm run plan/);
        assert.throws(() => applyOverrides({ values: {}, secrets: [] }, ["autoscaler"]), PlanError);
        const noStack = await planIn([]);
        assert.strictEqual(noStack.status, 2);
        assert.match(noStack.stderr, /--stack is required/);
        const unknown = await planIn(["--stack", "dev", "--sett", "a=b"]);
        assert.strictEqual(unknown.status, 2);
        assert.match(unknown.stderr, /^plan: Unknown option '--sett'\nUsage:/);
    });

    it("the command exits 2 on bad arguments, with the usage on standard error and nothing on standard output", async () => {
        const noStack = await cli([]);
        assert.strictEqual(noStack.status, 2);
        assert.strictEqual(noStack.stdout, "");
        assert.strictEqual(noStack.stderr, `plan: --stack is required\n${USAGE}\n`);
    });

    it("masks encrypted config it cannot read, and plans with a placeholder", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-stack-"));
        fs.writeFileSync(path.join(root, "Pulumi.prod.yaml"), [
            "config:",
            "  aws:region: eu-west-1",
            "  scalable-serving:clusterFlavour: cloud",
            "  scalable-serving:ingressExposure: internal",
            "  scalable-serving:kubeContext: prod-cluster",
            "  scalable-serving:readerCredentials: existing",
            "  scalable-serving:readerAccessKeyId:",
            "    secure: v1:abc:def",
            "  scalable-serving:readerSecretAccessKey:",
            "    secure: v1:ghi:jkl",
        ].join("\n"));
        const config = readStackConfig("prod", root);
        assert.deepStrictEqual(config.secrets.sort(), ["scalable-serving:readerAccessKeyId", "scalable-serving:readerSecretAccessKey"]);
        assert.strictEqual(config.values["scalable-serving:readerSecretAccessKey"], MASK);
        const repo = cifar10Repository();
        const text = await plan("prod", applyOverrides(config, [`modelRepositoryPath=${repo}`]));
        assert.match(text, /scalable-serving:readerSecretAccessKey: \[secret\]/);
        assert.match(text, /aws:s3\/bucket:Bucket model-store-bucket .*bucket=scalable-serving-prod-<account-id>-models/);
        assert.match(text, /inferenceUrl: http:\/\/<load-balancer-address>\/seldon\/seldon\/cifar10\/v2\/models\/cifar10-pytorch\/infer/);
        assert.ok(!text.includes("v1:ghi:jkl"));
    });

    it("plans a placeholder for every unbuilt model, also one with an empty version folder", () => {
        const repo = makeRepository({
            "a/config.pbtxt": "name: \"a\"",
            "a/1/.gitkeep": "",
            "b/config.pbtxt": "name: \"b\"",
            "c/config.pbtxt": "name: \"c\"",
            "c/2/model.pt": "built",
        });
        const { config, note } = withBuildableModel({ values: { "scalable-serving:modelRepositoryPath": repo }, secrets: [] });
        assert.strictEqual(note, "the model is not built: planned with a placeholder for a/1/model.ts, b/1/model.ts (its real hash will differ)");
        const copy = config.values["scalable-serving:modelRepositoryPath"];
        assert.notStrictEqual(copy, repo, "the user's folder is left as it is");
        assert.ok(fs.existsSync(path.join(copy, "a/1/model.ts")) && fs.existsSync(path.join(copy, "b/1/model.ts")));
        assert.ok(!fs.existsSync(path.join(copy, "c/1")) && !fs.existsSync(path.join(repo, "a/1/model.ts")));
    });

    it("--set drops the secret mark of the key it overrides, and only of that key", () => {
        const config = applyOverrides({ values: { "scalable-serving:a": MASK, "scalable-serving:b": MASK }, secrets: ["scalable-serving:a", "scalable-serving:b"] }, ["a=plain"]);
        assert.deepStrictEqual(config, { values: { "scalable-serving:a": "plain", "scalable-serving:b": MASK }, secrets: ["scalable-serving:b"] });
    });

    it("uses a built model as it is", () => {
        const repo = cifar10Repository();
        const { config, note } = withBuildableModel({ values: { "scalable-serving:modelRepositoryPath": repo }, secrets: [] });
        assert.strictEqual(note, undefined);
        assert.strictEqual(config.values["scalable-serving:modelRepositoryPath"], repo);
    });
});
