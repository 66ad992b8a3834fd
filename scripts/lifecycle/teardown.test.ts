import * as assert from "assert";
import { keptAfterTeardown, teardownSteps } from "./teardown";
import { EXAMPLE_STATE } from "./state.test";

describe("teardown (scripts/lifecycle/teardown.ts)", () => {
    it("destroys the stack, then deletes the cluster", () => {
        assert.deepStrictEqual(teardownSteps({ clusterExists: true, stackExists: true, resources: EXAMPLE_STATE }).map(s => s.kind), ["destroy", "delete-cluster"]);
    });

    it("with the cluster already gone: forgets what lived in it, then destroys the rest", () => {
        const steps = teardownSteps({ clusterExists: false, stackExists: true, resources: EXAMPLE_STATE });
        assert.deepStrictEqual(steps.map(s => s.kind), ["forget", "destroy"]);
    });

    it("an empty stack needs no destroy; nothing at all needs nothing", () => {
        assert.deepStrictEqual(teardownSteps({ clusterExists: true, stackExists: true, resources: [] }).map(s => s.kind), ["delete-cluster"]);
        assert.deepStrictEqual(teardownSteps({ clusterExists: false, stackExists: false, resources: [] }), []);
    });

    it("says what it kept and how to remove each", () => {
        const kept = keptAfterTeardown({ stackExists: true, modelBuilt: true, images: ["docker.io/seldonio/seldon-core-operator:1.17.1"] });
        assert.strictEqual(kept.length, 3);
        assert.match(kept[0], /\.pulumi-state.*\.\/pulumi-dev stack rm dev/);
        assert.match(kept[2], /docker image rm docker\.io\/seldonio\/seldon-core-operator:1\.17\.1/);
        assert.deepStrictEqual(keptAfterTeardown({ stackExists: false, modelBuilt: false, images: [] }), []);
    });
});
