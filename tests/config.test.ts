import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { baseConfig, cifar10Repository, makeRepository, ProgramRun, runProgram } from "./harness";

/** Runs the program expecting a configuration error; checks nothing was registered. */
async function configError(config: Record<string, string>, secrets: string[] = [], stack?: string): Promise<string> {
    const run: ProgramRun = await runProgram(config, { secrets, ...(stack ? { stack } : {}) });
    assert.ok(run.error, "expected the program to reject this configuration");
    // A RunError is printed by the CLI without a stack trace.
    assert.ok(pulumi.RunError.isInstance(run.error) && run.error.name === "ConfigError", `expected a ConfigError, got ${run.error.stack}`);
    assert.deepStrictEqual(run.resources.map(r => r.type), [], "no resource may be registered before validation passes");
    return run.error.message;
}

/** Asserts the message names the key, the bad value and what is allowed. */
function assertNames(message: string, ...parts: string[]): void {
    for (const part of parts) {
        assert.ok(message.includes(part), `expected the error to mention ${JSON.stringify(part)}:\n${message}`);
    }
}

describe("stack configuration", () => {
    describe("defaults (applied by the program, not only by the CLI)", () => {
        it("accepts a config with only a region and a built model repository", async () => {
            const run = await runProgram(baseConfig());
            assert.ifError(run.error);
            assert.strictEqual(run.outputs.autoscaler.value, "hpa");
        });
    });

    describe("autoscaler", () => {
        for (const mode of ["none", "hpa", "keda"]) {
            it(`accepts ${mode}`, async () => {
                const run = await runProgram(baseConfig({ autoscaler: mode }));
                assert.ifError(run.error);
                assert.strictEqual(run.outputs.autoscaler.value, mode);
            });
        }
        for (const bad of ["kedaa", "HPA", ""]) {
            it(`rejects ${JSON.stringify(bad)} naming the key, the value and the choices`, async () => {
                const message = await configError(baseConfig({ autoscaler: bad }));
                assertNames(message, "scalable-serving:autoscaler", JSON.stringify(bad), "none | hpa | keda");
            });
        }
    });

    describe("replica counts", () => {
        for (const key of ["replicas", "minReplicas", "maxReplicas"]) {
            it(`rejects ${key} = 0`, async () => {
                const message = await configError(baseConfig({ [key]: "0" }));
                assertNames(message, `scalable-serving:${key} = 0`, "is too small: use an integer from 1 to");
            });
            for (const bad of ["two", "1.5", "-3"]) {
                it(`rejects ${key} = ${bad}`, async () => {
                    const message = await configError(baseConfig({ [key]: bad }));
                    assertNames(message, `scalable-serving:${key}`, bad, "use an integer from 1 to 100");
                });
            }
        }
        it("rejects maxReplicas below minReplicas", async () => {
            const message = await configError(baseConfig({ minReplicas: "4", maxReplicas: "2" }));
            assertNames(message, "scalable-serving:maxReplicas = 2", "scalable-serving:minReplicas = 4", "at least minReplicas");
        });
        it("accepts maxReplicas equal to minReplicas", async () => {
            const run = await runProgram(baseConfig({ minReplicas: "2", maxReplicas: "2" }));
            assert.ifError(run.error);
        });
    });

    describe("bucketName", () => {
        for (const good of ["abc", "my.models-2026", "a".repeat(63)]) {
            it(`accepts ${good.length > 20 ? `${good.length} characters` : good}`, async () => {
                const run = await runProgram(baseConfig({ bucketName: good }));
                assert.ifError(run.error);
            });
        }
        const bad: Array<[string, string]> = [
            ["ab", "3 to 63 characters"],
            ["a".repeat(64), "3 to 63 characters"],
            ["My-Models", "lowercase"],
            ["models_bucket", "lowercase"],
            ["-models", "begin and end"],
            ["models.", "begin and end"],
            ["my..models", "adjacent dots"],
            ["192.168.5.4", "IP address"],
            ["xn--models", "reserved"],
            ["models-s3alias", "reserved"],
        ];
        for (const [name, why] of bad) {
            it(`rejects ${name.length > 20 ? `${name.length} characters` : name} (${why})`, async () => {
                const message = await configError(baseConfig({ bucketName: name }));
                assertNames(message, "scalable-serving:bucketName", JSON.stringify(name), why);
            });
        }
        it("rejects a stack whose derived bucket name would be too long", async () => {
            const run = await runProgram(baseConfig(), { stack: "a-very-long-stack-name-for-a-team-with-many-environments" });
            assert.ok(run.error);
            assertNames(run.error.message, "bucketName is unset", "3 to 63 characters", "pulumi config set bucketName");
            assert.strictEqual(run.resources.length, 0);
        });
    });

    describe("modelPrefix", () => {
        for (const good of ["cifar10-model", "teams/vision/cifar10"]) {
            it(`accepts ${good}`, async () => {
                const run = await runProgram(baseConfig({ modelPrefix: good }));
                assert.ifError(run.error);
            });
        }
        const bad: Array<[string, string]> = [
            ["", "must not be empty"],
            ["/models", "begin or end with '/'"],
            ["models/", "begin or end with '/'"],
            ["a//b", "must not be empty, '.' or '..'"],
            ["a/../b", "must not be empty, '.' or '..'"],
            ["my models", "only letters"],
        ];
        for (const [prefix, why] of bad) {
            it(`rejects ${JSON.stringify(prefix)} (${why})`, async () => {
                const message = await configError(baseConfig({ modelPrefix: prefix }));
                assertNames(message, "scalable-serving:modelPrefix", JSON.stringify(prefix), why);
            });
        }
    });

    describe("modelRepositoryPath", () => {
        it("rejects a folder that does not exist", async () => {
            const message = await configError(baseConfig({ modelRepositoryPath: "/nonexistent/models" }));
            assertNames(message, "scalable-serving:modelRepositoryPath", "/nonexistent/models", "does not exist");
        });
        it("rejects a folder without any model", async () => {
            const message = await configError(baseConfig({ modelRepositoryPath: makeRepository({ "README.txt": "x" }) }));
            assertNames(message, "holds no model", "config.pbtxt");
        });
        it("rejects a config.pbtxt without its version file, telling how to build the model", async () => {
            const dir = makeRepository({ "cifar10-pytorch/config.pbtxt": "name: \"cifar10-pytorch\"", "cifar10-pytorch/1/.gitkeep": "" });
            const message = await configError(baseConfig({ modelRepositoryPath: dir }));
            assertNames(message, "scalable-serving:modelRepositoryPath", dir, "cifar10-pytorch/1/model.ts", "npm run build:model");
        });
        it("rejects the committed repository until the model is built", async function () {
            if (fs.existsSync(path.join(__dirname, "../model/cifar10-model/cifar10-pytorch/1/model.ts"))) {
                this.skip(); // a developer has built the model locally
            }
            const message = await configError(baseConfig({ modelRepositoryPath: "model/cifar10-model" }));
            assertNames(message, "npm run build:model");
        });
        it("resolves a relative path from the project folder", async () => {
            const run = await runProgram(baseConfig({ modelRepositoryPath: path.relative(path.join(__dirname, ".."), baseConfig().modelRepositoryPath) }));
            assert.ifError(run.error);
        });
    });

    describe("aws:region", () => {
        it("is required", async () => {
            const config = baseConfig();
            delete config["aws:region"];
            const message = await configError(config);
            assertNames(message, "aws:region is not set", "pulumi config set aws:region");
        });
        it("must look like a region", async () => {
            const message = await configError(baseConfig({ "aws:region": "Europe" }));
            assertNames(message, "aws:region", "\"Europe\"", "eu-west-1");
        });
    });

    describe("readerCredentials", () => {
        it("rejects an unknown mode", async () => {
            const message = await configError(baseConfig({ readerCredentials: "root" }));
            assertNames(message, "scalable-serving:readerCredentials", "\"root\"", "iam-user | existing");
        });
        it("existing needs both secret keys", async () => {
            const message = await configError(baseConfig({ readerCredentials: "existing" }));
            assertNames(message, "scalable-serving:readerAccessKeyId is not set", "scalable-serving:readerSecretAccessKey is not set", "--secret");
        });
        it("existing refuses keys stored in plain text", async () => {
            const message = await configError(
                baseConfig({ readerCredentials: "existing", readerAccessKeyId: "AKIA1", readerSecretAccessKey: "plain" }),
                ["readerAccessKeyId"]);
            assertNames(message, "scalable-serving:readerSecretAccessKey is stored in plain text");
            assert.ok(!message.includes("plain\""), "the error must not echo the secret");
            assert.ok(!message.includes("readerAccessKeyId is stored"), "the secret key id is fine");
        });
        it("existing accepts secret keys", async () => {
            const run = await runProgram(
                baseConfig({ readerCredentials: "existing", readerAccessKeyId: "AKIA1", readerSecretAccessKey: "s3cr3t" }),
                { secrets: ["readerAccessKeyId", "readerSecretAccessKey"] });
            assert.ifError(run.error);
        });
        it("rejects a stack name too long for the reader's IAM user", async () => {
            const run = await runProgram(baseConfig({ bucketName: "models-bucket" }), { stack: "s".repeat(40) });
            assert.ok(run.error);
            assertNames(run.error.message, "too long for the reader's IAM user name", "64");
        });
    });

    describe("platform", () => {
        it("rejects an unknown cluster flavour", async () => {
            const message = await configError(baseConfig({ clusterFlavour: "eks" }));
            assertNames(message, "scalable-serving:clusterFlavour", "\"eks\"", "kind | cloud");
        });
        for (const key of ["istio", "seldonCore"]) {
            it(`${key} cannot be none: the model is served through it`, async () => {
                const message = await configError(baseConfig({ [key]: "none" }));
                assertNames(message, `scalable-serving:${key}`, "\"none\"", "install | existing");
            });
        }
        for (const key of ["metricsServer", "monitoring", "keda"]) {
            it(`${key} takes install | existing | none`, async () => {
                const message = await configError(baseConfig({ [key]: "yes" }));
                assertNames(message, `scalable-serving:${key}`, "\"yes\"", "install | existing | none");
            });
        }
        for (const key of ["istioVersion", "seldonCoreVersion", "metricsServerVersion", "monitoringVersion", "kedaVersion"]) {
            for (const bad of ["latest", "^1.2.3", "1.2", "v1.2.3"]) {
                it(`${key} rejects ${bad}: chart versions are exact`, async () => {
                    const message = await configError(baseConfig({ [key]: bad }));
                    assertNames(message, `scalable-serving:${key}`, JSON.stringify(bad), "exact chart version");
                });
            }
        }
        for (const [ns, why] of [["Models", "not a valid namespace name"], ["a".repeat(64), "not a valid namespace name"], ["-x", "not a valid namespace name"], ["istio-system", "belongs to istio"], ["kube-system", "belongs to Kubernetes"], ["default", "belongs to Kubernetes"], ["seaweedfs", "belongs to modelStore in-cluster"]]) {
            it(`modelNamespace rejects ${ns.length > 20 ? `${ns.length} characters` : ns}`, async () => {
                const message = await configError(baseConfig({ modelNamespace: ns }));
                assertNames(message, "scalable-serving:modelNamespace", why);
            });
        }
        for (const key of ["istioRepository", "seldonCoreRepository", "metricsServerRepository", "monitoringRepository", "kedaRepository", "modelStoreRepository"]) {
            it(`${key} must be an https:// or oci:// repository`, async () => {
                const store: Record<string, string> = key === "modelStoreRepository" ? { modelStore: "in-cluster" } : {};
                const message = await configError(baseConfig({ ...store, [key]: "charts.example.com" }));
                assertNames(message, `scalable-serving:${key} = "charts.example.com"`, "https://", "oci://");
            });
        }
        it("prometheusUrl must be an http(s) URL", async () => {
            const message = await configError(baseConfig({ monitoring: "existing", prometheusUrl: "prometheus:9090" }));
            assertNames(message, "scalable-serving:prometheusUrl", "\"prometheus:9090\"", "http:// or https:// URL");
        });
        it("prometheusUrl is only for monitoring = existing", async () => {
            const message = await configError(baseConfig({ prometheusUrl: "http://p:9090" }));
            assertNames(message, "scalable-serving:prometheusUrl is set", "monitoring = \"install\"", "only used with monitoring = existing");
        });
    });

    describe("the autoscaler has what it needs", () => {
        it("hpa needs a metrics API", async () => {
            const message = await configError(baseConfig({ autoscaler: "hpa", metricsServer: "none" }));
            assertNames(message, "autoscaler = \"hpa\"", "metrics.k8s.io", "metricsServer = \"none\"", "install, or to existing");
        });
        it("hpa accepts a metrics-server the cluster already runs", async () => {
            const run = await runProgram(baseConfig({ autoscaler: "hpa", metricsServer: "existing" }));
            assert.ifError(run.error);
        });
        it("keda needs KEDA", async () => {
            const message = await configError(baseConfig({ autoscaler: "keda", keda: "none" }));
            assertNames(message, "autoscaler = \"keda\" needs KEDA", "keda = \"none\"", "install or existing");
        });
        it("keda needs Prometheus", async () => {
            const message = await configError(baseConfig({ autoscaler: "keda", monitoring: "none" }));
            assertNames(message, "autoscaler = \"keda\"", "monitoring = \"none\"", "prometheusUrl");
        });
        it("keda with an existing Prometheus needs its URL", async () => {
            const message = await configError(baseConfig({ autoscaler: "keda", monitoring: "existing" }));
            assertNames(message, "monitoring = \"existing\" needs scalable-serving:prometheusUrl");
        });
        it("none needs neither", async () => {
            const run = await runProgram(baseConfig({ autoscaler: "none", metricsServer: "none", keda: "none", monitoring: "none" }));
            assert.ifError(run.error);
            assert.deepStrictEqual(run.ofType("kubernetes:helm.sh/v3:Release").map(r => r.name).sort(),
                ["istio-base", "istio-ingressgateway", "istiod", "seldon-core"]);
        });
    });

    describe("model deployment", () => {
        for (const key of ["deploymentName", "modelName"]) {
            it(`${key} must be a Kubernetes name`, async () => {
                const message = await configError(baseConfig({ [key]: "Cifar_10" }));
                assertNames(message, `scalable-serving:${key} = "Cifar_10"`, "not a valid Kubernetes name", "lowercase");
            });
        }
        it("modelName must be a model of the repository", async () => {
            const message = await configError(baseConfig({ modelName: "resnet" }));
            assertNames(message, "scalable-serving:modelName = \"resnet\"", "not a model of the repository", "cifar10-pytorch");
        });
        it("rejects names whose Seldon workload name exceeds 63 characters", async () => {
            const message = await configError(baseConfig({ deploymentName: "d".repeat(40) }));
            assertNames(message, "too long together", "at most 63");
        });
        for (const bad of ["nvcr.io/nvidia/tritonserver:", "nvcr.io/nvidia/tritonserver", "nvcr.io/nvidia/tritonserver:latest", "Triton:1"]) {
            it(`tritonImage rejects ${bad}`, async () => {
                const message = await configError(baseConfig({ tritonImage: bad }));
                assertNames(message, "scalable-serving:tritonImage", JSON.stringify(bad), "pinned image", "never latest");
            });
        }
        it("tritonImage accepts a digest", async () => {
            const run = await runProgram(baseConfig({ tritonImage: `nvcr.io/nvidia/tritonserver@sha256:${"a".repeat(64)}` }));
            assert.ifError(run.error);
        });
        for (const key of ["modelCpuRequest", "modelMemoryRequest", "modelCpuLimit", "modelMemoryLimit"]) {
            it(`${key} must be a quantity`, async () => {
                const message = await configError(baseConfig({ [key]: "half a core" }));
                assertNames(message, `scalable-serving:${key} = "half a core"`, "Kubernetes quantity");
            });
        }
        it("requests may not be empty", async () => {
            const message = await configError(baseConfig({ modelCpuRequest: "" }));
            assertNames(message, "scalable-serving:modelCpuRequest = \"\"", "Kubernetes quantity");
        });
        for (const key of ["hpaCpuUtilization", "kedaRequestsPerSecond", "kedaPollingInterval"]) {
            it(`${key} must be a positive whole number`, async () => {
                const message = await configError(baseConfig({ [key]: "0" }));
                assertNames(message, `scalable-serving:${key} = 0`, "is too small: use an integer from 1 to");
            });
        }
        it("kedaQueueTarget 0 cannot be met by any number of replicas: at least 1", async () => {
            const message = await configError(baseConfig({ autoscaler: "keda", kedaSignal: "queue", kedaQueueTarget: "0" }));
            assertNames(message, "scalable-serving:kedaQueueTarget = 0", "is too small: use an integer from 1 to 10000");
            assert.strictEqual(message.split("kedaQueueTarget = 0").length, 2, "reported once, though the autoscaler and the dashboard both use it");
        });
        it("kedaScaleUpStabilizationSeconds stays within Kubernetes' limit of an hour", async () => {
            const message = await configError(baseConfig({ autoscaler: "keda", kedaScaleUpStabilizationSeconds: "7200" }));
            assertNames(message, "scalable-serving:kedaScaleUpStabilizationSeconds = 7200", "use an integer from 0 to 3600");
        });
        it("kedaSignal is requestRate or queue", async () => {
            const message = await configError(baseConfig({ autoscaler: "keda", kedaSignal: "latency" }));
            assertNames(message, "scalable-serving:kedaSignal", "latency", "requestRate", "queue");
        });
        it("tritonImage must be a tritonserver image: Triton's metrics are scraped by image", async () => {
            const message = await configError(baseConfig({ tritonImage: "registry.example.com/ml/model-server:1.0" }));
            assertNames(message, "scalable-serving:tritonImage = \"registry.example.com/ml/model-server:1.0\"", "is not a Triton image", "tritonserver");
        });
        it("kedaScaleDownStabilizationSeconds stays within Kubernetes' limit", async () => {
            const message = await configError(baseConfig({ kedaScaleDownStabilizationSeconds: "7200" }));
            assertNames(message, "scalable-serving:kedaScaleDownStabilizationSeconds = 7200", "use an integer from 0 to 3600");
        });
        it("payloadLoggerUrl must be a URL", async () => {
            const message = await configError(baseConfig({ payloadLoggerUrl: "default-broker" }));
            assertNames(message, "scalable-serving:payloadLoggerUrl = \"default-broker\" is not a URL", "http:// or https:// URL");
        });
        it("rcloneProvider names are case-sensitive", async () => {
            const message = await configError(baseConfig({ rcloneProvider: "aws" }));
            assertNames(message, "scalable-serving:rcloneProvider = \"aws\"", "AWS | Ceph | Minio | SeaweedFS | Other");
        });
        it("an endpoint never goes with provider AWS, whether set or the store's", async () => {
            const explicit = await configError(baseConfig({ s3Endpoint: "http://minio:9000", rcloneProvider: "AWS", modelStore: "in-cluster" }));
            assertNames(explicit, "scalable-serving:s3Endpoint is set but scalable-serving:rcloneProvider = \"AWS\"");
            const derived = await configError(baseConfig({ s3Endpoint: "http://minio:9000" }));
            assertNames(derived, "scalable-serving:s3Endpoint is set but the aws-s3 store's rclone provider is AWS");
            const run = await runProgram(baseConfig({ s3Endpoint: "http://minio:9000", rcloneProvider: "Minio", modelStore: "in-cluster" }));
            assert.ifError(run.error);
            // With the aws-s3 store the bucket is in AWS: another provider or endpoint cannot reach it (issue 19).
            for (const provider of ["Minio", "SeaweedFS"]) {
                assertNames(await configError(baseConfig({ s3Endpoint: "http://minio:9000", rcloneProvider: provider })),
                    `scalable-serving:rcloneProvider = "${provider}" does not fit scalable-serving:modelStore = "aws-s3"`);
            }
        });
        it("smokeTest is a boolean", async () => {
            const message = await configError(baseConfig({ smokeTest: "yes" }));
            assertNames(message, "scalable-serving:smokeTest = \"yes\"", "true or false");
        });
        it("smokeTestTimeoutSeconds is at least 10", async () => {
            const message = await configError(baseConfig({ smokeTestTimeoutSeconds: "5" }));
            assertNames(message, "scalable-serving:smokeTestTimeoutSeconds = 5", "use an integer from 10 to 14400");
        });
    });

    describe("load test", () => {
        for (const bad of ["soon", "0s", "500ms", "3 minutes"]) {
            it(`loadTestRunTime rejects ${JSON.stringify(bad)}`, async () => {
                const message = await configError(baseConfig({ loadTestRunTime: bad }));
                assertNames(message, `scalable-serving:loadTestRunTime = ${JSON.stringify(bad)}`, "from 1 s to 24 h", "180s");
            });
        }
        for (const [key, bad] of [["loadTestUsers", "0"], ["loadTestSpawnRate", "0"]]) {
            it(`${key} must be at least 1`, async () => {
                const message = await configError(baseConfig({ [key]: bad }));
                assertNames(message, `scalable-serving:${key} = 0`, "is too small: use an integer from 1 to");
            });
        }
        it("loadTestImage must be pinned", async () => {
            const message = await configError(baseConfig({ loadTestImage: "node:latest" }));
            assertNames(message, "scalable-serving:loadTestImage = \"node:latest\"", "never latest");
        });
        it("loadTestEnabled is a boolean", async () => {
            const message = await configError(baseConfig({ loadTestEnabled: "on" }));
            assertNames(message, "scalable-serving:loadTestEnabled = \"on\"", "true or false");
        });
    });

    describe("nothing silently ignored", () => {
        for (const [key, suggestion] of [["autoscalr", "autoscaler"], ["AutoScaler", "autoscaler"], ["maxreplicas", "maxReplicas"],
            ["kedaRequestPerSecond", "kedaRequestsPerSecond"], ["readerSecretKey", "readerSecretAccessKey"]]) {
            it(`rejects the unknown key ${key}, suggesting ${suggestion}`, async () => {
                const message = await configError(baseConfig({ [key]: "keda" }));
                assertNames(message, `scalable-serving:${key} is not a setting of this project: did you mean ${suggestion}?`, `pulumi config rm ${key}`);
            });
        }
        it("names an unknown key without a guess when nothing is close", async () => {
            const message = await configError(baseConfig({ colour: "blue" }));
            assertNames(message, "scalable-serving:colour is not a setting of this project (");
        });
        it("leaves other namespaces alone (aws:, kubernetes:)", async () => {
            const run = await runProgram(baseConfig({ "kubernetes:enableServerSideApply": "true", "aws:profile": "dev" }));
            assert.ifError(run.error);
        });
        for (const key of ["readerAccessKeyId", "readerSecretAccessKey"]) {
            it(`refuses ${key} in plain text in every mode, without echoing it`, async () => {
                for (const config of <Array<Record<string, string>>>[{}, { modelStore: "in-cluster" }, { readerCredentials: "existing" }] as Array<Record<string, string>>) {
                    const message = await configError(baseConfig({ ...config, [key]: "hunter2-plain" }));
                    assertNames(message, `scalable-serving:${key} is stored in plain text`, "--secret");
                    assert.ok(!message.includes("hunter2"), "the error must not echo the credential");
                }
            });
            it(`rejects ${key} set where nothing reads it`, async () => {
                const iamUser = await configError(baseConfig({ [key]: "x" }), [key]);
                assertNames(iamUser, `scalable-serving:${key} is set but scalable-serving:readerCredentials = "iam-user"`, `pulumi config rm ${key}`);
                const inCluster = await configError(baseConfig({ modelStore: "in-cluster", [key]: "x" }), [key]);
                assertNames(inCluster, `scalable-serving:${key} is set but scalable-serving:modelStore = "in-cluster"`);
            });
        }
    });

    describe("nothing incoherent", () => {
        for (const key of ["istioRepository", "kedaRepository", "modelStoreRepository"]) {
            it(`${key} refuses plain http://`, async () => {
                const store: Record<string, string> = key === "modelStoreRepository" ? { modelStore: "in-cluster" } : {};
                const message = await configError(baseConfig({ ...store, [key]: "http://charts.example.com/stable" }));
                assertNames(message, `scalable-serving:${key} = "http://charts.example.com/stable"`, "plain http:// is not accepted");
            });
        }
        for (const [resource, request, limit] of [["Cpu", "500m", "250m"], ["Memory", "1Gi", "512Mi"], ["Memory", "2G", "1900Mi"]]) {
            it(`model${resource}Limit ${limit} below model${resource}Request ${request} is rejected, naming both`, async () => {
                const message = await configError(baseConfig({ [`model${resource}Request`]: request, [`model${resource}Limit`]: limit }));
                assertNames(message, `scalable-serving:model${resource}Limit = "${limit}" is below scalable-serving:model${resource}Request = "${request}"`);
            });
        }
        it("a limit equal to the request, or above it in other units, is fine", async () => {
            const run = await runProgram(baseConfig({ modelCpuRequest: "500m", modelCpuLimit: "0.5", modelMemoryRequest: "1Gi", modelMemoryLimit: "1100M" }));
            assert.ifError(run.error);
        });
        for (const key of ["modelCpuRequest", "modelMemoryRequest"]) {
            it(`${key} of zero is rejected`, async () => {
                const message = await configError(baseConfig({ [key]: "0" }));
                assertNames(message, `scalable-serving:${key} = "0" must be more than zero`);
            });
        }
        it("rcloneProvider AWS does not go with the in-cluster store", async () => {
            const message = await configError(baseConfig({ modelStore: "in-cluster", rcloneProvider: "AWS" }));
            assertNames(message, "scalable-serving:rcloneProvider = \"AWS\" does not fit scalable-serving:modelStore = \"in-cluster\"");
        });
        it("the in-cluster load test needs the smoke test, which is what waits for the model", async () => {
            const message = await configError(baseConfig({ loadTestEnabled: "true", smokeTest: "false" }));
            assertNames(message, "scalable-serving:loadTestEnabled = true needs scalable-serving:smokeTest = true");
            const run = await runProgram(baseConfig({ loadTestEnabled: "false", smokeTest: "false" }));
            assert.ifError(run.error);
        });
        for (const [key, value, allowed] of [
            ["replicas", "101", "from 1 to 100"], ["maxReplicas", "100000", "from 1 to 100"], ["minReplicas", "2147483648", "from 1 to 100"],
            ["hpaCpuUtilization", "5000", "from 1 to 1000"], ["kedaRequestsPerSecond", "1000001", "from 1 to 100000"],
            ["kedaPollingInterval", "86400", "from 1 to 3600"], ["smokeTestTimeoutSeconds", "100000", "from 10 to 14400"],
            ["loadTestUsers", "20000", "from 1 to 10000"], ["loadTestSpawnRate", "5000", "from 1 to 1000"],
        ]) {
            it(`${key} = ${value} is too large`, async () => {
                const message = await configError(baseConfig({ [key]: value }));
                assertNames(message, `scalable-serving:${key} = ${value} is too large: use an integer ${allowed}`);
            });
        }
        it("loadTestRunTime is at most 24 h", async () => {
            const message = await configError(baseConfig({ loadTestRunTime: "25h" }));
            assertNames(message, "scalable-serving:loadTestRunTime = \"25h\"", "from 1 s to 24 h");
        });
        for (const [image, problem] of [
            ["nvcr.io/nvidia/tritonserver@sha256:abc", "is not sha256: and 64 hex digits"],
            [`nvcr.io/nvidia/tritonserver@md5:${"a".repeat(32)}`, "is not sha256: and 64 hex digits"],
            [`nvcr.io/nvidia/tritonserver@sha256:${"A".repeat(64)}`, "is not sha256: and 64 hex digits"],
            ["nvcr.io/nvidia/tritonserver:-bad", "is not a valid image reference"],
            ["nvcr.io/NVIDIA/tritonserver:25.01-py3", "is not a valid image reference"],
            ["nvcr.io/nvidia/tritonserver", "neither a tag nor a digest"],
        ]) {
            it(`tritonImage ${image.length > 60 ? `${image.slice(0, 57)}...` : image} is refused: ${problem}`, async () => {
                const message = await configError(baseConfig({ tritonImage: image }));
                assertNames(message, "scalable-serving:tritonImage", problem);
            });
        }
        it("ingressSourceRanges takes CIDRs, on cloud only", async () => {
            const bad = await configError(baseConfig({ clusterFlavour: "cloud", ingressExposure: "public", ingressSourceRanges: "203.0.113.0/24, 10.0.0.300/8" }));
            assertNames(bad, "scalable-serving:ingressSourceRanges has \"10.0.0.300/8\", which has no valid IPv4 or IPv6 address");
            const kind = await configError(baseConfig({ ingressSourceRanges: "203.0.113.0/24" }));
            assertNames(kind, "scalable-serving:ingressSourceRanges is set but scalable-serving:clusterFlavour = \"kind\"");
        });
    });

    it("reports each problem once", async () => {
        const message = await configError(baseConfig({ modelStore: "gcs" }));
        assert.strictEqual(message.split("\n").filter(l => l.includes("scalable-serving:modelStore = \"gcs\"")).length, 1, message);
    });

    it("reports every problem at once", async () => {
        const message = await configError(baseConfig({ autoscaler: "knative", minReplicas: "0", bucketName: "UPPER" }));
        assertNames(message, "scalable-serving:autoscaler", "scalable-serving:minReplicas", "scalable-serving:bucketName");
        assert.strictEqual(message.split("\n  - ").length - 1, 3);
    });

    describe("credentials never inside a URL (issue 19)", () => {
        const settings: Array<[string, string, Record<string, string>, RegExp]> = [
            ["istioRepository", "https://u:hunter2@charts.example.com/istio", {}, /use a mirror that needs none/],
            ["seldonCoreRepository", "https://u:hunter2@charts.example.com/seldon", {}, /use a mirror that needs none/],
            ["metricsServerRepository", "https://u:hunter2@charts.example.com/ms", {}, /use a mirror that needs none/],
            ["monitoringRepository", "oci://u:hunter2@registry.example.com/charts", {}, /use a mirror that needs none/],
            ["kedaRepository", "https://u:hunter2@charts.example.com/keda", {}, /use a mirror that needs none/],
            ["modelStoreRepository", "https://u:hunter2@charts.example.com/sw", { modelStore: "in-cluster" }, /use a mirror that needs none/],
            ["prometheusUrl", "http://admin:hunter2@prometheus.monitoring.svc:9090", { monitoring: "existing", autoscaler: "keda" }, /that endpoint must not need inline credentials/],
            ["payloadLoggerUrl", "http://u:hunter2@logger.logging.svc:8080", {}, /pulumi config set --secret payloadLoggerUrl/],
            ["s3Endpoint", "https://AKIA:hunter2@s3.example.com", { rcloneProvider: "Ceph" }, /secret settings readerAccessKeyId and readerSecretAccessKey/],
        ];
        for (const [key, url, extra, instead] of settings) {
            it(`${key}: refused, named, redacted, with where credentials go`, async () => {
                const message = await configError(baseConfig({ ...extra, [key]: url }));
                assertNames(message, `scalable-serving:${key}`, "carries credentials inside the URL", "REDACTED");
                assert.match(message, instead);
                assert.ok(!message.includes("hunter2"), "the password is never printed");
            });
        }

        it("a user name alone is refused too; the same URL without credentials passes", async () => {
            assertNames(await configError(baseConfig({ payloadLoggerUrl: "http://someone@logger.logging.svc:8080" })), "carries credentials");
            const run = await runProgram(baseConfig({ payloadLoggerUrl: "http://logger.logging.svc:8080", istioRepository: "https://charts.example.com/istio" }));
            assert.ifError(run.error);
        });

        it("a payloadLoggerUrl stored as a secret stays secret: in the SeldonDeployment, the webhook gate's environment and the smoke test's", async () => {
            const url = "http://logger.logging.svc:8080/token-in-path-abc";
            const run = await runProgram(baseConfig({ payloadLoggerUrl: url }), { secrets: ["payloadLoggerUrl"] });
            assert.ifError(run.error);
            const sdep = run.get("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", "cifar10");
            assert.strictEqual(sdep.inputs.spec.predictors[0].graph.logger.url, url);
            assert.ok(sdep.secretPaths.some(p => p === "spec" || p.startsWith("spec.")), `secret paths: ${sdep.secretPaths.join(", ")}`);
            const gate = run.get("command:local:Command", "cifar10-webhook-ready");
            assert.ok(gate.secretPaths.some(p => p.startsWith("environment")), `secret paths: ${gate.secretPaths.join(", ")}`);
            // Stored in plain text, it is an ordinary setting (no secret where none was asked for).
            const plain = await runProgram(baseConfig({ payloadLoggerUrl: url }));
            assert.deepStrictEqual(plain.get("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", "cifar10").secretPaths, []);
        });
    });

    describe("an unreadable model repository (issue 19)", () => {
        // Root reads every file whatever its mode, so the refusal is injected at the fs boundary.
        for (const [what, method] of [["a model file", "readFileSync"], ["a folder", "readdirSync"]] as const) {
            it(`${what} that cannot be read is a problem of modelRepositoryPath naming the path and the fix, not a stack trace`, async () => {
                const repo = cifar10Repository();
                const target = method === "readFileSync" ? path.join(repo, "cifar10-pytorch", "1", "model.ts") : path.join(repo, "cifar10-pytorch", "1");
                // The module object itself (an `import *` namespace is read-only): what lib/ reads through.
                const nodeFs = require("fs") as Record<string, unknown>;
                const original = nodeFs[method] as (...a: unknown[]) => unknown;
                nodeFs[method] = (p: unknown, ...rest: unknown[]) => {
                    if (String(p) === target) {
                        throw Object.assign(new Error(`EACCES: permission denied, open '${target}'`), { code: "EACCES", path: target });
                    }
                    return original.call(nodeFs, p, ...rest);
                };
                try {
                    const message = await configError(baseConfig({ modelRepositoryPath: repo }));
                    assertNames(message, "scalable-serving:modelRepositoryPath", `cannot read ${target} (EACCES)`, "make it readable by the user who runs pulumi");
                    assert.strictEqual(message.split("\n  - ").length - 1, 1, "one problem, under the right setting");
                } finally {
                    nodeFs[method] = original;
                }
            });
        }
    });

    describe("closed world: settings that would be ignored without a word (issue 19)", () => {
        it("a misspelt project namespace is named with the key it was meant for; the providers' namespaces are not", async () => {
            for (const key of ["scalable_serving:replicas", "scalable-servng:replicas", "Scalable-Serving:replicas"]) {
                const message = await configError(baseConfig({ [key]: "3" }));
                assertNames(message, `${key} is set, but this project's settings are scalable-serving:<key>: did you mean scalable-serving:replicas?`);
            }
            const run = await runProgram(baseConfig({ "aws:region": "eu-west-1", "kubernetes:enableServerSideApply": "true" }));
            assert.ifError(run.error);
        });

        it("kubernetes:context, :kubeconfig and :cluster are refused: the program's own provider reads kubeContext", async () => {
            for (const key of ["kubernetes:context", "kubernetes:kubeconfig", "kubernetes:cluster"]) {
                assertNames(await configError(baseConfig({ [key]: "prod" })), `${key} is set`, "configured by scalable-serving:kubeContext", "config set kubeContext <context>");
            }
        });

        it("a stack other than dev must name its cluster: an empty kubeContext is refused with the command that sets it", async () => {
            const message = await configError(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal" }), [], "prod");
            assertNames(message, "scalable-serving:kubeContext is empty on stack \"prod\"", "pulumi config set kubeContext <context>", "kubectl config get-contexts");
            const named = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal", kubeContext: "prod-cluster" }), { stack: "prod" });
            assert.ifError(named.error);
            // The dev stack (npm run up:kind switches the current context to kind's) may leave it empty.
            assert.ifError((await runProgram(baseConfig({}), { stack: "dev" })).error);
        });
    });

    describe("quantities within sane bounds, said with the reason (issue 19)", () => {
        for (const [key, value, message] of [
            ["modelCpuRequest", "1e18", /is 1\.00e\+18 cores: use 1m to 256 \(a CPU count/],
            ["modelCpuLimit", "500M", /is 5\.00e\+8 cores: use 1m to 256 .*M, Gi and the like are memory suffixes/],
            ["modelCpuLimit", "100Gi", /cores: use 1m to 256/],
            ["modelMemoryRequest", "500m", /is 0\.500 bytes: use 16Mi to 4Ti .*a lower-case m is milli/],
            ["modelMemoryLimit", "999Ei", /bytes: use 16Mi to 4Ti/],
            ["modelMemoryLimit", "1e18", /bytes: use 16Mi to 4Ti/],
            ["modelStoreSize", "0Gi", /is out of range: use 1Gi to 64Ti/],
            ["modelStoreSize", "99999999Ti", /is out of range: use 1Gi to 64Ti/],
        ] as const) {
            it(`${key} = ${value} is refused`, async () => {
                const message2 = await configError(baseConfig({ modelStore: "in-cluster", modelCpuLimit: "", modelMemoryLimit: "", [key]: value }));
                assertNames(message2, `scalable-serving:${key} = "${value}"`);
                assert.match(message2, message);
            });
        }
        it("at the bounds: 1m and 256 cores, 16Mi and 4Ti, 1Gi and 64Ti are allowed", async () => {
            for (const config of <Array<Record<string, string>>>[
                { modelCpuRequest: "1m", modelCpuLimit: "256", modelMemoryRequest: "16Mi", modelMemoryLimit: "4Ti", modelStoreSize: "1Gi" },
                { modelStoreSize: "64Ti" },
            ]) {
                assert.ifError((await runProgram(baseConfig({ modelStore: "in-cluster", ...config }))).error);
            }
            // Just outside.
            assertNames(await configError(baseConfig({ modelCpuLimit: "257" })), "scalable-serving:modelCpuLimit");
            assertNames(await configError(baseConfig({ modelMemoryRequest: "15Mi" })), "scalable-serving:modelMemoryRequest");
        });
    });

    describe("settings the modes in force do not use (issue 19)", () => {
        it("are named in a warning at every preview and up, with why and how to remove them; a run without any says nothing", async () => {
            const warned: string[] = [];
            const original = pulumi.log.warn;
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (message: string) => { warned.push(message); };
            try {
                const run = await runProgram(baseConfig({ autoscaler: "hpa", replicas: "4", kedaSignal: "queue", smokeTest: "false", smokeTestTimeoutSeconds: "60" }));
                assert.ifError(run.error);
                assert.deepStrictEqual(warned.map(w => w.split(" ")[0]).sort(),
                    ["scalable-serving:kedaSignal", "scalable-serving:replicas", "scalable-serving:smokeTestTimeoutSeconds"]);
                assert.ok(warned.every(w => /is set but not used: .*\(`pulumi config rm \w+` if it is not meant for a later swap\)$/.test(w)), warned.join("\n"));
                warned.length = 0;
                assert.ifError((await runProgram(baseConfig({ autoscaler: "hpa", minReplicas: "2" }))).error);
                assert.deepStrictEqual(warned, []);
            } finally {
                (pulumi.log as { warn: typeof pulumi.log.warn }).warn = original;
            }
        });
    });

    it("readerCredentials existing with an empty key is refused like a missing one, without printing anything of it (issue 19)", async () => {
        const message = await configError(baseConfig({ readerCredentials: "existing", readerAccessKeyId: " ", readerSecretAccessKey: "s3cr3t-value" }),
            ["readerAccessKeyId", "readerSecretAccessKey"]);
        assertNames(message, "scalable-serving:readerAccessKeyId is empty", "config set --secret readerAccessKeyId <value>");
        assert.ok(!message.includes("readerSecretAccessKey is empty") && !message.includes("s3cr3t-value"));
    });
});
