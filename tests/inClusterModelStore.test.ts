import * as assert from "assert";
import { AddressInfo } from "net";
import * as os from "os";
import * as http from "http";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { baseConfig, ProgramRun, RegisteredResource, ROOT, runProgram } from "./harness";
import { waitForStoreCommand } from "../probes/waitForStore";
import { startV2Server } from "./v2server";

const STORE = "scalable-serving:storage:InClusterModelStore";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
const COMMAND = "command:local:Command";
const SDEP = "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment";
const IN_CLUSTER = { modelStore: "in-cluster" };

/** A config without any AWS setting: the local stack needs no cloud account. */
function localConfig(overrides: Record<string, string> = {}) {
    const config = baseConfig({ ...IN_CLUSTER, ...overrides });
    delete config["aws:region"];
    return config;
}

describe("in-cluster model store (SeaweedFS)", () => {
    let run: ProgramRun;
    let repo: string;

    before(async () => {
        repo = baseConfig().modelRepositoryPath;
        run = await runProgram(localConfig({ modelRepositoryPath: repo }));
        assert.ifError(run.error);
    });

    it("needs no AWS account: no bucket, no IAM, nothing on the default AWS provider", () => {
        assert.deepStrictEqual(run.resources.filter(r => r.type.startsWith("aws:") && r.type !== OBJECT).map(r => r.type), []);
        assert.deepStrictEqual(run.ofType("pulumi:providers:aws").map(p => p.name), ["model-store-s3"]);
    });

    it("installs SeaweedFS as one pod on a persistent volume, with S3 identities from a Secret and the bucket made by the chart", () => {
        const release = run.get(RELEASE, "seaweedfs").inputs;
        assert.strictEqual(release.name, "seaweedfs");
        assert.strictEqual(release.chart, "seaweedfs");
        assert.strictEqual(release.version, "4.44.0");
        assert.deepStrictEqual(release.repositoryOpts, { repo: "https://seaweedfs.github.io/seaweedfs/helm" });
        assert.strictEqual(release.namespace, "seaweedfs");
        assert.deepStrictEqual(release.values, {
            master: { enabled: false },
            volume: { enabled: false },
            filer: { enabled: false },
            allInOne: {
                enabled: true,
                data: { type: "persistentVolumeClaim", size: "5Gi" },
                s3: { enabled: true, port: 8333, enableAuth: true, existingConfigSecret: "model-store-s3-identities", createBuckets: [{ name: "models" }] },
                resources: { requests: { cpu: "100m", memory: "256Mi" } },
            },
        });
    });

    it("parents the store's objects to the InClusterModelStore component", () => {
        const store = run.get(STORE, "model-store");
        const children = run.resources.filter(r => r.parent === store.urn).map(r => `${r.type}::${r.name}`).sort();
        assert.deepStrictEqual(children, [
            "command:local:Command::model-store-s3-ready",
            "kubernetes:core/v1:Namespace::seaweedfs",
            "kubernetes:core/v1:Secret::model-store-identities",
            "kubernetes:core/v1:Service::model-store-s3",
            "kubernetes:helm.sh/v3:Release::seaweedfs",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy::model-store-s3-access",
            "pulumi:providers:aws::model-store-s3",
            "random:index/randomPassword:RandomPassword::model-store-reader-secret-access-key",
            "random:index/randomPassword:RandomPassword::model-store-uploader-secret-access-key",
            "random:index/randomString:RandomString::model-store-reader-access-key-id",
            "random:index/randomString:RandomString::model-store-uploader-access-key-id",
        ]);
    });

    it("deploys its Kubernetes objects through the configured Kubernetes provider", () => {
        const provider = run.get("pulumi:providers:kubernetes", "kubernetes");
        const objects = run.resources.filter(r => r.custom && r.type.startsWith("kubernetes:") && r.parent === run.get(STORE, "model-store").urn);
        assert.strictEqual(objects.length, 5);
        for (const o of objects) {
            assert.ok(o.provider?.startsWith(`${provider.urn}::`), `${o.type} ${o.name} uses ${o.provider}`);
        }
    });

    it("lets only its own namespace, the models' on the S3 port and non-pod sources (the host) on the S3 port reach the store's pod", () => {
        const policy = run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "model-store-s3-access").inputs;
        assert.deepStrictEqual(policy.metadata, { name: "model-store-s3-access", namespace: "seaweedfs" });
        const service = run.get("kubernetes:core/v1:Service", "model-store-s3").inputs;
        assert.deepStrictEqual(policy.spec.podSelector.matchLabels, service.spec.selector, "the policy covers the pod behind the Service");
        assert.deepStrictEqual(policy.spec.policyTypes, ["Ingress"]);
        assert.deepStrictEqual(policy.spec.ingress, [
            { from: [{ podSelector: {} }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "seldon" } } }], ports: [{ port: 8333, protocol: "TCP" }] },
            { from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.244.0.0/16"] } }], ports: [{ port: 8333, protocol: "TCP" }] },
        ]);
        // In place before the store's pod starts: no moment in which another pod could reach it.
        assert.ok(run.dependsOn(run.get("kubernetes:helm.sh/v3:Release", "seaweedfs"), run.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "model-store-s3-access")));
    });

    it("follows modelNamespace, and can be switched off", async () => {
        const other = await runProgram(baseConfig({ modelStore: "in-cluster", modelNamespace: "models" }));
        assert.deepStrictEqual(other.get("kubernetes:networking.k8s.io/v1:NetworkPolicy", "model-store-s3-access").inputs.spec.ingress[1].from,
            [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "models" } } }]);
        const off = await runProgram(baseConfig({ modelStore: "in-cluster", modelStoreNetworkPolicy: "false" }));
        assert.deepStrictEqual(off.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy"), []);
    });

    it("its gate checks the store with the uploader's key, given secret on standard input, never in the environment", () => {
        const gate = run.get(COMMAND, "model-store-s3-ready");
        assert.strictEqual(gate.inputs.environment.WAIT_S3_BUCKET, "models");
        assert.deepStrictEqual(JSON.parse(gate.inputs.stdin), { accessKeyId: "mock-model-store-upl", secretAccessKey: "mock-model-store-uploader-secret-access-" });
        assert.ok(gate.secretPaths.includes("stdin"), `secret paths: ${gate.secretPaths.join(", ")}`);
    });

    it("keeps its namespace out of the mesh", () => {
        const ns = run.ofType("kubernetes:core/v1:Namespace").find(n => n.inputs.metadata.name === "seaweedfs")!;
        assert.strictEqual(ns.inputs.metadata.labels["istio-injection"], "disabled");
    });

    it("an upload identity for the bucket and a read-only identity for the cluster, keys generated once", () => {
        const secret = run.get(SECRET, "model-store-identities");
        assert.deepStrictEqual(secret.inputs.metadata, { name: "model-store-s3-identities", namespace: "seaweedfs" });
        assert.ok(secret.secretPaths.some(p => "stringData.seaweedfs_s3_config".startsWith(p)), `secret paths: ${secret.secretPaths}`);
        const config = JSON.parse(secret.inputs.stringData.seaweedfs_s3_config);
        assert.deepStrictEqual(config, {
            identities: [
                { name: "model-uploader", credentials: [{ accessKey: "mock-model-store-upl", secretKey: "mock-model-store-uploader-secret-access-" }], actions: ["Admin:models"] },
                { name: "model-reader", credentials: [{ accessKey: "mock-model-store-rea", secretKey: "mock-model-store-reader-secret-access-ke" }], actions: ["Read:models", "List:models"] },
            ],
        });
        const keyIds = run.ofType("random:index/randomString:RandomString");
        assert.deepStrictEqual(keyIds.map(k => [k.name, k.inputs.length, k.inputs.special]).sort(),
            [["model-store-reader-access-key-id", 20, false], ["model-store-uploader-access-key-id", 20, false]]);
        const secrets = run.ofType("random:index/randomPassword:RandomPassword");
        assert.deepStrictEqual(secrets.map(k => [k.name, k.inputs.length]).sort(),
            [["model-store-reader-secret-access-key", 40], ["model-store-uploader-secret-access-key", 40]]);
        assert.ok(run.dependsOn(run.get(RELEASE, "seaweedfs"), secret), "the pod mounts the Secret: it must exist first");
    });

    it("exposes S3 on the fixed nodePort that kind maps to 127.0.0.1:8333", () => {
        const svc = run.get("kubernetes:core/v1:Service", "model-store-s3").inputs;
        assert.deepStrictEqual(svc.metadata, { name: "model-store-s3", namespace: "seaweedfs" });
        assert.deepStrictEqual(svc.spec, {
            type: "NodePort",
            selector: { "app.kubernetes.io/name": "seaweedfs", "app.kubernetes.io/instance": "seaweedfs", "app.kubernetes.io/component": "seaweedfs-all-in-one" },
            ports: [{ name: "s3", port: 8333, targetPort: 8333, nodePort: 30833, protocol: "TCP" }],
        });
        const cluster = parse(fs.readFileSync(path.join(ROOT, "kind/cluster.yaml"), "utf8"));
        const mappings = cluster.nodes.flatMap((n: any) => n.extraPortMappings ?? []);
        assert.deepStrictEqual(mappings.filter((m: any) => m.containerPort === 30833),
            [{ containerPort: 30833, hostPort: 8333, listenAddress: "127.0.0.1", protocol: "TCP" }]);
    });

    it("uploads wait for the S3 health endpoint, which waits for the release and the Service", () => {
        const gate = run.get(COMMAND, "model-store-s3-ready");
        assert.strictEqual(gate.inputs.create, "node --import tsx probes/wait-for-http.ts");
        assert.deepStrictEqual(gate.inputs.environment, {
            WAIT_URL: "http://127.0.0.1:8333/healthz", WAIT_TIMEOUT_SECONDS: "300", WAIT_S3_BUCKET: "models", WAIT_S3_REGION: "us-east-1",
        });
        assert.ok(run.dependsOn(gate, run.get(RELEASE, "seaweedfs")));
        assert.ok(run.dependsOn(gate, run.get("kubernetes:core/v1:Service", "model-store-s3")));
        for (const o of run.ofType(OBJECT)) {
            assert.ok(run.dependsOn(o, gate), `${o.name} must wait for the health gate`);
        }
    });

    it("uploads through the same BucketObjectv2 path, via an explicit provider for the store", () => {
        const provider = run.get("pulumi:providers:aws", "model-store-s3");
        // A provider's non-string inputs reach the engine JSON-encoded.
        const endpoints = typeof provider.inputs.endpoints === "string" ? JSON.parse(provider.inputs.endpoints) : provider.inputs.endpoints;
        assert.deepStrictEqual(endpoints, [{ s3: "http://127.0.0.1:8333" }]);
        assert.strictEqual(provider.inputs.region, "us-east-1");
        for (const flag of ["s3UsePathStyle", "skipCredentialsValidation", "skipRequestingAccountId", "skipMetadataApiCheck", "skipRegionValidation"]) {
            assert.ok(String(provider.inputs[flag]) === "true", `${flag} must be on`);
        }
        assert.strictEqual(provider.inputs.accessKey, "mock-model-store-upl", "uploads use the upload identity");
        assert.strictEqual(provider.inputs.secretKey, "mock-model-store-uploader-secret-access-");
        const uploads = run.ofType(OBJECT);
        assert.deepStrictEqual(uploads.map(o => o.inputs.key).sort(), ["cifar10-model/cifar10-pytorch/1/model.ts", "cifar10-model/cifar10-pytorch/config.pbtxt"]);
        for (const o of uploads) {
            assert.strictEqual(o.inputs.bucket, "models");
            assert.ok(o.provider?.startsWith(`${provider.urn}::`), `${o.name} uses ${o.provider}`);
            assert.match(o.inputs.sourceHash, /^[0-9a-f]{64}$/);
        }
        assert.strictEqual(run.outputs.modelUri.value, "s3://models/cifar10-model");
    });

    it("the rclone Secret follows the store: SeaweedFS, its in-cluster endpoint, the read-only identity", () => {
        assert.deepStrictEqual(run.get(SECRET, "cifar10-rclone").inputs.stringData, {
            RCLONE_CONFIG_S3_TYPE: "s3",
            RCLONE_CONFIG_S3_PROVIDER: "SeaweedFS",
            RCLONE_CONFIG_S3_ENV_AUTH: "false",
            RCLONE_CONFIG_S3_ACCESS_KEY_ID: "mock-model-store-rea",
            RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: "mock-model-store-reader-secret-access-ke",
            RCLONE_CONFIG_S3_REGION: "us-east-1",
            RCLONE_CONFIG_S3_ENDPOINT: "http://model-store-s3.seaweedfs.svc.cluster.local:8333",
        });
        assert.strictEqual(run.get(SDEP, "cifar10").inputs.spec.predictors[0].graph.modelUri, "s3://models/cifar10-model");
    });

    it("takes bucket, chart version and repository, and volume size from config", async () => {
        const custom = await runProgram(localConfig({ bucketName: "team-models", modelStoreVersion: "4.43.0", modelStoreSize: "20Gi", modelStoreRepository: "https://mirror.example.com/seaweedfs" }));
        const release = custom.get(RELEASE, "seaweedfs").inputs;
        assert.strictEqual(release.version, "4.43.0");
        assert.deepStrictEqual(release.repositoryOpts, { repo: "https://mirror.example.com/seaweedfs" });
        assert.strictEqual(release.values.allInOne.data.size, "20Gi");
        assert.deepStrictEqual(release.values.allInOne.s3.createBuckets, [{ name: "team-models" }]);
        assert.strictEqual(custom.outputs.modelUri.value, "s3://team-models/cifar10-model");
    });

    describe("switching the store", () => {
        const key = (r: RegisteredResource) => `${r.type}::${r.name}`;
        const under = (r: ProgramRun, component: string) => {
            const root = r.get(`scalable-serving:platform:Platform`, component);
            const inside = (x: RegisteredResource): boolean => x.parent === root.urn || (x.parent !== undefined && r.resources.some(p => p.urn === x.parent && inside(p)));
            return new Map(r.resources.filter(inside).map(x => [key(x), JSON.stringify(x.inputs)]));
        };

        it("leaves the platform untouched", async () => {
            const aws = await runProgram(baseConfig({ modelRepositoryPath: repo }));
            assert.deepStrictEqual(under(run, "platform"), under(aws, "platform"));
        });

        it("leaves the deployment's autoscaling untouched: only the model URI changes", async () => {
            for (const mode of ["hpa", "keda", "none"]) {
                const local = await runProgram(localConfig({ modelRepositoryPath: repo, autoscaler: mode }));
                const aws = await runProgram(baseConfig({ modelRepositoryPath: repo, autoscaler: mode }));
                const spec = (r: ProgramRun) => r.get(SDEP, "cifar10").inputs.spec;
                const a = spec(local);
                const b = spec(aws);
                assert.notStrictEqual(a.predictors[0].graph.modelUri, b.predictors[0].graph.modelUri);
                a.predictors[0].graph.modelUri = b.predictors[0].graph.modelUri;
                assert.deepStrictEqual(a, b, `${mode}: the SeldonDeployment differs beyond its model URI`);
            }
        });

        it("gives the same outputs shape: model URI, inference URL and smoke test", () => {
            assert.strictEqual(run.outputs.inferenceUrl.value, "http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer");
            assert.strictEqual(run.outputs.modelStoreKind.value, "in-cluster");
            run.get(COMMAND, "cifar10-smoke-test");
        });
    });

    describe("configuration", () => {
        it("is only for kind clusters", async () => {
            const r = await runProgram(localConfig({ clusterFlavour: "cloud", ingressExposure: "internal" }));
            assert.ok(r.error);
            assert.match(r.error.message, /scalable-serving:modelStore = "in-cluster" is for the kind flavour .*clusterFlavour = "cloud"/);
            assert.strictEqual(r.resources.length, 0);
        });
        it("makes its own identities: readerCredentials existing does not apply", async () => {
            const r = await runProgram(localConfig({ readerCredentials: "existing" }));
            assert.match(r.error!.message, /readerCredentials = "existing" applies to modelStore aws-s3 only/);
        });
        it("checks the volume size and chart version", async () => {
            const r = await runProgram(localConfig({ modelStoreSize: "lots", modelStoreVersion: "latest" }));
            assert.match(r.error!.message, /modelStoreSize = "lots" is not a storage size/);
            assert.match(r.error!.message, /modelStoreVersion = "latest" is not an exact chart version/);
        });
        it("rejects an unknown store", async () => {
            const r = await runProgram(localConfig({ modelStore: "gcs" }));
            assert.match(r.error!.message, /scalable-serving:modelStore = "gcs" is not allowed: use one of aws-s3 \| in-cluster/);
        });
        it("aws-s3 still needs a region, and says how to do without", async () => {
            const config = baseConfig();
            delete config["aws:region"];
            const r = await runProgram(config);
            assert.match(r.error!.message, /aws:region is not set.*modelStore: in-cluster/);
        });
    });
});

