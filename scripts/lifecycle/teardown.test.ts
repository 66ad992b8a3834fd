import * as assert from "assert";
import { keptAfterTeardown, teardownSteps } from "./teardown";
import { StateResource } from "./state";

// A Kubernetes object, a command that proved something of the cluster, and a key kept outside it.
const P = "urn:pulumi:dev::scalable-serving::";
const STATE: StateResource[] = [
    { urn: `${P}random:index/randomPassword:RandomPassword::key`, type: "random:index/randomPassword:RandomPassword", custom: true },
    { urn: `${P}kubernetes:core/v1:Namespace::seldon`, type: "kubernetes:core/v1:Namespace", custom: true },
    { urn: `${P}command:local:Command::cifar10-smoke-test`, type: "command:local:Command", custom: true },
];

describe("teardown (scripts/lifecycle/teardown.ts)", () => {
    it("destroys the stack, then deletes the cluster", () => {
        assert.deepStrictEqual(teardownSteps({ clusterExists: true, stackExists: true, resources: STATE }).map(s => s.kind), ["destroy", "delete-cluster"]);
    });

    it("with the cluster already gone: forgets what lived in it, then destroys the rest", () => {
        const steps = teardownSteps({ clusterExists: false, stackExists: true, resources: STATE });
        assert.deepStrictEqual(steps.map(s => s.kind), ["forget", "destroy"]);
        assert.deepStrictEqual(steps[0].kind === "forget" && steps[0].urns.map(u => u.split("::").pop()), ["cifar10-smoke-test", "seldon"]);
    });

    it("an empty stack needs no destroy; nothing at all needs nothing", () => {
        assert.deepStrictEqual(teardownSteps({ clusterExists: true, stackExists: true, resources: [] }).map(s => s.kind), ["delete-cluster"]);
        assert.deepStrictEqual(teardownSteps({ clusterExists: false, stackExists: false, resources: [] }), []);
    });

    it("says what it kept and how to remove each", () => {
        const kept = keptAfterTeardown({ stackExists: true, modelBuilt: true, images: ["docker.io/seldonio/seldon-core-operator:1.17.1"] });
        assert.strictEqual(kept.length, 3);
        assert.match(kept[0], /\.pulumi-state.*\.\/pulumi-dev stack rm dev/);
        assert.match(kept[1], /rm -r model\/cifar10-model\/cifar10-pytorch\/1$/);
        assert.match(kept[2], /docker image rm docker\.io\/seldonio\/seldon-core-operator:1\.17\.1/);
        assert.deepStrictEqual(keptAfterTeardown({ stackExists: false, modelBuilt: false, images: [] }), []);
    });
});
