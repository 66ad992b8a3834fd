import * as assert from "assert";
import { watchCooldown } from "./cooldown";
import { describeSignalLost, replicaChanges } from "./report";
import { describeScaling, scalingTimes, signalLostPeriods } from "./scaling";
import { signalLost } from "./watch";
import { ScalingSample } from "./types";
import type { V2HorizontalPodAutoscaler } from "@kubernetes/client-node";

const s = (t: number, replicas: number, ready: number, metric?: number): ScalingSample => ({
    t, replicas, readyReplicas: ready,
    ...(metric !== undefined ? { hpa: { name: "h", currentReplicas: replicas, desiredReplicas: replicas, metric, target: 50, unit: "% CPU of request" } } : {}),
});
const run = (durationS: number, samples: ScalingSample[]) => ({ durationS, scaling: { samples, errors: 0, errorsByMessage: {}, namespace: "seldon", deployment: "d" } });

describe("scaling times (loadtest/scaling.ts)", () => {
    it("scale-up from the metric crossing its target to the first new ready replica; scale-down from the load's end", () => {
        const t = scalingTimes(run(180, [s(0, 1, 1, 0), s(15, 1, 1, 30), s(30, 1, 1, 120), s(45, 3, 1, 140), s(75, 3, 2, 90), s(90, 3, 3, 60),
            s(180, 3, 3, 70), s(300, 3, 3, 0), s(485, 1, 1, 0)]))!;
        assert.deepStrictEqual(t.trigger, { atS: 30, from: "metric" });
        assert.deepStrictEqual(t.scaleUp, { readyAtS: 75, afterS: 45 });
        assert.deepStrictEqual(t.scaleDown, { atS: 485, afterS: 305 });
        assert.strictEqual(t.peakReadyReplicas, 3);
        assert.match(describeScaling(t).join("\n"), /1 → 3 ready replicas[\s\S]*45 s after the metric crossed its target \(30 s\)[\s\S]*305 s after the load ended/);
    });

    it("without a metric the clock starts with the load; a replica not yet ready is not a scale-up", () => {
        const t = scalingTimes(run(60, [s(0, 1, 1), s(20, 2, 1), s(40, 2, 2), s(60, 2, 2)]))!;
        assert.deepStrictEqual(t.trigger, { atS: 0, from: "load start" });
        assert.deepStrictEqual(t.scaleUp, { readyAtS: 40, afterS: 40 });
        assert.strictEqual(t.scaleDown, undefined);
        assert.match(describeScaling(t).join("\n"), /scale-down: not seen \(watch longer with --cooldown\)/);
    });

    it("no scale-up: says so, and no scale-down to report", () => {
        const t = scalingTimes(run(60, [s(0, 1, 1, 10), s(60, 1, 1, 20)]))!;
        assert.strictEqual(t.scaleUp, undefined);
        assert.strictEqual(t.scaleDown, undefined);
        assert.deepStrictEqual(describeScaling(t).slice(1), ["  scale-up: none seen"]);
        assert.strictEqual(scalingTimes({ durationS: 1 }), undefined);
    });

    it("a replica dropping during the load is not the scale-down: only after the load ends counts", () => {
        const t = scalingTimes(run(100, [s(0, 1, 1), s(10, 2, 2), s(50, 1, 1), s(90, 2, 2), s(130, 1, 1)]))!;
        assert.deepStrictEqual(t.scaleDown, { atS: 130, afterS: 30 });
    });
});

