// A model pod in the middle of its start (the model download running), and its events: what the
// smoke test's wait reports on.
import * as k8s from "@kubernetes/client-node";

export const STARTING_POD = {
    metadata: { name: "cifar10-default-0-cifar10-pytorch-7d9f-abcde" },
    spec: { containers: [{ name: "cifar10-pytorch" }, { name: "seldon-container-engine" }, { name: "istio-proxy" }] },
    status: {
        phase: "Pending",
        initContainerStatuses: [
            { name: "istio-proxy", ready: true, state: { running: {} } },
            { name: "cifar10-pytorch-model-initializer", ready: false, state: { running: {} } },
        ],
        containerStatuses: [{ name: "cifar10-pytorch", ready: false, state: { waiting: { reason: "PodInitializing" } } }],
    },
} as unknown as k8s.V1Pod;

export const EVENTS = [
    { involvedObject: { name: "cifar10-default-0-cifar10-pytorch-7d9f-abcde" }, reason: "Scheduled", message: "Successfully assigned", lastTimestamp: "2026-11-25T10:00:00Z" },
    { involvedObject: { name: "cifar10-default-0-cifar10-pytorch-7d9f-abcde" }, reason: "Pulling", message: "Pulling image \"nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3\"", lastTimestamp: "2026-11-25T10:00:05Z" },
] as unknown as k8s.CoreV1Event[];
