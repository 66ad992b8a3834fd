import * as assert from "assert";
import * as k8s from "@kubernetes/client-node";
import { EVENTS, STARTING_POD } from "../tests/podFixtures";
import { describePods } from "./podStatus";

describe("what the model's pods are doing (smoke test's wait)", () => {
    it("phase, init containers (the model download), readiness and the last event", () => {
        assert.deepStrictEqual(describePods([STARTING_POD], EVENTS), [
            "pod cifar10-default-0-cifar10-pytorch-7d9f-abcde: Pending; init istio-proxy: ready, cifar10-pytorch-model-initializer: running; " +
            "containers 0/3 ready; last event: Pulling: Pulling image \"nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3\"",
        ]);
    });

    it("says when there is no pod yet, with the last event (e.g. the ReplicaSet's)", () => {
        assert.deepStrictEqual(describePods([], [{ involvedObject: { name: "cifar10-default-0-cifar10-pytorch-7d9f" }, reason: "FailedCreate", message: "forbidden: violates PodSecurity" } as k8s.CoreV1Event]),
            ["no pod yet; last event: FailedCreate: forbidden: violates PodSecurity"]);
    });
});
