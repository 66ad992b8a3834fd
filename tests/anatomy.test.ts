// The scale-up anatomy from pods and events in the shapes a Kubernetes 1.33 API server writes
// (tests/anatomyFixtures.ts cites them). Every expected number here is worked out by hand from the
// fixture's times, not by the code under test.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type * as k8s from "@kubernetes/client-node";
import { anatomyLanes } from "../loadtest/lanes";
import { firstServedFrom } from "../loadtest/firstServed";
import { Anatomy, anchor, ANATOMY_DOC, CAUSES, describeAnatomy, goDurationS, parsePulled, parseRescale, scaleUpAnatomy } from "../loadtest/anatomy";
import { ClockEstimate, ClusterRecords, eventRecord, EventRecord, podRecord } from "../loadtest/clusterRecords";
import { ScalingSample } from "../loadtest/types";
import { at, BASE_MS, imageEvents, IMAGES, kubeletEvent, pod, PodTimes, rescaleEvent, scheduledEvent } from "./anatomyFixtures";

const STARTED_AT = new Date(BASE_MS).toISOString();
const REASON = "external metric s0-prometheus(&LabelSelector{MatchLabels:map[string]string{scaledobject.keda.sh/name: cifar10-default-0-cifar10-pytorch,},MatchExpressions:[]LabelSelectorRequirement{},}) above target";

/** Watch samples: 1 replica until 20 s, 3 from 20 s, 4 from 35 s; the HPA's metric above its target (20) from 10 s. */
function samples(until = 90): ScalingSample[] {
    const out: ScalingSample[] = [];
    for (let t = 0; t <= until; t += 5) {
        const replicas = t < 20 ? 1 : t < 35 ? 3 : 4;
        out.push({ t, replicas, readyReplicas: t < 45 ? 1 : t < 75 ? 2 : t < 80 ? 3 : 4,
            hpa: { name: "cifar10-default-0-cifar10-pytorch", currentReplicas: replicas, desiredReplicas: t < 19 ? 1 : t < 34 ? 3 : 4,
                metric: t < 10 ? 12 : 31.5, target: 20, unit: "s0-prometheus: the query's total ÷ replicas (AverageValue)" } });
    }
    return out;
}

const records = (pods: Array<[PodTimes, number, number?]>, events: unknown[], clock = { offsetMs: 0, uncertaintyMs: 200, observations: 12 }): ClusterRecords => ({
    pods: pods.map(([p, listed, gone]) => ({ ...podRecord(pod(p) as k8s.V1Pod, listed), ...(gone !== undefined ? { goneS: gone } : {}) })),
    events: events.map(e => eventRecord(e as k8s.CoreV1Event)).filter((e): e is EventRecord => e !== undefined),
    clock,
});

const EXISTING: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-aaaaa", uid: "p0", created: -600, scheduled: -600, readyToStart: -598, download: { start: -597, end: -590, exitCode: 0 }, triton: -589, ready: -570 };
const A: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-bbbbb", uid: "pA", created: 20, scheduled: 20, readyToStart: 22, download: { start: 23, end: 29, exitCode: 0 }, triton: 30, ready: 44 };
const B: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-ccccc", uid: "pB", created: 20, scheduled: 21, readyToStart: 23, download: { start: 24, end: 31, exitCode: 0 }, triton: 62, ready: 75 };
const C: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-ddddd", uid: "pC", created: 35, scheduled: 35, readyToStart: 37, download: { start: 38, end: 40, exitCode: 0 }, triton: 71, ready: 80 };

function present(p: PodTimes, t: number): unknown[] {
    return [
        ...imageEvents(p.name, p.uid, "istio-proxy", IMAGES.PROXY, t, { present: true }, true),
        ...imageEvents(p.name, p.uid, "cifar10-pytorch-model-initializer", IMAGES.RCLONE, t + 1, { present: true }, true),
    ];
}

