import * as assert from "assert";
import { watchCooldown } from "./cooldown";
import { describeScaling, scalingTimes } from "./scaling";
import { ScalingSample } from "./types";

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
