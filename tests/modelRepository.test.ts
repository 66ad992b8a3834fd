import * as assert from "assert";
import * as crypto from "crypto";
import * as path from "path";
import { tlsOnlyBucketPolicy } from "../components/storage/s3ModelStore";
import { baseConfig, makeRepository, MOCK_ACCOUNT_ID, ProgramRun, RegisteredResource, runProgram } from "./harness";

const COMPONENT = "scalable-serving:storage:ModelRepository";
const STORE = "scalable-serving:storage:S3ModelStore";
const BUCKET = "aws:s3/bucket:Bucket";
const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
const DERIVED_BUCKET = `scalable-serving-dev-${MOCK_ACCOUNT_ID}-models`;
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

describe("ModelRepository on AWS S3 (S3ModelStore)", () => {
    let run: ProgramRun;
    let bucket: RegisteredResource;
    let repoDir: string;

    before(async () => {
        repoDir = makeRepository({
            "cifar10-pytorch/config.pbtxt": "name: \"cifar10-pytorch\"\n",
            "cifar10-pytorch/1/model.ts": "model bytes v1",
            "cifar10-pytorch/.gitignore": "1/",
            "other-model/config.pbtxt": "name: \"other-model\"\n",
            "other-model/3/model.ts": "other bytes",
        });
        run = await runProgram(baseConfig({ modelRepositoryPath: repoDir }));
        assert.ifError(run.error);
        bucket = run.get(BUCKET, "model-store-bucket");
    });

    describe("bucket", () => {
        it("gets a name derived from project, stack and account, the same on every run", async () => {
            assert.strictEqual(bucket.inputs.bucket, DERIVED_BUCKET);
            const again = await runProgram(baseConfig({ modelRepositoryPath: repoDir }));
            assert.strictEqual(again.get(BUCKET, "model-store-bucket").inputs.bucket, DERIVED_BUCKET);
        });

        it("uses the configured name when there is one", async () => {
            const named = await runProgram(baseConfig({ bucketName: "team-models" }));
            assert.strictEqual(named.get(BUCKET, "model-store-bucket").inputs.bucket, "team-models");
            assert.strictEqual(named.outputs.modelBucket.value, "team-models");
        });

        it("blocks every kind of public access", () => {
            const block = run.get("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "model-store-public-access");
            assert.deepStrictEqual(block.inputs, {
                bucket: DERIVED_BUCKET,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
        });

        it("enforces owner object ownership (ACLs off)", () => {
            const ownership = run.get("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "model-store-ownership");
            assert.strictEqual(ownership.inputs.bucket, DERIVED_BUCKET);
            assert.deepStrictEqual(ownership.inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
        });

        it("encrypts objects at rest by default", () => {
            const sse = run.get("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "model-store-encryption");
            assert.strictEqual(sse.inputs.bucket, DERIVED_BUCKET);
            assert.deepStrictEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
        });

        it("keeps object versions", () => {
            const versioning = run.get("aws:s3/bucketVersioning:BucketVersioning", "model-store-versioning");
            assert.strictEqual(versioning.inputs.bucket, DERIVED_BUCKET);
            assert.deepStrictEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
        });

        it("denies requests without TLS, after the public access block is in place", () => {
            const policy = run.get("aws:s3/bucketPolicy:BucketPolicy", "model-store-tls-only");
            assert.strictEqual(policy.inputs.bucket, DERIVED_BUCKET);
            const doc = JSON.parse(policy.inputs.policy);
            assert.deepStrictEqual(doc, tlsOnlyBucketPolicy(`arn:aws:s3:::${DERIVED_BUCKET}`));
            assert.deepStrictEqual(doc.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.strictEqual(doc.Statement[0].Effect, "Deny");
            assert.deepStrictEqual(doc.Statement[0].Resource, [`arn:aws:s3:::${DERIVED_BUCKET}`, `arn:aws:s3:::${DERIVED_BUCKET}/*`]);
            const block = run.get("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "model-store-public-access");
            assert.ok(run.dependsOn(policy, block), "the bucket policy must wait for the public access block");
        });
    });

    describe("uploads", () => {
        it("uploads every file of the repository, hidden files skipped, keys keeping the Triton layout", () => {
            const keys = run.ofType(OBJECT).map(o => o.inputs.key).sort();
            assert.deepStrictEqual(keys, [
                "cifar10-model/cifar10-pytorch/1/model.ts",
                "cifar10-model/cifar10-pytorch/config.pbtxt",
                "cifar10-model/other-model/3/model.ts",
                "cifar10-model/other-model/config.pbtxt",
            ]);
            for (const o of run.ofType(OBJECT)) {
                assert.strictEqual(o.inputs.bucket, DERIVED_BUCKET);
            }
        });

        it("names each upload after its file and reads it from that file", () => {
            const model = run.get(OBJECT, "model-repository/cifar10-pytorch/1/model.ts");
            assert.strictEqual(path.resolve(model.inputs.source.path), path.join(repoDir, "cifar10-pytorch/1/model.ts"));
            assert.strictEqual(model.inputs.contentType, "application/octet-stream");
            assert.strictEqual(run.get(OBJECT, "model-repository/cifar10-pytorch/config.pbtxt").inputs.contentType, "text/plain");
        });

        it("records the content hash, so only changed files re-upload", async () => {
            const model = run.get(OBJECT, "model-repository/cifar10-pytorch/1/model.ts");
            assert.strictEqual(model.inputs.sourceHash, sha256("model bytes v1"));

            const changed = makeRepository({
                "cifar10-pytorch/config.pbtxt": "name: \"cifar10-pytorch\"\n",
                "cifar10-pytorch/1/model.ts": "model bytes v2",
                "other-model/config.pbtxt": "name: \"other-model\"\n",
                "other-model/3/model.ts": "other bytes",
            });
            const next = await runProgram(baseConfig({ modelRepositoryPath: changed }));
            const hashes = (r: ProgramRun) => Object.fromEntries(r.ofType(OBJECT).map(o => [o.name, o.inputs.sourceHash]));
            const before = hashes(run);
            const after = hashes(next);
            assert.notStrictEqual(after["model-repository/cifar10-pytorch/1/model.ts"], before["model-repository/cifar10-pytorch/1/model.ts"]);
            assert.strictEqual(after["model-repository/cifar10-pytorch/1/model.ts"], sha256("model bytes v2"));
            for (const unchanged of ["model-repository/cifar10-pytorch/config.pbtxt", "model-repository/other-model/3/model.ts", "model-repository/other-model/config.pbtxt"]) {
                assert.strictEqual(after[unchanged], before[unchanged], `${unchanged} did not change and must not re-upload`);
            }
        });

        it("uploads after encryption and ownership are configured", () => {
            const sse = run.get("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "model-store-encryption");
            const ownership = run.get("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "model-store-ownership");
            for (const o of run.ofType(OBJECT)) {
                assert.ok(run.dependsOn(o, sse), `${o.name} must wait for the encryption configuration`);
                assert.ok(run.dependsOn(o, ownership), `${o.name} must wait for the ownership controls`);
            }
        });

        it("puts the repository under the configured prefix", async () => {
            const prefixed = await runProgram(baseConfig({ modelPrefix: "teams/vision" }));
            assert.deepStrictEqual(prefixed.ofType(OBJECT).map(o => o.inputs.key).sort(), [
                "teams/vision/cifar10-pytorch/1/model.ts",
                "teams/vision/cifar10-pytorch/config.pbtxt",
            ]);
            assert.strictEqual(prefixed.outputs.modelUri.value, `s3://${DERIVED_BUCKET}/teams/vision`);
        });
    });

    describe("read access for the cluster", () => {
        it("creates a dedicated IAM user with a deterministic name", () => {
            const user = run.get("aws:iam/user:User", "model-store-reader");
            assert.strictEqual(user.inputs.name, "scalable-serving-dev-model-reader");
        });

        it("allows only listing the prefix and reading objects under it", () => {
            const policy = run.get("aws:iam/userPolicy:UserPolicy", "model-store-reader-policy");
            assert.strictEqual(policy.inputs.user, "scalable-serving-dev-model-reader");
            const doc = JSON.parse(policy.inputs.policy);
            assert.deepStrictEqual(doc, {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ListModelRepository",
                        Effect: "Allow",
                        Action: "s3:ListBucket",
                        Resource: `arn:aws:s3:::${DERIVED_BUCKET}`,
                        Condition: { StringLike: { "s3:prefix": ["cifar10-model", "cifar10-model/*"] } },
                    },
                    {
                        Sid: "ReadModelRepository",
                        Effect: "Allow",
                        Action: "s3:GetObject",
                        Resource: `arn:aws:s3:::${DERIVED_BUCKET}/cifar10-model/*`,
                    },
                ],
            });
        });

        it("creates an access key for that user", () => {
            const key = run.get("aws:iam/accessKey:AccessKey", "model-store-reader-key");
            assert.strictEqual(key.inputs.user, "scalable-serving-dev-model-reader");
        });

        it("uses an existing key pair from secret config instead, creating no IAM resources", async () => {
            const existing = await runProgram(
                baseConfig({ readerCredentials: "existing", readerAccessKeyId: "AKIAEXISTING", readerSecretAccessKey: "existing-secret" }),
                { secrets: ["readerAccessKeyId", "readerSecretAccessKey"] });
            assert.ifError(existing.error);
            assert.deepStrictEqual(existing.resources.filter(r => r.type.startsWith("aws:iam/")), []);
            const outputs = componentOutputs(existing);
            assert.deepStrictEqual(outputs.accessKeyId, { value: "AKIAEXISTING", secret: true });
            assert.deepStrictEqual(outputs.secretAccessKey, { value: "existing-secret", secret: true });
        });
    });

    describe("outputs", () => {
        it("exports bucket, model URI and region as stack outputs", () => {
            assert.deepStrictEqual(run.outputs.modelBucket, { value: DERIVED_BUCKET, secret: false });
            assert.deepStrictEqual(run.outputs.modelUri, { value: `s3://${DERIVED_BUCKET}/cifar10-model`, secret: false });
            assert.deepStrictEqual(run.outputs.modelRegion, { value: "eu-west-1", secret: false });
        });

        it("hands the credentials on as secrets", () => {
            const outputs = componentOutputs(run);
            assert.deepStrictEqual(outputs.accessKeyId, { value: "AKIAMOCKREADERKEY000", secret: true });
            assert.deepStrictEqual(outputs.secretAccessKey, { value: "mock-secret-access-key", secret: true });
        });

        it("never puts a credential into a stack output", async () => {
            const existing = await runProgram(
                baseConfig({ readerCredentials: "existing", readerAccessKeyId: "AKIAEXISTING", readerSecretAccessKey: "existing-secret" }),
                { secrets: ["readerAccessKeyId", "readerSecretAccessKey"] });
            const plain = JSON.stringify(Object.values(existing.outputs).filter(o => !o.secret));
            assert.ok(!plain.includes("existing-secret") && !plain.includes("AKIAEXISTING"));
        });
    });

    it("parents the uploads to the ModelRepository and the bucket and identity to the S3ModelStore", () => {
        const repository = run.get(COMPONENT, "model-repository");
        const store = run.get(STORE, "model-store");
        const uploads = run.ofType(OBJECT);
        assert.strictEqual(uploads.length, 4);
        assert.deepStrictEqual(run.resources.filter(r => r.parent === repository.urn), uploads);
        const storeResources = run.resources.filter(r => r.type.startsWith("aws:") && r.type !== OBJECT);
        assert.strictEqual(storeResources.length, 9);
        assert.deepStrictEqual(run.resources.filter(r => r.parent === store.urn), storeResources);
    });

    it("uploads through the stack's default AWS provider", () => {
        for (const o of run.ofType(OBJECT)) {
            assert.ok(o.provider === undefined || o.provider.includes("::default_"), `${o.name} uses ${o.provider}`);
        }
    });

    it("registers the same inputs when evaluated twice", async () => {
        const again = await runProgram(baseConfig({ modelRepositoryPath: repoDir }));
        const graph = (r: ProgramRun) => r.resources.map(x => ({ type: x.type, name: x.name, inputs: x.inputs, parent: x.parent }))
            .sort((a, b) => `${a.type}${a.name}`.localeCompare(`${b.type}${b.name}`));
        assert.deepStrictEqual(graph(again), graph(run));
    });
});

/** The outputs registered by the ModelRepository component (what the deployment consumes). */
function componentOutputs(run: ProgramRun) {
    return run.componentOutputs(run.get(STORE, "model-store"));
}