/** Two replicas created together by one decision (one with its images present, one pulling Triton), a third by the next. */
function threeReplicas(): ClusterRecords {
    return records([[EXISTING, 0], [A, 20], [B, 20], [C, 35]], [
        rescaleEvent(3, REASON, 19), rescaleEvent(4, REASON, 34),
        scheduledEvent(A.name, A.uid, 20), scheduledEvent(B.name, B.uid, 21), scheduledEvent(C.name, C.uid, 35),
        ...present(A, 21), ...imageEvents(A.name, A.uid, "cifar10-pytorch", IMAGES.TRITON, 29, { present: true }),
        ...present(B, 22), ...imageEvents(B.name, B.uid, "cifar10-pytorch", IMAGES.TRITON, 31, { to: 61, pulledIn: "29.5s", includingWaiting: "30s" }),
        ...present(C, 36), ...imageEvents(C.name, C.uid, "cifar10-pytorch", IMAGES.TRITON, 40, { to: 70, pulledIn: "29.9s", includingWaiting: "30.004s" }),
    ]);
}

const stepsOf = (a: Anatomy, i: number) => a.replicas[i].steps.map(s => [s.name, s.fromS, s.toS]);

describe("the scale-up anatomy", () => {
    it("reads kubelet's and the HPA controller's messages, and Go durations", () => {
        assert.deepStrictEqual(parsePulled(`Container image "${IMAGES.TRITON}" already present on machine`), { present: true });
        assert.deepStrictEqual(parsePulled(`Container image "${IMAGES.TRITON}" already present on machine and can be accessed by the pod`), { present: true });
        assert.deepStrictEqual(parsePulled(`Successfully pulled image "${IMAGES.TRITON}" in 796ms (1.594s including waiting). Image size: 543804759 bytes.`),
            { present: false, pulledInS: 0.796, includingWaitingS: 1.594 });
        // Before Kubernetes 1.30: no waiting figure.
        assert.deepStrictEqual(parsePulled(`Successfully pulled image "busybox" in 1m2.5s`), { present: false, pulledInS: 62.5 });
        assert.strictEqual(parsePulled("Pulling image \"busybox\""), undefined);
        assert.deepStrictEqual(parseRescale(`New size: 3; reason: ${REASON}`), { newSize: 3, reason: REASON });
        assert.strictEqual(parseRescale("New size: x; reason: y"), undefined);
        assert.strictEqual(goDurationS("1h2m3.5s"), 3723.5);
        assert.strictEqual(goDurationS("850µs"), 0.00085);
        assert.strictEqual(goDurationS("2m"), 120);
        assert.strictEqual(goDurationS("1.5x"), undefined);
    });

    it("times each step of two replicas scheduled together and of a third, images present or pulled", () => {
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: threeReplicas() });
        assert.deepStrictEqual(a.replicas.map(r => r.pod), [A.name, B.name, C.name], "the pod that existed before the load is not a new replica");
        assert.deepStrictEqual(a.signalFrom?.atS, 10);
        assert.deepStrictEqual(stepsOf(a, 0), [["signal", 10, 19], ["pod creation", 19, 20], ["scheduling", 20, 20], ["pod start", 20, 23],
            ["model download", 23, 29], ["Triton start", 29, 30], ["model load + readiness", 30, 44]]);
        assert.deepStrictEqual(stepsOf(a, 1), [["signal", 10, 19], ["pod creation", 19, 20], ["scheduling", 20, 21], ["pod start", 21, 24],
            ["model download", 24, 31], ["Triton start", 31, 62], ["model load + readiness", 62, 75]]);
        // The third replica's decision came after the first: its signal step starts there.
        assert.deepStrictEqual(stepsOf(a, 2)[0], ["signal", 19, 34]);
        assert.deepStrictEqual(a.replicas[0].decision && [a.replicas[0].decision.atS, a.replicas[0].decision.newSize, a.replicas[0].decision.metric, a.replicas[0].decision.target], [19, 3, 31.5, 20]);
        assert.deepStrictEqual(a.replicas[2].decision?.newSize, 4);
        // Images: present on A (a zero-length pull), pulled on B with kubelet's own figures.
        assert.ok(a.replicas[0].pulls.every(p => p.present && p.fromS === p.toS));
        const bTriton = a.replicas[1].pulls.find(p => p.container === "cifar10-pytorch")!;
        assert.deepStrictEqual([bTriton.fromS, bTriton.toS, bTriton.present, bTriton.pulledInS, bTriton.includingWaitingS, bTriton.failures], [31, 61, false, 29.5, 30, 0]);
        // B's Triton start (31 s) was pulling for 30 of them: 1 s of its own.
        assert.deepStrictEqual(a.replicas[1].seconds, { "signal": 9, "pod creation": 1, "scheduling": 1, "pod start": 3, "model download": 7, "Triton start": 1, "model load + readiness": 13, "image pull": 30 });
        assert.deepStrictEqual(a.replicas.map(r => r.outcome), [{ kind: "ready", atS: 44 }, { kind: "ready", atS: 75 }, { kind: "ready", atS: 80 }]);
        // B: 30 of 65 s pulling (46%); C: 30 of 61 s (49%); A: longest is loading, 14 of 34 s.
        assert.deepStrictEqual(a.slowest, { cause: "image pull", replicas: 2, of: 3, share: 48,
            text: "2 of 3 new replicas spent 48% of their scale-up pulling images: see docs/scale-up-anatomy.md#image-pull" });
    });

    it("counts a pull that failed and was retried, from aggregated events", () => {
        const D: PodTimes = { ...B, name: "cifar10-default-0-cifar10-pytorch-7d9f5c-eeeee", uid: "pD", triton: 71, ready: 84 };
        const failure = `Failed to pull image "${IMAGES.TRITON}": rpc error: code = Unknown desc = failed to pull and unpack image: i/o timeout`;
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: records([[EXISTING, 0], [D, 20]], [
            rescaleEvent(3, REASON, 19), ...present(D, 22),
            // Three attempts: one Pulling record (count 3, first and last), three failures, back-offs, then the pull.
            kubeletEvent(D.name, D.uid, "cifar10-pytorch", "Pulling", `Pulling image "${IMAGES.TRITON}"`, 31, { last: 52, count: 3 }),
            kubeletEvent(D.name, D.uid, "cifar10-pytorch", "Failed", failure, 36, { last: 47, count: 2, type: "Warning" }),
            kubeletEvent(D.name, D.uid, "cifar10-pytorch", "Failed", "Error: ErrImagePull", 36, { last: 47, count: 2, type: "Warning" }),
            kubeletEvent(D.name, D.uid, "cifar10-pytorch", "BackOff", `Back-off pulling image "${IMAGES.TRITON}"`, 37, { last: 48, count: 2 }),
            kubeletEvent(D.name, D.uid, "cifar10-pytorch", "Failed", "Error: ImagePullBackOff", 37, { last: 48, count: 2, type: "Warning" }),
            kubeletEvent(D.name, D.uid, "cifar10-pytorch", "Pulled", `Successfully pulled image "${IMAGES.TRITON}" in 18.2s (18.2s including waiting). Image size: 6271741302 bytes.`, 70),
        ]) });
        const pull = a.replicas[0].pulls.find(p => p.container === "cifar10-pytorch")!;
        assert.deepStrictEqual([pull.fromS, pull.toS, pull.failures, pull.pulledInS], [31, 70, 2, 18.2]);
        assert.strictEqual(pull.lastFailure, failure);
        assert.strictEqual(a.replicas[0].seconds["image pull"], 39);
    });

    it("says where a replica that never became ready is stuck, and one removed before it was ready", () => {
        const stuck: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-fffff", uid: "pE", created: 20, scheduled: 20, readyToStart: 22, download: { start: 23 } };
        const backoff: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-ggggg", uid: "pF", created: 20, scheduled: 21, readyToStart: 23,
            download: { start: 24, end: 31, exitCode: 0 }, waiting: { container: "cifar10-pytorch", reason: "ImagePullBackOff" } };
        const removed: PodTimes = { name: "cifar10-default-0-cifar10-pytorch-7d9f5c-hhhhh", uid: "pG", created: 35, scheduled: 36, readyToStart: 38, download: { start: 39 }, deleted: 60 };
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: records(
            [[EXISTING, 0], [stuck, 20], [backoff, 20], [removed, 35, 65]], [rescaleEvent(3, REASON, 19), rescaleEvent(4, REASON, 34)]) });
        assert.deepStrictEqual(a.replicas[0].outcome, { kind: "not ready", note: "not ready when the watch ended (Initialized not yet True)" });
        assert.deepStrictEqual(a.replicas[0].steps[a.replicas[0].steps.length - 1], { name: "model download", fromS: 23, toS: 90, open: true, source: "the storage initializer's startedAt to finishedAt" });
        assert.deepStrictEqual(a.replicas[1].outcome, { kind: "not ready", note: "not ready when the watch ended (cifar10-pytorch: ImagePullBackOff)" });
        assert.deepStrictEqual(a.replicas[1].steps.map(s => [s.name, s.open ?? false]).slice(-1), [["Triton start", true]]);
        // Gone from the listing at 65 s: its open step ends there, not at the end of the watch.
        assert.deepStrictEqual(a.replicas[2].outcome, { kind: "removed", atS: 65, note: "removed before it was ready (Initialized not yet True)" });
        assert.deepStrictEqual(a.replicas[2].steps.slice(-1)[0].toS, 65);
    });

    it("falls back on the watch's samples when the events have expired, and says so", () => {
        const cluster = records([[EXISTING, 0], [A, 20], [B, 20]], []);
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster });
        // The first sample whose desired replicas covered the pod: 20 s (desired 3 from 19 s; samples every 5 s).
        assert.deepStrictEqual(a.replicas.map(r => [r.decision?.atS, r.decision?.newSize]), [[20, 3], [20, 3]]);
        assert.match(a.replicas[0].decision!.source, /no rescale event/);
        assert.deepStrictEqual(a.replicas[1].pulls, []);
        assert.ok(a.notes.some(n => /--event-ttl/.test(n)), a.notes.join("\n"));
        // A listing the API server refused (RBAC without events, say) is said too.
        const refused = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(),
            cluster: { ...cluster, readErrors: { "events: HTTP 403: events is forbidden": 18 } } });
        assert.ok(refused.notes.includes("18 listings failed (events: HTTP 403: events is forbidden): steps may be missing"), refused.notes.join("\n"));
        // The steps the pod's own status records are all there.
        assert.deepStrictEqual(stepsOf(a, 1).slice(2), [["scheduling", 20, 21], ["pod start", 21, 24], ["model download", 24, 31], ["Triton start", 31, 62], ["model load + readiness", 62, 75]]);
    });

    it("places the cluster's timestamps on the load's axis across a clock skew", () => {
        // The cluster's clock 37 s ahead: every timestamp of the fixture moves by 37 s, the answer does not.
        const skewed = threeReplicas();
        const shifted = (iso: string) => new Date(Date.parse(iso) + 37000).toISOString();
        const cluster: ClusterRecords = {
            ...skewed,
            pods: skewed.pods.map(p => ({ ...p, createdAt: shifted(p.createdAt),
                conditions: Object.fromEntries(Object.entries(p.conditions).map(([k, c]) => [k, { ...c!, at: c!.at && shifted(c!.at) }])),
                initContainers: p.initContainers.map(c => ({ ...c, ...(c.startedAt ? { startedAt: shifted(c.startedAt) } : {}), ...(c.finishedAt ? { finishedAt: shifted(c.finishedAt) } : {}) })),
                containers: p.containers.map(c => ({ ...c, ...(c.startedAt ? { startedAt: shifted(c.startedAt) } : {}) })) })),
            events: skewed.events.map(e => ({ ...e, first: shifted(e.first), last: shifted(e.last) })),
            clock: { offsetMs: 37000, uncertaintyMs: 300, observations: 20 },
        };
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster });
        const b = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: threeReplicas() });
        assert.deepStrictEqual(a.replicas, b.replicas);
        // Uncorrected, the steps would be 37 s late: the test fails without the clock.
        const naive = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: { ...cluster, clock: { offsetMs: 0, uncertaintyMs: 0, observations: 1 } } });
        assert.notDeepStrictEqual(naive.replicas[0].steps, b.replicas[0].steps);
    });

    it("narrows the cluster clock's offset from Date headers, and starts again when the clock steps", () => {
        const c = new ClockEstimate();
        assert.deepStrictEqual(c.clock(), { offsetMs: 0, uncertaintyMs: 0, observations: 0 });
        // The server's clock 37.4 s ahead; answers 300 ms apart, each taking 20 ms.
        for (let i = 0; i < 10; i++) {
            const sent = BASE_MS + i * 300;
            const serverNow = sent + 10 + 37400;
            c.observe(sent, sent + 20, new Date(Math.floor(serverNow / 1000) * 1000).toUTCString());
        }
        const clock = c.clock();
        assert.ok(Math.abs(clock.offsetMs - 37400) <= clock.uncertaintyMs, JSON.stringify(clock));
        assert.ok(clock.uncertaintyMs <= 200, JSON.stringify(clock));
        c.observe(BASE_MS + 5000, BASE_MS + 5020, "not a date");
        assert.strictEqual(c.clock().observations, 10);
        // The cluster's clock steps back 10 s: the old interval is disjoint, the estimate follows the new clock.
        c.observe(BASE_MS + 6000, BASE_MS + 6020, new Date(Math.floor((BASE_MS + 6010 + 27400) / 1000) * 1000).toUTCString());
        assert.ok(Math.abs(c.clock().offsetMs - 27400) <= 1000, JSON.stringify(c.clock()));
    });

    it("keeps each event's first and last occurrence, whichever recorder wrote it", () => {
        const scheduled = eventRecord(scheduledEvent(A.name, A.uid, 20) as k8s.CoreV1Event)!;
        assert.deepStrictEqual([scheduled.first, scheduled.last, scheduled.count, scheduled.component], ["2026-12-05T10:00:20.123Z", "2026-12-05T10:00:20.123Z", 1, "default-scheduler"]);
        const repeated = eventRecord(rescaleEvent(3, REASON, 19, { last: 80, count: 2 }) as k8s.CoreV1Event)!;
        assert.deepStrictEqual([repeated.first, repeated.last, repeated.count], [at(19).replace("Z", ".000Z"), at(80).replace("Z", ".000Z"), 2]);
    });
});

