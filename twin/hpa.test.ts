// The HPA algorithm pinned to the worked examples of the Kubernetes documentation
// (kubernetes/website horizontal-pod-autoscale.md, commit 0165025; sections named per test).
import * as assert from "assert";
import { ControllerFlags, cpuUtilizationReplicas, DEFAULT_FLAGS, externalAverageValueReplicas, HpaController, PodCpu, Reading } from "./hpa";

const external = (total: number | undefined, targetPerPod = 100): Reading => ({ kind: "externalAverageValue", total, targetPerPod });

/** A pod started long ago (past the CPU initialisation period) and ready, using `cores` of a 1-core request. */
const pod = (name: string, cores: number | undefined, extra: Partial<PodCpu> = {}): PodCpu => ({
    name, startS: -1000, phase: "Running", ready: true, readyTransitionS: -990, requestCores: 1,
    ...(cores === undefined ? {} : { metric: { cores, timestampS: 0, windowS: 15 } }), ...extra,
});

describe("HPA algorithm (Kubernetes docs, worked examples)", () => {
    describe("§Algorithm details: desiredReplicas = ceil[currentReplicas × currentMetricValue / desiredMetricValue]", () => {
        it("200m against a target of 100m doubles the replicas; 50m halves them", () => {
            assert.strictEqual(externalAverageValueReplicas(3, 3 * 200, 100, 0.1).replicas, 6);
            assert.strictEqual(externalAverageValueReplicas(4, 4 * 50, 100, 0.1).replicas, 2);
            assert.strictEqual(cpuUtilizationReplicas(2, [pod("a", 2), pod("b", 2)], 100, 0, DEFAULT_FLAGS).replicas, 4);
        });

        it("skips any action within the 0.1 tolerance: ratio 1.1 holds, just above it scales", () => {
            assert.strictEqual(externalAverageValueReplicas(10, 1099, 100, 0.1).replicas, 10);
            assert.strictEqual(externalAverageValueReplicas(10, 1101, 100, 0.1).replicas, 12);
            assert.strictEqual(externalAverageValueReplicas(10, 900, 100, 0.1).replicas, 10);
            assert.strictEqual(externalAverageValueReplicas(10, 899, 100, 0.1).replicas, 9);
        });

        it("AverageValue divides the total by the current pods: ceil(total / target), whatever the replicas", () => {
            const p = externalAverageValueReplicas(2, 70, 20, 0.1);
            assert.deepStrictEqual(p, { replicas: 4, metric: 35 });
        });

        it("missing metrics count as 100% of the desired value on a scale-down, which damps it", () => {
            // Two pods at 20% of a 50% target would halve to 1; the missing third counts as 100%:
            // (20 + 20 + 100) / 3 = 46.7%, ratio 0.93, within the tolerance: no change.
            const pods = [pod("a", 0.2), pod("b", 0.2), pod("c", undefined)];
            assert.strictEqual(cpuUtilizationReplicas(3, pods, 50, 0, DEFAULT_FLAGS).replicas, 3);
            // Without the missing pod it would scale down.
            assert.strictEqual(cpuUtilizationReplicas(3, pods.slice(0, 2), 50, 0, DEFAULT_FLAGS).replicas, 1);
        });

        it("missing metrics count as 0% on a scale-up", () => {
            // a, b at 100% of a 50% target: ratio 2 → 4; with c missing at 0%: 200/3 = 66.7%, ratio 1.33 → ceil(4) = 4.
            const pods = [pod("a", 1), pod("b", 1), pod("c", undefined)];
            assert.strictEqual(cpuUtilizationReplicas(3, pods, 50, 0, DEFAULT_FLAGS).replicas, 4);
            // a at 60%, b at 60%, c missing: 120/3 = 40%, ratio 0.8 reverses the scale-up: no change.
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.6), pod("b", 0.6), pod("c", undefined)], 50, 0, DEFAULT_FLAGS).replicas, 3);
        });

        it("not-yet-ready pods count as 0% on a scale-up, and are left out otherwise", () => {
            const starting = pod("c", 0.9, { startS: -20, ready: false, readyTransitionS: -20 });
            const pending = pod("d", undefined, { startS: -20, phase: "Pending", ready: false, readyTransitionS: -20 });
            // A Pending pod (downloading the model) is set aside likewise, not counted as missing: on a scale-down it is left out.
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.1), pod("b", 0.1), pending], 50, 0, DEFAULT_FLAGS).replicas, 1);
            // Were it missing (Running without a metric), it would count as 100% and hold the replicas.
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.1), pod("b", 0.1), pod("d", undefined)], 50, 0, DEFAULT_FLAGS).replicas, 3);
            // a, b at 80% of 50%: ratio 1.6 with c set aside → recomputed with c at 0%: 160/3 = 53%, ratio 1.07: within the tolerance.
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.8), pod("b", 0.8), starting], 50, 0, DEFAULT_FLAGS).replicas, 3);
            // On a scale-down the unready pod is simply left out: a, b at 10% → ceil(0.2 × 2) = 1.
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.1), pod("b", 0.1), starting], 50, 0, DEFAULT_FLAGS).replicas, 1);
        });

        it("within the CPU initialisation period a ready pod's metric counts only once a whole window follows its readiness", () => {
            const flags: ControllerFlags = DEFAULT_FLAGS;
            const young = (timestampS: number) => pod("c", 0.9, { startS: -60, readyTransitionS: -30, metric: { cores: 0.9, timestampS, windowS: 15 } });
            // Ready at -30, window 15: a metric at -15 counts (ratio (0.9+0.9+0.9)/3/0.5 = 1.8 → 6), at -15.5 it does not.
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.9), pod("b", 0.9), young(-15)], 50, 0, flags).replicas, 6);
            assert.strictEqual(cpuUtilizationReplicas(3, [pod("a", 0.9), pod("b", 0.9), young(-15.5)], 50, 0, flags).replicas, 3 + 1);
        });
    });

    describe("§Scaling policies", () => {
        it("80 replicas to 10 with Pods 4/60 s and Percent 10/60 s: 8 go, then 72 → 64, then 4 at a time below 40", () => {
            const hpa = new HpaController({
                minReplicas: 1, maxReplicas: 100,
                behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 60 }, { type: "Percent", value: 10, periodSeconds: 60 }] } },
            });
            let replicas = 80;
            const seen: number[] = [];
            for (let t = 0; t <= 60 * 30; t += 15) {
                const r = hpa.sync(t, replicas, replicas, external(10 * 100));
                if (r.to !== replicas) {
                    seen.push(r.to);
                }
                replicas = r.to;
            }
            // One change per 60 s period: 10% of the period's start, truncated (so 72 loses 7.2 → 8), while that is
            // more than 4 pods; from 40 down, 4 pods at a time; the last step stops at the desired 10.
            assert.deepStrictEqual(seen, [72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10]);
        });

        it("selectPolicy Min takes the smaller change: at most 5 pods a minute even where 10% is more", () => {
            const hpa = new HpaController({
                minReplicas: 1, maxReplicas: 100,
                behavior: { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: "Min", policies: [{ type: "Percent", value: 10, periodSeconds: 60 }, { type: "Pods", value: 5, periodSeconds: 60 }] } },
            });
            assert.strictEqual(hpa.sync(0, 80, 80, external(1000)).to, 75);
            // Still within the minute: no further change.
            assert.strictEqual(hpa.sync(15, 75, 75, external(1000)).to, 75);
            assert.strictEqual(hpa.sync(60, 75, 75, external(1000)).to, 70);
        });

        it("selectPolicy Disabled turns off scaling that way", () => {
            const hpa = new HpaController({ minReplicas: 1, maxReplicas: 10, behavior: { scaleDown: { selectPolicy: "Disabled" } } });
            assert.strictEqual(hpa.sync(0, 5, 5, external(100)).to, 5);
            assert.strictEqual(hpa.sync(15, 5, 5, external(900)).to, 9);
        });
    });

    describe("§Default Behavior", () => {
        it("scales up by 4 pods or 100% per 15 s, whichever is more, until steady", () => {
            const hpa = new HpaController({ minReplicas: 1, maxReplicas: 100, behavior: {} });
            const steps: number[] = [];
            let r = 1;
            for (let t = 0; t < 75; t += 15) {
                r = hpa.sync(t, r, r, external(40 * 100)).to;
                steps.push(r);
            }
            assert.deepStrictEqual(steps, [5, 10, 20, 40, 40]);
        });

        it("scales down only to the highest recommendation of the last 300 s", () => {
            const hpa = new HpaController({ minReplicas: 1, maxReplicas: 10, behavior: {} });
            assert.strictEqual(hpa.sync(0, 4, 4, external(400)).to, 4);
            assert.strictEqual(hpa.sync(15, 4, 4, external(100)).to, 4);
            assert.strictEqual(hpa.sync(285, 4, 4, external(100)).to, 4);
            // The recommendation of 4 made at 0 s has left the window at 300 s.
            const r = hpa.sync(300, 4, 4, external(100));
            assert.strictEqual(r.to, 1);
        });

        it("an HPA without behavior (the controller's flags) holds the same 300 s and adds at most max(2×, 4) per sync", () => {
            const hpa = new HpaController({ minReplicas: 1, maxReplicas: 100 });
            const up: number[] = [];
            let r = 1;
            for (let t = 0; t <= 60; t += 15) {
                r = hpa.sync(t, r, r, external(4000)).to;
                up.push(r);
            }
            assert.deepStrictEqual(up, [4, 8, 16, 32, 40]);
            // The load is gone from 75 s; the last recommendation of 40 (60 s) leaves the window at 360 s.
            assert.strictEqual(hpa.sync(75, 40, 40, external(100)).to, 40);
            assert.strictEqual(hpa.sync(345, 40, 40, external(100)).to, 40);
            assert.strictEqual(hpa.sync(360, 40, 40, external(100)).to, 1);
        });

        it("a scale-up stabilisation window waits for the lowest recommendation of the window to rise", () => {
            const hpa = new HpaController({ minReplicas: 1, maxReplicas: 10, behavior: { scaleUp: { stabilizationWindowSeconds: 30 } } });
            assert.strictEqual(hpa.sync(0, 1, 1, external(100)).to, 1);
            assert.strictEqual(hpa.sync(15, 1, 1, external(300)).to, 1);
            assert.strictEqual(hpa.sync(30, 1, 1, external(300)).to, 3);
        });
    });

    describe("min/max replicas and missing metrics", () => {
        it("stays within min and max, and brings a target outside them back", () => {
            const hpa = new HpaController({ minReplicas: 2, maxReplicas: 3, behavior: {} });
            assert.deepStrictEqual([hpa.sync(0, 2, 2, external(1000)).to, hpa.sync(15, 3, 3, external(0)).to], [3, 3]);
            assert.strictEqual(new HpaController({ minReplicas: 2, maxReplicas: 3 }).sync(0, 1, 1, external(0)).to, 2);
            assert.strictEqual(new HpaController({ minReplicas: 2, maxReplicas: 3 }).sync(0, 5, 5, external(0)).to, 3);
            assert.strictEqual(new HpaController({ minReplicas: 2, maxReplicas: 3, behavior: {} }).sync(0, 2, 2, external(0)).to, 2);
        });

        it("a metric that cannot be read changes nothing (ScalingActive False)", () => {
            const hpa = new HpaController({ minReplicas: 1, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } });
            const r = hpa.sync(0, 4, 4, external(undefined));
            assert.deepStrictEqual([r.to, r.limitedBy], [4, "no metric"]);
            const cpu = hpa.sync(15, 4, 4, { kind: "cpuUtilization", targetPercent: 50, pods: [pod("a", undefined)] });
            assert.strictEqual(cpu.to, 4);
        });
    });
});
