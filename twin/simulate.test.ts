// The twin as a whole: the tutorial's flapping and the program's steadiness, hpa's fixed 300 s
// scale-down against keda's setting, the queue of a saturated model, determinism, and calibration on
// reports whose answers are known.
import * as assert from "assert";
import { LoadResult } from "../loadtest/types";
import { devSettings, READY_30S, SLOW_MODEL } from "../tests/twinFixtures";
import { calibrate, readinessFromReport } from "./calibrate";
import { rampLoad, replayLoad } from "./load";
import { ESTIMATED_PROFILE, profileOf } from "./profile";
import { asLoadResult } from "./report";
import { equilibrium, simulate } from "./simulate";
import { E2E_QUEUE_STEP, queueStepOutcome } from "../tools/e2e/queueStep";

/** The tutorial's trigger (FACTS §1): the per-pod average of the executors' rates, threshold 20, metricType AverageValue. */
const TUTORIAL_QUERY = 'avg(rate(seldon_api_executor_client_requests_seconds_count{deployment_name=~"cifar10"}[1m]))';

describe("autoscaling twin", () => {
    // About 30 requests/s for 20 minutes: 1.5 replicas' worth at 20 requests/s per replica.
    const steady = rampLoad({ users: 30, spawnRate: 10, runTimeS: 1200, minWaitMs: 900, maxWaitMs: 1100 });

    it("shows the tutorial's defect: averaging per-pod rates under AverageValue flaps 1 ↔ 2; the program's sum holds 2", () => {
        // Both with the HPA's default 300 s scale-down window (the tutorial set no behavior), maxReplicas 2.
        const program = devSettings("keda", ["maxReplicas=2", "kedaScaleDownStabilizationSeconds=300"]);
        const tutorial = { ...program, kedaTrigger: { query: TUTORIAL_QUERY, threshold: 20 } };
        const flapping = simulate({ settings: tutorial, load: steady, profile: SLOW_MODEL, readiness: READY_30S });
        const holding = simulate({ settings: program, load: steady, profile: SLOW_MODEL, readiness: READY_30S });
        // At 1 replica the average is the total (~30/s): 2 wanted; at 2 it halves (~15/s): 1 wanted, once the window has passed.
        assert.ok(flapping.prediction.reversals >= 3, `the tutorial's query flaps (${flapping.prediction.reversals} reversals)`);
        assert.deepStrictEqual(flapping.decisions.slice(0, 3).map(d => `${d.from}→${d.to}`), ["1→2", "2→1", "1→2"]);
        assert.strictEqual(holding.prediction.reversals, 0);
        assert.deepStrictEqual(holding.decisions.filter(d => d.atS <= 1200).map(d => `${d.from}→${d.to}`), ["1→2"]);
    });

    it("hpa scales down 300 s after the load (the cluster's window: Seldon's hpaSpec cannot set one); keda after its own setting", () => {
        const load = rampLoad({ users: 100, spawnRate: 10, runTimeS: 180 });
        const hpaRun = simulate({ settings: devSettings("hpa"), load, profile: SLOW_MODEL, readiness: READY_30S });
        const hpa = hpaRun.prediction;
        assert.strictEqual(hpa.peakReplicas, 3);
        // 200% of the 50% target asks for 4; maxReplicas stops it at 3.
        assert.deepStrictEqual(hpaRun.decisions[0], { atS: 15, from: 1, to: 3, wanted: 4, metric: 200, limitedBy: "maxReplicas" });
        // metrics-server's read at 195 s is the first without load; the last high recommendation (180 s) leaves the window at 480 s.
        assert.strictEqual(hpa.scaleDownS, 300);
        const keda = (seconds: number) => simulate({ settings: devSettings("keda", [`kedaScaleDownStabilizationSeconds=${seconds}`]), load, profile: SLOW_MODEL, readiness: READY_30S }).prediction;
        const keda120 = keda(120);
        const keda300 = keda(300);
        // The request rate falls to 0 within the rate() window (60 s) after the load, then the window runs: 120 s.
        assert.ok(keda120.scaleDownS! >= 120 && keda120.scaleDownS! <= 120 + 60 + 15, `keda 120 s: ${keda120.scaleDownS}`);
        assert.strictEqual(keda300.scaleDownS! - keda120.scaleDownS!, 180, "the setting moves the scale-down by exactly its change");
    });

    it("a saturated model queues: wait = users / capacity - pause - service time, and requests slower than the timeout fail", () => {
        const settings = devSettings("none");
        const load = rampLoad({ users: 100, spawnRate: 100, runTimeS: 60 });
        const p = simulate({ settings, load, profile: SLOW_MODEL, readiness: READY_30S }).prediction;
        // 100 users served at 150/s: a cycle of 100/150 s, of which 55 ms pause and 5 ms service.
        assert.strictEqual(Math.round(p.maxQueueMs * 1000) / 1000, Math.round((100 / 150 - 0.055 - 0.005) * 1e6) / 1000);
        assert.strictEqual(p.failedRequests, 0);
        assert.strictEqual(p.requests, 150 * 60);
        // A request takes the cycle less the pause: 100/150 - 0.055 = 611.7 ms. A timeout just below fails them all; just above, none.
        const failing = simulate({ settings, load: { ...load, timeoutS: 0.611 }, profile: SLOW_MODEL, readiness: READY_30S }).prediction;
        const passing = simulate({ settings, load: { ...load, timeoutS: 0.612 }, profile: SLOW_MODEL, readiness: READY_30S }).prediction;
        assert.deepStrictEqual([failing.failedRequests, passing.failedRequests], [150 * 60, 0]);
    });

    it("agrees with the e2e queue step's own arithmetic (tools/e2e/queueStep.ts): the replicas Triton's queue asks for", () => {
        const step = E2E_QUEUE_STEP;
        const expected = queueStepOutcome(step);
        const settings = devSettings("keda", ["kedaSignal=queue", `kedaQueueTarget=${step.queueTarget}`, `maxReplicas=${step.maxReplicas}`, "modelCpuRequest=100m"]);
        const wanted = step.tritonPerCore.map(perCore => {
            const capacity = perCore * step.tritonCpuCores;
            // `inService` requests in service at capacity: each takes inService / capacity seconds (Little's law).
            const profile = profileOf(capacity, 1000 * step.inService / capacity, step.tritonCpuCores, SLOW_MODEL.source);
            const run = simulate({ settings, load: rampLoad({ users: step.users, spawnRate: step.users, runTimeS: 180, minWaitMs: step.minWaitMs, maxWaitMs: step.maxWaitMs }), profile, readiness: READY_30S });
            return run.decisions[0].wanted;
        });
        // The slower Triton (2,000 per core) queues more: the high end of the step's range.
        assert.deepStrictEqual(wanted, [expected.desiredReplicas[1], expected.desiredReplicas[0]]);
    });

    it("solves the closed loop on a measured curve: between its points, and past its last (saturated)", () => {
        // The estimate: 1 request in a replica takes 0.1923 ms, 4 take 0.4651 ms. With no pause, 2.5 users keep 2.5 in it:
        // latency halfway, 0.3287 ms, so 2.5 / 0.3287 ms = 7,606 requests/s.
        const between = equilibrium(2.5, 0, 1, ESTIMATED_PROFILE);
        const latencyMs = 1000 / 5200 + 0.5 * (4000 / 8600 - 1000 / 5200);
        assert.strictEqual(Math.round(between.latencyS * 1e9), Math.round(latencyMs * 1e6));
        assert.strictEqual(Math.round(between.served), Math.round(2.5 / (latencyMs / 1000)));
        // 100 users pausing 55 ms on 2 replicas: every user is either in a replica or pausing.
        const loop = equilibrium(100, 0.055, 2, SLOW_MODEL);
        assert.strictEqual(Math.round((loop.served * loop.latencyS + loop.served * 0.055) * 1e6) / 1e6, 100);
        assert.strictEqual(Math.round(loop.served * 1e6) / 1e6, 300, "saturated: 2 × 150/s");
        assert.deepStrictEqual(equilibrium(0, 0.055, 2, SLOW_MODEL), { served: 0, latencyS: 0 });
    });

    it("is deterministic: the same inputs give the same timeline", () => {
        const settings = devSettings("keda");
        const run = () => simulate({ settings, load: rampLoad(settings.loadTest), profile: SLOW_MODEL, readiness: READY_30S });
        assert.deepStrictEqual(run(), run());
    });

    it("a new replica's readiness comes from the scale-up anatomy: the median from creation to Ready", () => {
        const replica = (createdS: number, readyS?: number) => ({ createdS, outcome: readyS === undefined ? { kind: "not ready" } : { kind: "ready", atS: readyS } });
        const report = { scaling: { anatomy: { replicas: [replica(10, 52), replica(10, 40), replica(20, 61), replica(30)] } } } as unknown as LoadResult;
        assert.deepStrictEqual(readinessFromReport(report), { seconds: 41, source: "the report's scale-up anatomy: median of 3 new replica(s), creation to Ready" });
        assert.strictEqual(readinessFromReport({ scaling: undefined }), undefined);
    });

    describe("calibration", () => {
        const settings = devSettings("keda");
        const input = { settings, profile: SLOW_MODEL, readiness: READY_30S };
        const own = (() => {
            const load = rampLoad(settings.loadTest);
            return asLoadResult(simulate({ ...input, load }), load, { namespace: "seldon", deployment: settings.target.workload });
        })();

        it("replaying a report the twin itself wrote gives an error of 0", () => {
            const { error } = calibrate(own, input);
            assert.deepStrictEqual(error, { firstScaleUpS: 0, newReplicaReadyS: 0, scaleDownS: 0, replicas: { meanAbs: 0, maxAbs: 0, samples: own.scaling!.samples.length }, notes: [] });
            // The replay is the same load: users second by second, the same pause and timeout.
            const replay = replayLoad(own);
            const ramp = rampLoad(settings.loadTest);
            assert.deepStrictEqual(Array.from({ length: 200 }, (_, t) => replay.usersAt(t)), Array.from({ length: 200 }, (_, t) => ramp.usersAt(t)));
        });

        for (const delay of [1, 17]) {
            it(`a cluster ${delay} s slower at every step: each error is +${delay} s`, () => {
                const samples = own.scaling!.samples;
                const at = (t: number) => [...samples].reverse().find(s => s.t <= t) ?? samples[0];
                const slower: LoadResult = {
                    ...own,
                    scaling: { ...own.scaling!, samples: samples.map(s => ({ ...s, replicas: at(s.t - delay).replicas, readyReplicas: at(s.t - delay).readyReplicas })).concat(
                        Array.from({ length: delay }, (_, i) => ({ t: samples[samples.length - 1].t + i + 1, replicas: samples[samples.length - 1].replicas, readyReplicas: samples[samples.length - 1].readyReplicas }))) },
                };
                const { error } = calibrate(slower, input);
                assert.deepStrictEqual([error.firstScaleUpS, error.newReplicaReadyS, error.scaleDownS], [delay, delay, delay]);
                assert.ok(error.replicas.maxAbs >= 1);
            });
        }

        it("says what it cannot compare, and refuses a report without --watch samples", () => {
            const flat: LoadResult = { ...own, scaling: { ...own.scaling!, samples: own.scaling!.samples.map(s => ({ ...s, replicas: 1, readyReplicas: 1 })) } };
            const { error } = calibrate(flat, input);
            assert.deepStrictEqual(error.notes.slice(0, 1), [`first scale-up: the cluster had none, the twin at ${calibrate(own, input).predicted.decisions[0].atS} s`]);
            assert.throws(() => calibrate({ ...own, scaling: undefined }, input), /no --watch samples/);
        });
    });
});