describe("the scale-up anatomy in the summary and the HTML report", () => {
    it("prints each replica's steps, pulls and the slowest step, and draws a lane per replica", () => {
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: threeReplicas() });
        const lines = describeAnatomy(a);
        assert.strictEqual(lines[0], "scale-up anatomy (seconds on the load's time axis; cluster clock +0 s ± 0.2 s from this machine's):");
        assert.ok(lines.includes(`  ${B.name} on kind-worker: ready at 75 s`), lines.join("\n"));
        assert.ok(lines.includes("    signal 9 s · pod creation 1 s · scheduling 1 s · pod start 3 s · model download 7 s · Triton start 31 s · model load + readiness 13 s"), lines.join("\n"));
        assert.ok(lines.includes("    image cifar10-pytorch: pulled in 30 s (kubelet: 29.5 s, 30 s including waiting)"), lines.join("\n"));
        assert.ok(lines.includes("    image cifar10-pytorch: already present"), lines.join("\n"));
        assert.strictEqual(lines[lines.length - 1], "  2 of 3 new replicas spent 48% of their scale-up pulling images: see docs/scale-up-anatomy.md#image-pull");
        const svg = anatomyLanes(a, 90);
        assert.strictEqual((svg.match(/<rect class="step"/g) ?? []).length, 3 * 7);
        assert.strictEqual((svg.match(/<rect class="pull"/g) ?? []).length, 2);
        assert.match(svg, /<p class="slowest"><strong>2 of 3 new replicas spent 48%/);
        // Nothing to draw without a new replica.
        assert.strictEqual(anatomyLanes({ ...a, replicas: [] }, 90), "");
    });
});

