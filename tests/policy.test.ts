import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../policy/policies";
import { baseConfig, ProgramRun, runProgram } from "./harness";
import { stackArgs, validate, validateStack } from "./policyHarness";

/** What the pack reports for a program run: its mandatory policies' violations, or its advisory ones'. */
function allViolations(run: ProgramRun, level: "mandatory" | "advisory" = "mandatory"): string[] {
    const found: string[] = [];
    for (const policy of policies.filter(p => (p.enforcementLevel ?? "advisory") === level)) {
        if ("validateResource" in policy && policy.validateResource) {
            for (const r of run.resources) {
                found.push(...validate(policy as ResourceValidationPolicy, r.type, r.inputs, r.name));
            }
        } else {
            found.push(...validateStack(policy as StackValidationPolicy, stackArgs(run.resources)));
        }
    }
    return found;
}

describe("policy pack", () => {
    it("advisory policies name the explicit choices: kind's NodePorts and plain-HTTP Gateway; a cloud gateway internal with TLS has none", async () => {
        const kind = await runProgram(baseConfig({ modelStore: "in-cluster" }));
        assert.deepStrictEqual(allViolations(kind, "advisory").sort(), [
            "model-store-s3 is a NodePort Service: fine on kind, where only 127.0.0.1 reaches it; on cloud use an internal load balancer.",
            "seldon-gateway serves plain HTTP only: on cloud, set ingressTlsSecret to serve HTTPS too.",
        ]);
        const cloud = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "internal", ingressTlsSecret: "models-tls" }));
        assert.deepStrictEqual(allViolations(cloud, "advisory"), []);
        const open = await runProgram(baseConfig({ clusterFlavour: "cloud", ingressExposure: "public", ingressSourceRanges: "0.0.0.0/0" }));
        assert.ok(allViolations(open, "advisory").some(v => /open to 0\.0\.0\.0\/0/.test(v)));
    });

    describe("this program passes every mandatory policy", () => {
        for (const [label, config] of [
            ["aws-s3, hpa", { autoscaler: "hpa" }],
            ["aws-s3, keda, cloud, load test", { autoscaler: "keda", clusterFlavour: "cloud", ingressExposure: "internal", loadTestEnabled: "true" }],
            ["aws-s3, none, existing reader keys", { autoscaler: "none", readerCredentials: "existing", readerAccessKeyId: "AKIAABCDEFGHIJKLMNOP", readerSecretAccessKey: "s" }],
            ["in-cluster, keda", { autoscaler: "keda", modelStore: "in-cluster" }],
            ["in-cluster, hpa, load test", { modelStore: "in-cluster", loadTestEnabled: "true" }],
            ["aws-s3, cloud, restricted ingress", { clusterFlavour: "cloud", ingressExposure: "public", ingressSourceRanges: "203.0.113.0/24" }],
        ] as const) {
            it(label, async () => {
                const run = await runProgram(baseConfig(config), { secrets: ["readerAccessKeyId", "readerSecretAccessKey"] });
                assert.ifError(run.error);
                assert.deepStrictEqual(allViolations(run), []);
            });
        }
    });
});
