import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../policy/policies";
import { baseConfig, ProgramRun, runProgram } from "./harness";
import { stackArgs, validate, validateStack } from "./policyHarness";

function allViolations(run: ProgramRun): string[] {
    const found: string[] = [];
    for (const policy of policies) {
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
    describe("this program passes every policy", () => {
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