describe("the scale-up anatomy's docs page", () => {
    it("has the anchor the report's slowest-step sentence links to, for every step", () => {
        const page = fs.readFileSync(path.join(__dirname, "..", ANATOMY_DOC), "utf8");
        for (const cause of CAUSES) {
            assert.ok(page.includes(`<a id="${anchor(cause)}"></a>`), `${ANATOMY_DOC} has no anchor #${anchor(cause)} for ${cause}`);
        }
    });
});

describe("the first request each new replica served (loadtest/firstServed.ts)", () => {
    it("sums a pod's counters per scrape and takes the first scrape above zero, with the scrape before it", () => {
        const series = (pod: string, code: string, values: Array<[number, string]>) =>
            ({ metric: { __name__: "seldon_api_executor_client_requests_seconds_count", pod, code }, values });
        const answer = { status: "success", data: { resultType: "matrix", result: [
            // A's 200s appear with its first request; its 500s series existed (at 0) from its first scrape.
            series("a", "500", [[1000, "0"], [1015, "0"], [1030, "0"], [1045, "0"]]),
            series("a", "200", [[1030, "4"], [1045, "9"]]),
            // B served from its very first scrape: no idle scrape known.
            series("b", "200", [[1010, "2"], [1025, "6"]]),
            // C never served; D is not a new replica.
            series("c", "200", [[1000, "0"], [1015, "0"]]),
            series("d", "200", [[1000, "50"], [1015, "80"]]),
        ] } };
        assert.deepStrictEqual(firstServedFrom(answer, ["a", "b", "c"]), {
            scrapeIntervalS: 15,
            pods: [
                { pod: "a", idleAt: "1970-01-01T00:16:55.000Z", servedAt: "1970-01-01T00:17:10.000Z" },
                { pod: "b", servedAt: "1970-01-01T00:16:50.000Z" },
            ],
        });
    });
});

describe("where the signal step starts", () => {
    it("with KEDA's request-rate signal, at the second the generator's rate per ready replica first exceeded the target", () => {
        // One ready replica until 45 s; 15 req/s until 8 s, then 25 (above the target of 20) from the second ending at 9 s.
        const rates = Array.from({ length: 90 }, (_, i) => ({ t: i + 1, requests: i + 1 <= 8 ? 15 : 25 }));
        const a = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: threeReplicas(), rates, requestRateThreshold: 20 });
        assert.deepStrictEqual(a.signalFrom?.atS, 8);
        assert.match(a.signalFrom!.how, /^the load crossed the target/);
        assert.deepStrictEqual(stepsOf(a, 0)[0], ["signal", 8, 19]);
        // At exactly the target it has not crossed: the watch's sample decides instead.
        const at = scaleUpAnatomy({ startedAt: STARTED_AT, durationS: 90, samples: samples(), cluster: threeReplicas(),
            rates: rates.map(r => ({ ...r, requests: Math.min(r.requests, 20) })), requestRateThreshold: 20 });
        assert.deepStrictEqual(at.signalFrom?.atS, 10);
        assert.match(at.signalFrom!.how, /^the first watch sample/);
    });
});