describe("probes/wait-for-http.ts (the S3 health gate), in-process (waitForStoreCommand)", () => {
    /** The gate's command with these settings and standard input; its printed lines in `lines`. */
    const gate = (env: Record<string, string>, input = "") => {
        const lines: string[] = [];
        return { lines, done: waitForStoreCommand(env, { log: l => lines.push(l), input: () => input, intervalMs: 50 }) };
    };

    it("waits until the endpoint answers 2xx", async () => {
        const server = await startV2Server(n => (n < 1 ? { status: 503, body: "starting" } : { status: 200, body: "ok" }));
        try {
            const result = gate({ WAIT_URL: `http://127.0.0.1:${server.port}/healthz`, WAIT_TIMEOUT_SECONDS: "20" });
            await result.done;
            assert.strictEqual(server.requests.length, 2);
            assert.match(result.lines.join("\n"), /waiting for .*HTTP 503/);
        } finally {
            await server.close();
        }
    });

    /** A signature-checking S3 server (s3rver) behind /healthz, as SeaweedFS serves both on one port. */
    async function store(keys: { accessKey: string; secretKey: string }, bucket: string) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const S3rver = require("@20minutes/s3rver");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("@20minutes/s3rver/lib/models/account").DUMMY_ACCOUNT.createKeyPair(keys.accessKey, keys.secretKey);
        const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-")), configureBuckets: [{ name: bucket }] });
        const s3Port = (await s3.run()).port;
        const front = http.createServer((req, res) => {
            if (req.url === "/healthz") {
                res.end("ok");
                return;
            }
            const upstream = http.request({ host: "127.0.0.1", port: s3Port, path: req.url, method: req.method, headers: req.headers }, answer => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            });
            req.pipe(upstream);
        });
        await new Promise<void>(r => front.listen(0, "127.0.0.1", r));
        return { port: (front.address() as AddressInfo).port, close: async () => { front.closeAllConnections(); await new Promise(r => front.close(r)); await s3.close(); } };
    }
    const KEYS = { accessKey: "UPLOADERKEY123456789", secretKey: "uploader-secret-key-0123456789abcdefghij" };

    it("then waits for the store itself: a listing of its bucket signed with the uploader's key must succeed (issue 19)", async () => {
        const s = await store(KEYS, "models");
        try {
            await gate({ WAIT_URL: `http://127.0.0.1:${s.port}/healthz`, WAIT_TIMEOUT_SECONDS: "20", WAIT_S3_BUCKET: "models" },
                JSON.stringify({ accessKeyId: KEYS.accessKey, secretAccessKey: KEYS.secretKey })).done;
            // A wrong secret: the server checks the signature and says so; the gate never passes.
            await assert.rejects(gate({ WAIT_URL: `http://127.0.0.1:${s.port}/healthz`, WAIT_TIMEOUT_SECONDS: "0.5", WAIT_S3_BUCKET: "models" },
                JSON.stringify({ accessKeyId: KEYS.accessKey, secretAccessKey: "not-the-secret" })).done,
            /last problem: a signed listing of bucket models answered HTTP 403 SignatureDoesNotMatch/);
            // No key on standard input: said at once, before any listing.
            await assert.rejects(gate({ WAIT_URL: `http://127.0.0.1:${s.port}/healthz`, WAIT_S3_BUCKET: "models" }, "").done,
                /WAIT_S3_BUCKET is set but standard input holds no \{"accessKeyId", "secretAccessKey"\} JSON/);
        } finally {
            await s.close();
        }
    });

    it("any server answering 2xx on that port is not the store: the gate fails at its deadline, saying why", async () => {
        const server = await startV2Server(() => ({ status: 200, body: "ok" }));
        try {
            await assert.rejects(gate({ WAIT_URL: `http://127.0.0.1:${server.port}/healthz`, WAIT_TIMEOUT_SECONDS: "0.5", WAIT_S3_BUCKET: "models" },
                JSON.stringify({ accessKeyId: KEYS.accessKey, secretAccessKey: KEYS.secretKey })).done,
            /last problem: a signed listing of bucket models answered HTTP 200: not \(yet\) the store/);
        } finally {
            await server.close();
        }
    });

    it("fails the update when the endpoint never answers", async () => {
        const server = await startV2Server(() => ({ status: 503, body: "down" }));
        try {
            await assert.rejects(gate({ WAIT_URL: `http://127.0.0.1:${server.port}/healthz`, WAIT_TIMEOUT_SECONDS: "0.5" }).done,
                /\/healthz was not ready within 0\.5 s .*last problem: HTTP 503/);
        } finally {
            await server.close();
        }
    });
});
