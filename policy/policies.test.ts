import * as assert from "assert";
import { imageIsPinned } from "../lib/images";
import { stackArgs, validate, validateStack } from "../tests/policyHarness";
import { authenticatedChartSources, autoscaledCpuRequests, encryptedBuckets, explicitServing, exposureIsExplicit, hardenedContainers, iamLeastPrivilege, kedaTotalRate, noAdminIdentities, noPlaintextCredentials, noPrivilegedHelmValues, noPublicS3, pinnedVersions, podSecurityBaseline, rbacLeastPrivilege } from "./policies";

describe("policy pack: each rule against a violating and a passing example", () => {

    describe("pinned-chart-and-image-versions", () => {
        const release = (version?: string) => validate(pinnedVersions, "kubernetes:helm.sh/v3:Release", { chart: "keda", ...(version ? { version } : {}) }, "keda");
        it("rejects a Helm release without an exact version", () => {
            for (const bad of [undefined, "latest", "^2.20.0", "2.20", "~2.20.2", ">=2"]) {
                assert.strictEqual(release(bad).length, 1, `version ${bad}`);
            }
            assert.match(release("latest")[0], /keda \(chart keda\) has version "latest": pin an exact chart version/);
            assert.deepStrictEqual(release("2.20.2"), []);
        });
        it("rejects unpinned container images anywhere in a resource", () => {
            const violations = validate(pinnedVersions, "kubernetes:batch/v1:Job", {
                spec: { template: { spec: { initContainers: [{ name: "init", image: "busybox" }], containers: [{ name: "main", image: "node:latest" }, { name: "ok", image: "node:22.20.0-alpine3.22" }] } } },
            }, "job");
            assert.strictEqual(violations.length, 2);
            assert.match(violations[0], /container init .* uses image busybox/);
            assert.match(violations[1], /container main .* uses image node:latest/);
        });
        it("recognises tags and digests, also behind registry ports", () => {
            assert.ok(imageIsPinned("nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3"));
            assert.ok(imageIsPinned(`registry.local:5000/triton@sha256:${"a".repeat(64)}`));
            assert.ok(!imageIsPinned("registry.local:5000/triton"));
            assert.ok(!imageIsPinned("triton:latest"));
        });
        it("checks the Triton image of a SeldonDeployment", () => {
            const violations = validate(pinnedVersions, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", {
                spec: { predictors: [{ componentSpecs: [{ spec: { containers: [{ name: "m", image: "nvcr.io/nvidia/tritonserver" }] } }] }] },
            });
            assert.strictEqual(violations.length, 1);
        });
    });

    describe("no-public-s3", () => {
        const bucket = { type: "aws:s3/bucket:Bucket", name: "b", urn: "urn:b", inputs: { bucket: "models" } };
        const block = (flags: Partial<Record<string, boolean>>) => ({
            type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "pab", urn: "urn:pab",
            inputs: { bucket: "models", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...flags },
            propertyDependencies: { bucket: ["urn:b"] },
        });
        it("requires a full public access block for every bucket", () => {
            assert.deepStrictEqual(validateStack(noPublicS3, stackArgs([bucket, block({})])), []);
            assert.match(validateStack(noPublicS3, stackArgs([bucket]))[0], /S3 bucket b does not block public access \(no BucketPublicAccessBlock\)/);
            assert.match(validateStack(noPublicS3, stackArgs([bucket, block({ restrictPublicBuckets: false })]))[0], /restrictPublicBuckets not true/);
        });
        it("matches the block to its bucket through the dependency, even when names are unknown", () => {
            const unnamed = { ...bucket, inputs: {} };
            const b = block({});
            (b.inputs as any).bucket = undefined;
            assert.deepStrictEqual(validateStack(noPublicS3, stackArgs([unnamed, b])), []);
        });
        it("rejects public ACLs and bucket policies that allow everyone", () => {
            const acl = { type: "aws:s3/bucketAclV2:BucketAclV2", name: "acl", urn: "urn:acl", inputs: { acl: "public-read" } };
            const allowAll = { type: "aws:s3/bucketPolicy:BucketPolicy", name: "pol", urn: "urn:pol", inputs: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject" }] }) } };
            const denyInsecure = { type: "aws:s3/bucketPolicy:BucketPolicy", name: "tls", urn: "urn:tls", inputs: { policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*" }] }) } };
            const violations = validateStack(noPublicS3, stackArgs([bucket, block({}), acl, allowAll, denyInsecure]));
            assert.deepStrictEqual(violations, ["acl grants the public ACL public-read.", "bucket policy pol allows everyone (Principal \"*\")."]);
        });
    });

    describe("autoscaled-containers-request-cpu", () => {
        const sdep = (component: Record<string, any>) => validate(autoscaledCpuRequests, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment",
            { spec: { predictors: [{ name: "default", componentSpecs: [component] }] } }, "cifar10");
        const hpa = { maxReplicas: 3, metricsv2: [{ type: "ContainerResource", containerResource: { name: "cpu", container: "model", target: { type: "Utilization", averageUtilization: 50 } } }] };
        it("rejects autoscaled containers without a CPU request", () => {
            assert.match(sdep({ hpaSpec: hpa, spec: { containers: [{ name: "model", resources: { requests: { memory: "1Gi" } } }] } })[0], /container model of autoscaled predictor default has no CPU request/);
            assert.match(sdep({ kedaSpec: { triggers: [] } })[0], /declares no container with a CPU request/);
        });
        it("rejects an HPA that measures a container not declared with a CPU request", () => {
            const violations = sdep({ hpaSpec: hpa, spec: { containers: [{ name: "other", resources: { requests: { cpu: "1" } } }] } });
            assert.deepStrictEqual(violations, ["cifar10: the HPA measures container model, which is not declared with a CPU request."]);
        });
        it("accepts requests, and fixed replicas without them", () => {
            assert.deepStrictEqual(sdep({ hpaSpec: hpa, spec: { containers: [{ name: "model", resources: { requests: { cpu: "500m" } } }] } }), []);
            assert.deepStrictEqual(sdep({ spec: { containers: [{ name: "model" }] } }), []);
        });
    });

    describe("no-plaintext-credentials", () => {
        it("finds AWS key ids in plain properties, but not in Kubernetes Secrets", () => {
            assert.match(validate(noPlaintextCredentials, "kubernetes:core/v1:ConfigMap", { data: { config: "key=AKIAABCDEFGHIJKLMNOP" } }, "cm")[0], /data.config holds what looks like an AWS access key id/);
            assert.deepStrictEqual(validate(noPlaintextCredentials, "kubernetes:core/v1:Secret", { stringData: { KEY: "AKIAABCDEFGHIJKLMNOP" } }), []);
        });
        it("rejects literal credential env vars and ConfigMap entries, accepts secretKeyRef", () => {
            const job = { spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "AWS_SECRET_ACCESS_KEY", value: "x" }, { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }, { name: "LOG_LEVEL", value: "info" }] }] } } } };
            const violations = validate(noPlaintextCredentials, "kubernetes:batch/v1:Job", job, "job");
            assert.deepStrictEqual(violations, ["job: spec.template.spec.containers[0] sets AWS_SECRET_ACCESS_KEY as a literal value: use valueFrom.secretKeyRef."]);
            assert.match(validate(noPlaintextCredentials, "kubernetes:core/v1:ConfigMap", { data: { db_password: "x" } }, "cm")[0], /ConfigMap entry db_password looks like a credential/);
            assert.match(validate(noPlaintextCredentials, "command:local:Command", { environment: { GITHUB_TOKEN: "x" } }, "cmd")[0], /environment variable GITHUB_TOKEN/);
        });
    });

    describe("no-plaintext-credentials: URLs and command lines", () => {
        it("rejects a URL with a password, anywhere", () => {
            assert.match(validate(noPlaintextCredentials, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment",
                { spec: { predictors: [{ graph: { logger: { url: "https://user:hunter2@logs.example.com/" } } }] } }, "sdep")[0],
            /spec.predictors\[0\].graph.logger.url is a URL with a password in it/);
            assert.deepStrictEqual(validate(noPlaintextCredentials, "kubernetes:core/v1:ConfigMap", { data: { url: "https://logs.example.com:8443/x@y" } }), []);
        });
        it("rejects credentials on a container's or a local command's command line, accepts references", () => {
            const job = (args: string[]) => ({ spec: { template: { spec: { containers: [{ name: "c", command: ["app"], args }] } } } });
            for (const args of [["--db-password=hunter2"], ["--secret-key", "hunter2"], ["--secret-key hunter2"], ["API_TOKEN=hunter2"]]) {
                assert.match(validate(noPlaintextCredentials, "kubernetes:batch/v1:Job", job(args), "job").join(" "), /passes a credential on its command line/, args.join(" "));
            }
            // A reference to an environment variable (filled from a Secret) is fine, and so are ordinary flags.
            assert.deepStrictEqual(validate(noPlaintextCredentials, "kubernetes:batch/v1:Job", job(["--timeout", "10s", "--token=$(TOKEN)"]), "job"), []);
            assert.match(validate(noPlaintextCredentials, "command:local:Command", { create: "curl -u x --token s3cr3t https://example.com" }, "cmd")[0],
                /its create command line passes a credential/);
            assert.deepStrictEqual(validate(noPlaintextCredentials, "command:local:Command", { create: "node --import tsx probes/smoke-test.ts" }, "cmd"), []);
        });
    });

    describe("iam-least-privilege", () => {
        const policy = (statement: Record<string, unknown>) => ({ policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", ...statement }] }) });
        it("rejects wildcard actions and resources in an Allow", () => {
            assert.match(validate(iamLeastPrivilege, "aws:iam/userPolicy:UserPolicy", policy({ Action: "s3:*", Resource: "arn:aws:s3:::b/*" }), "p")[0], /allows the wildcard action s3:\*/);
            assert.match(validate(iamLeastPrivilege, "aws:iam/userPolicy:UserPolicy", policy({ Action: ["*"], Resource: "arn:aws:s3:::b/*" }), "p")[0], /wildcard action \*/);
            assert.match(validate(iamLeastPrivilege, "aws:iam/rolePolicy:RolePolicy", policy({ Action: "s3:GetObject", Resource: "*" }), "p")[0], /allows on every resource/);
            assert.match(validate(iamLeastPrivilege, "aws:s3/bucketPolicy:BucketPolicy", policy({ NotAction: "iam:*", Resource: "arn:aws:s3:::b" }), "p").join(" "), /NotAction/);
        });
        it("accepts named actions on named resources, and wildcards in a Deny", () => {
            assert.deepStrictEqual(validate(iamLeastPrivilege, "aws:iam/userPolicy:UserPolicy", policy({ Action: "s3:GetObject", Resource: "arn:aws:s3:::b/models/*" })), []);
            const deny = { policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }] }) };
            assert.deepStrictEqual(validate(iamLeastPrivilege, "aws:s3/bucketPolicy:BucketPolicy", deny), []);
        });
    });

    describe("hardened-containers", () => {
        const job = (securityContext?: Record<string, unknown>) => ({ spec: { template: { spec: { containers: [{ name: "c", image: "x:1", ...(securityContext ? { securityContext } : {}) }] } } } });
        const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
        it("rejects containers without a securityContext, privileged ones, and ones that may escalate", () => {
            assert.match(validate(hardenedContainers, "kubernetes:batch/v1:Job", job(), "job")[0], /has no securityContext/);
            assert.match(validate(hardenedContainers, "kubernetes:batch/v1:Job", job({ ...hardened, privileged: true }), "job")[0], /is privileged/);
            assert.match(validate(hardenedContainers, "kubernetes:batch/v1:Job", job({ capabilities: { drop: ["ALL"] } }), "job")[0], /may escalate privileges/);
            assert.match(validate(hardenedContainers, "kubernetes:batch/v1:Job", job({ allowPrivilegeEscalation: false }), "job")[0], /drop ALL/);
        });
        it("accepts a hardened container, and leaves Helm releases' charts to the namespaces' Pod Security levels", () => {
            assert.deepStrictEqual(validate(hardenedContainers, "kubernetes:batch/v1:Job", job(hardened)), []);
            assert.deepStrictEqual(validate(hardenedContainers, "kubernetes:helm.sh/v3:Release", { values: { extraContainers: [{ name: "c" }] } }), []);
        });
    });

    describe("authenticated-chart-sources", () => {
        it("rejects a chart over plain http://, accepts https:// and oci://", () => {
            assert.match(validate(authenticatedChartSources, "kubernetes:helm.sh/v3:Release", { chart: "keda", version: "2.20.2", repositoryOpts: { repo: "http://charts.example.com" } }, "keda")[0],
                /keda takes its chart from http:\/\/charts.example.com over plain http:\/\//);
            assert.deepStrictEqual(validate(authenticatedChartSources, "kubernetes:helm.sh/v3:Release", { chart: "keda", repositoryOpts: { repo: "https://kedacore.github.io/charts" } }), []);
            assert.deepStrictEqual(validate(authenticatedChartSources, "kubernetes:helm.sh/v3:Release", { chart: "oci://registry.example.com/charts/keda" }), []);
        });
    });

    describe("pinned-chart-and-image-versions: malformed digests", () => {
        it("rejects a digest that is not sha256 and 64 hex digits", () => {
            const pod = (image: string) => ({ spec: { containers: [{ name: "c", image }] } });
            assert.match(validate(pinnedVersions, "kubernetes:core/v1:Pod", pod("triton@sha256:abc"), "p")[0], /digest sha256:abc is not sha256: and 64 hex digits/);
            assert.match(validate(pinnedVersions, "kubernetes:core/v1:Pod", pod(`triton@sha256:${"0".repeat(64)}x`), "p")[0], /does not pin/);
            assert.deepStrictEqual(validate(pinnedVersions, "kubernetes:core/v1:Pod", pod(`triton@sha256:${"0".repeat(64)}`)), []);
        });
    });

    describe("keda-scales-on-total-rate", () => {
        const trigger = (query: string, metricType?: string) => validate(kedaTotalRate, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", {
            spec: { predictors: [{ componentSpecs: [{ kedaSpec: { triggers: [{ type: "prometheus", ...(metricType ? { metricType } : {}), metadata: { query, threshold: "20" } }] } }] }] },
        }, "cifar10");
        it("rejects the tutorial's per-pod average under AverageValue (the default)", () => {
            const tutorial = "avg(rate(seldon_api_executor_client_requests_seconds_count{deployment_name=~\"cifar10\"}[1m]))";
            assert.match(trigger(tutorial)[0], /averages per pod .* Query the total with sum/);
            assert.strictEqual(trigger(tutorial, "AverageValue").length, 1);
            assert.strictEqual(trigger("avg by (pod) (rate(x[1m]))").length, 1);
            assert.strictEqual(trigger("avg_over_time(x[5m])").length, 1);
        });
        it("accepts totals, and averages under metricType Value", () => {
            assert.deepStrictEqual(trigger("sum(rate(seldon_api_executor_client_requests_seconds_count{deployment_name=\"cifar10\"}[1m]))"), []);
            assert.deepStrictEqual(trigger("avg(up)", "Value"), []);
        });
        it("checks ScaledObjects too", () => {
            const violations = validate(kedaTotalRate, "kubernetes:keda.sh/v1alpha1:ScaledObject", { spec: { triggers: [{ type: "prometheus", metadata: { query: "avg(x)" } }] } });
            assert.strictEqual(violations.length, 1);
        });
    });

    describe("pod-security-baseline (issue 19)", () => {
        const good = { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 1000 },
            containers: [{ name: "m", image: "x:1", securityContext: { capabilities: { drop: ["ALL"] } }, resources: { limits: { memory: "1Gi" } } }] };
        const job = (spec: Record<string, unknown>) => validate(podSecurityBaseline, "kubernetes:batch/v1:Job", { spec: { template: { spec } } }, "job");
        it("passes a pod that shares nothing, runs as non-root, adds nothing, mounts no token and has a memory limit", () => {
            assert.deepStrictEqual(job(good), []);
        });
        it("names each thing a pod takes from the node", () => {
            const bad = job({ ...good, hostNetwork: true, hostPID: true, volumes: [{ name: "root", hostPath: { path: "/" } }], automountServiceAccountToken: undefined,
                containers: [{ name: "m", image: "x:1", securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] } } }] });
            for (const expected of [/volume root is a hostPath \(\/\)/, /hostNetwork shares/, /hostPID shares/, /mounts a service-account token/,
                /container m runs as root/, /adds capabilities NET_ADMIN/, /container m has no memory limit/]) {
                assert.ok(bad.some(v => expected.test(v)), `${expected}\n${bad.join("\n")}`);
            }
            assert.strictEqual(bad.length, 7);
        });
        it("a pod-level runAsUser 0 makes every container root unless it says otherwise; a SeldonDeployment's pods are checked too", () => {
            assert.strictEqual(job({ ...good, securityContext: { runAsUser: 0 } }).length, 1);
            const sdep = validate(podSecurityBaseline, "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment",
                { spec: { predictors: [{ componentSpecs: [{ spec: { containers: [{ name: "triton", resources: {} }] } }] }] } }, "cifar10");
            assert.deepStrictEqual(sdep.map(v => v.split(": ").slice(1).join(": ")), ["mounts a service-account token: set automountServiceAccountToken: false (nothing in it calls the API).",
                "container triton has no memory limit: one leak could take the node's memory."]);
        });
    });

    describe("rbac-least-privilege (issue 19)", () => {
        it("refuses wildcards and cluster-admin bindings; passes named rules", () => {
            const role = (rules: unknown[]) => validate(rbacLeastPrivilege, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { rules }, "r");
            assert.strictEqual(role([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]).length, 3);
            assert.deepStrictEqual(role([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]), []);
            const binding = (name: string) => validate(rbacLeastPrivilege, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
                { roleRef: { kind: "ClusterRole", name, apiGroup: "rbac.authorization.k8s.io" } }, "b");
            assert.match(binding("cluster-admin")[0], /binds cluster-admin/);
            assert.deepStrictEqual(binding("view"), []);
        });
    });

    describe("exposure-is-explicit (issue 19, advisory)", () => {
        const gateway = (service: Record<string, unknown>) => validate(exposureIsExplicit, "kubernetes:helm.sh/v3:Release", { values: { service } }, "istio-ingressgateway");
        it("names a public load balancer open to anyone, not an internal or a restricted one", () => {
            assert.match(gateway({ type: "LoadBalancer" })[0], /open to any address/);
            assert.match(gateway({ type: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"] })[0], /open to 0\.0\.0\.0\/0/);
            assert.deepStrictEqual(gateway({ type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] }), []);
            assert.deepStrictEqual(gateway({ type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } }), []);
            assert.deepStrictEqual(gateway({ type: "NodePort" }), []);
            assert.strictEqual(exposureIsExplicit.enforcementLevel, "advisory");
        });
    });

    describe("no-admin-identities (issue 19)", () => {
        it("refuses administrator policies and roles anyone may assume; passes a named trust", () => {
            assert.match(validate(noAdminIdentities, "aws:iam/userPolicyAttachment:UserPolicyAttachment", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, "a")[0], /attaches .*AdministratorAccess/);
            assert.deepStrictEqual(validate(noAdminIdentities, "aws:iam/userPolicyAttachment:UserPolicyAttachment", { policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }, "a"), []);
            const role = (principal: unknown) => validate(noAdminIdentities, "aws:iam/role:Role",
                { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: principal }] }) }, "role");
            assert.strictEqual(role("*").length, 1);
            assert.strictEqual(role({ AWS: "*" }).length, 1);
            assert.strictEqual(role({ AWS: ["arn:aws:iam::*:root"] }).length, 1);
            assert.deepStrictEqual(role({ AWS: "arn:aws:iam::123456789012:root" }), []);
            assert.deepStrictEqual(role({ Service: "ec2.amazonaws.com" }), []);
        });
    });

    describe("no-privileged-helm-values (issue 19)", () => {
        it("refuses privileged or host-namespace values at any depth of a release's values", () => {
            const release = (values: unknown) => validate(noPrivilegedHelmValues, "kubernetes:helm.sh/v3:Release", { values }, "x");
            assert.match(release({ controller: { securityContext: { privileged: true } } })[0], /values\.controller\.securityContext\.privileged is true/);
            assert.strictEqual(release({ hostNetwork: true, daemonset: { hostPID: true } }).length, 2);
            assert.deepStrictEqual(release({ hostNetwork: false, securityContext: { privileged: false } }), []);
        });
    });

    describe("encrypted-buckets (issue 19)", () => {
        it("refuses a bucket without default encryption; passes one with a configuration bound to it", () => {
            const bucket = { type: "aws:s3/bucket:Bucket", name: "b", urn: "urn:b", inputs: { bucket: "models" } };
            const sse = { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name: "e", urn: "urn:e",
                inputs: { bucket: "models", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, propertyDependencies: { bucket: ["urn:b"] } };
            assert.match(validateStack(encryptedBuckets, stackArgs([bucket]))[0], /S3 bucket b has no default encryption/);
            assert.deepStrictEqual(validateStack(encryptedBuckets, stackArgs([bucket, sse])), []);
        });
    });

    describe("explicit-serving (issue 19, advisory)", () => {
        it("names NodePort Services and HTTP-only Gateways", () => {
            assert.strictEqual(validate(explicitServing, "kubernetes:core/v1:Service", { spec: { type: "NodePort" } }, "s").length, 1);
            assert.deepStrictEqual(validate(explicitServing, "kubernetes:core/v1:Service", { spec: { type: "ClusterIP" } }, "s"), []);
            const gw = (servers: unknown[]) => validate(explicitServing, "kubernetes:networking.istio.io/v1:Gateway", { spec: { servers } }, "g");
            assert.strictEqual(gw([{ port: { number: 80, protocol: "HTTP" } }]).length, 1);
            assert.deepStrictEqual(gw([{ port: { number: 80, protocol: "HTTP" } }, { port: { number: 443, protocol: "HTTPS" } }]), []);
            assert.strictEqual(explicitServing.enforcementLevel, "advisory");
        });
    });

    describe("no-plaintext-credentials catches secrets by their usual names (issue 19)", () => {
        it("DB_PASS, API_KEY and the like as literal env values are refused", () => {
            for (const name of ["DB_PASS", "API_KEY", "APIKEY", "ADMIN_PWD"]) {
                const v = validate(noPlaintextCredentials, "kubernetes:batch/v1:Job", { spec: { template: { spec: { containers: [{ name: "c", env: [{ name, value: "x" }] }] } } } }, "j");
                assert.strictEqual(v.length, 1, name);
            }
            assert.deepStrictEqual(validate(noPlaintextCredentials, "kubernetes:batch/v1:Job", { spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "PASSENGERS", value: "3" }] }] } } } }, "j"), []);
        });
    });
});
