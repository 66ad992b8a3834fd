// The one guard of the SDK internals the evaluator relies on (tools/sdkInternals.ts): if an SDK
// upgrade moves them, this fails first and says what moved.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_SIG, SIG_KEY, waitForRegistrations } from "./sdkInternals";

describe("Pulumi SDK internals used by the evaluator (pulumi/pulumi#14421)", () => {
    it("are where tools/sdkInternals.ts expects them", async () => {
        const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey?: string; specialSecretSig?: string };
        assert.strictEqual(rpc.specialSigKey, SIG_KEY, "@pulumi/pulumi/runtime/rpc specialSigKey moved or changed");
        assert.strictEqual(rpc.specialSecretSig, SECRET_SIG, "@pulumi/pulumi/runtime/rpc specialSecretSig moved or changed");
        await pulumi.runtime.setMocks({ newResource: a => ({ id: a.name, state: a.inputs }), call: a => a.inputs }, "guard", "guard", false);
        const monitor = pulumi.runtime.getMonitor() as unknown as Record<string, unknown>;
        assert.strictEqual(typeof monitor.registerResource, "function", "the mock monitor's registerResource moved");
        assert.strictEqual(typeof monitor.registerResourceOutputs, "function", "the mock monitor's registerResourceOutputs moved");
        await waitForRegistrations();
    });
});