describe("the cooldown watch (loadtest/cooldown.ts)", () => {
    // A clock that moves only when the watch sleeps: no real time, no race.
    const clock = () => {
        let now = 0;
        return { now: () => now, advance: (ms: number) => (now += ms) };
    };

    it("ends as soon as a sample after the load shows the starting replicas, all ready", async () => {
        const samples = [s(0, 1, 1), s(100, 3, 3)];
        let polls = 0;
        const c = clock();
        const result = await watchCooldown(() => {
            polls++;
            c.advance(1000);
            if (polls === 3) {
                samples.push(s(110, 1, 1));
            }
            return samples;
        }, { cooldownMs: 600_000, pollMs: 0, now: c.now }, 100);
        assert.strictEqual(result.ended, "back");
        assert.strictEqual(polls, 3);
    });

    it("a replica still terminating or not ready is not back yet; the deadline ends it", async () => {
        const c = clock();
        const result = await watchCooldown(() => {
            c.advance(10_000);
            return [s(0, 1, 1), s(100, 1, 0)];
        }, { cooldownMs: 60_000, pollMs: 0, now: c.now }, 50);
        assert.strictEqual(result.ended, "deadline");
    });

    it("a signal ends it", async () => {
        const abort = new AbortController();
        abort.abort("SIGINT");
        const result = await watchCooldown(() => [s(0, 1, 1), s(100, 3, 3)], { cooldownMs: 60_000, pollMs: 0, signal: abort.signal }, 50);
        assert.strictEqual(result.ended, "interrupted");
    });
});

describe("when the signal is lost (loadtest/scaling.ts, watch.ts)", () => {
    const lost = (t: number, replicas: number): ScalingSample => ({ ...s(t, replicas, replicas), signalLost: "KEDA fallback (FallbackExists): the signal is lost, the fallback replicas hold" });

    it("finds each stretch, with the replicas held meanwhile; one still open ends at the last sample", () => {
        const samples = [s(0, 1, 1), lost(15, 1), lost(30, 3), s(45, 3, 3), s(60, 3, 3), lost(75, 3), lost(90, 3)];
        assert.deepStrictEqual(signalLostPeriods(samples).map(p => [p.from, p.to, p.replicas]), [[15, 45, [1, 3]], [75, 90, [3, 3]]]);
        assert.deepStrictEqual(signalLostPeriods([s(0, 1, 1), s(15, 1, 1)]), []);
        const r = run(100, samples);
        assert.deepStrictEqual(describeSignalLost(r), [
            "  signal lost from 15 s to 45 s (KEDA fallback (FallbackExists): the signal is lost, the fallback replicas hold); replicas meanwhile 1–3",
            "  signal lost from 75 s to 90 s (KEDA fallback (FallbackExists): the signal is lost, the fallback replicas hold); replicas meanwhile 3–3",
        ]);
        assert.deepStrictEqual(replicaChanges(r).map(m => `${m.t} ${m.label}`), ["15 signal lost", "30 1→3 ready", "45 signal back", "75 signal lost", "90 signal back"]);
    });

    it("reads KEDA's Fallback condition first, then the HPA's ScalingActive False, as the controllers write them", () => {
        const so = (status: string) => ({ status: { conditions: [{ type: "Ready", status: "True" }, { type: "Fallback", status, reason: status === "True" ? "FallbackExists" : "NoFallbackFound" }] } });
        const hpa = (status: string): V2HorizontalPodAutoscaler => ({ spec: { maxReplicas: 3, scaleTargetRef: { kind: "Deployment", name: "d" } }, status: { desiredReplicas: 1, conditions: [
            { type: "AbleToScale", status: "True", reason: "SucceededGetScale" },
            { type: "ScalingActive", status, reason: status === "False" ? "FailedGetExternalMetric" : "ValidMetricFound",
                message: status === "False" ? "the HPA was unable to compute the replica count: unable to get external metric seldon/s0-prometheus" : "ok" },
        ] } });
        assert.match(signalLost(so("True"), hpa("False"))!, /^KEDA fallback \(FallbackExists\)/);
        assert.match(signalLost(so("False"), hpa("False"))!, /^HPA FailedGetExternalMetric: the HPA was unable to compute the replica count/);
        assert.strictEqual(signalLost(so("False"), hpa("True")), undefined);
        assert.strictEqual(signalLost(undefined, undefined), undefined);
        assert.strictEqual(signalLost({ garbage: true }, { spec: { maxReplicas: 3, scaleTargetRef: { kind: "Deployment", name: "d" } } }), undefined);
    });
});
