import * as assert from "assert";
import * as k8s from "@kubernetes/client-node";
import { hpaState, parseQuantity } from "./watch";

describe("reading the autoscaler's state (--watch), pure parts", () => {
    it("reads KEDA's external metric (the request rate) and its AverageValue target", () => {
        const state = hpaState({
            metadata: { name: "keda-hpa-cifar10-default-0-cifar10-pytorch" },
            spec: {
                scaleTargetRef: { kind: "Deployment", name: "cifar10-default-0-cifar10-pytorch" }, maxReplicas: 3,
                metrics: [{ type: "External", external: { metric: { name: "s0-prometheus" }, target: { type: "AverageValue", averageValue: "20" } } }],
            },
            status: {
                currentReplicas: 2, desiredReplicas: 3,
                currentMetrics: [{ type: "External", external: { metric: { name: "s0-prometheus" }, current: { averageValue: "20500m" } } }],
            },
        } as k8s.V2HorizontalPodAutoscaler);
        assert.deepStrictEqual(state, {
            name: "keda-hpa-cifar10-default-0-cifar10-pytorch", currentReplicas: 2, desiredReplicas: 3, metric: 20.5, target: 20, unit: "s0-prometheus: the query's total ÷ replicas (AverageValue)",
        });
    });

    it("an HPA without metrics yet has replicas only", () => {
        const state = hpaState({ metadata: { name: "h" }, spec: { maxReplicas: 2, scaleTargetRef: { kind: "Deployment", name: "d" } }, status: { desiredReplicas: 1 } } as k8s.V2HorizontalPodAutoscaler);
        assert.deepStrictEqual(state, { name: "h", currentReplicas: 0, desiredReplicas: 1, unit: "" });
    });

    it("parses quantities", () => {
        assert.deepStrictEqual(["20500m", "3", "1k", "1.5M", "x", undefined].map(parseQuantity), [20.5, 3, 1000, 1500000, undefined, undefined]);
    });
});
