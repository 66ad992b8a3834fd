// The anatomy of a scale-up: for every replica that the autoscaler added during the watch, where its
// time went, step by step, on the load's time axis, from what the cluster recorded (the HPA's rescale
// events and status, the pod's creation, conditions and container timestamps, kubelet's image events,
// and the executor's request counter in Prometheus). Pure: the same records give the same anatomy,
// from a live watch or from a report.json.
import { addedPods, ClusterClock, ClusterRecords, ContainerRecord, EventRecord, PodRecord } from "./clusterRecords";
import { ScalingSample } from "./types";

/** The steps of a replica's scale-up, in the order they happen. */
export const STEPS = ["signal", "pod creation", "scheduling", "pod start", "model download", "Triton start", "model load + readiness", "first request"] as const;
export type StepName = typeof STEPS[number];
/** Image pulls overlap the steps they happen in: counted apart, drawn over them. */
export type Cause = StepName | "image pull";
/** Every cause, the steps in order and image pulls last. */
export const CAUSES: readonly Cause[] = [...STEPS, "image pull"];

/** What each step is and what shortens it; docs/scale-up-anatomy.md says more. */
export const STEP_MEANING: Record<Cause, string> = {
    "signal": "from the load crossing the target to the autoscaler's decision (scrape interval, rate() window, HPA sync)",
    "pod creation": "from the decision to the pod's creation (ReplicaSet controller)",
    "scheduling": "from creation to PodScheduled (scheduler)",
    "pod start": "from scheduling to the model download starting (sandbox, network, Istio's proxy)",
    "model download": "the storage initializer copying the model from the store",
    "Triton start": "from the download's end to Triton's container starting",
    "model load + readiness": "from Triton's start to Ready (model load, warm-up, readiness probe)",
    "first request": "from Ready to the first request the replica served (at the scrape interval's resolution)",
    "image pull": "kubelet pulling an image (Pulling to Pulled)",
};

export interface Step {
    name: StepName;
    fromS: number;
    toS: number;
    /** Not finished when the watch ended (the end is the watch's). */
    open?: boolean;
    /** Where its times come from. */
    source: string;
}

export interface Pull {
    container: string;
    image: string;
    /** Pulling (first) to Pulled; equal for an image already present. */
    fromS: number;
    toS: number;
    present: boolean;
    /** kubelet's own figures from the Pulled message: the pull, and the pull including waiting for the pull queue. */
    pulledInS?: number;
    includingWaitingS?: number;
    /** Failed pulls before it (event counts), and the last failure's message. */
    failures: number;
    lastFailure?: string;
    /** No Pulled event yet when the watch ended. */
    open?: boolean;
}

export interface Decision {
    atS: number;
    newSize?: number;
    reason?: string;
    /** The HPA's metric in the status of that sync, as the watch read it. */
    metric?: number;
    target?: number;
    unit?: string;
    /** "SuccessfulRescale event", or the HPA's desired replicas in a watch sample when the event is gone. */
    source: string;
}

export type Outcome =
    | { kind: "ready"; atS: number }
    | { kind: "removed"; atS: number; note: string }
    | { kind: "not ready"; note: string };

export interface ReplicaAnatomy {
    pod: string;
    node?: string;
    createdS: number;
    decision?: Decision;
    steps: Step[];
    pulls: Pull[];
    outcome: Outcome;
    /** Seconds per cause over the replica's scale-up (signal to Ready, or to the end of the watch); image pulls taken out of the steps they overlap. */
    seconds: Partial<Record<Cause, number>>;
}

export interface Anatomy {
    clock: ClusterClock;
    /** Where the signal step starts: when the load crossed the target, as far as the watch can tell. */
    signalFrom?: { atS: number; how: string };
    replicas: ReplicaAnatomy[];
    /** The step that took the largest share of most replicas' scale-up, in words; undefined without a replica. */
    slowest?: { cause: Cause; replicas: number; of: number; share: number; text: string };
    /** What could not be read, and what that leaves out. */
    notes: string[];
}

/** The page that explains the steps and their levers. */
export const ANATOMY_DOC = "docs/scale-up-anatomy.md";

/** The load and the watch the anatomy needs (a LoadResult has them). */
export interface AnatomyInput {
    /** ISO time the load started, on the generator's clock: the time axis's zero. */
    startedAt: string;
    durationS: number;
    samples: readonly ScalingSample[];
    cluster: ClusterRecords;
    /** The generator's requests per second, second by second (the timeline). */
    rates?: ReadonlyArray<{ t: number; requests: number }>;
    /** KEDA's trigger when a ScaledObject scales the Deployment: with the request-rate signal, the load's crossing is the generator's to see. */
    requestRateThreshold?: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** A Go duration as kubelet prints it (time.Duration.String: 1.594s, 313ms, 1m2.5s, 850µs) in seconds. */
export function goDurationS(text: string): number | undefined {
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, "µs": 1e-6, "μs": 1e-6, us: 1e-6, ns: 1e-9 };
    let total = 0;
    let consumed = 0;
    for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|µs|μs|us|ns|h|m|s)/g)) {
        if (m.index !== consumed) {
            return undefined;
        }
        total += Number(m[1]) * unit[m[2]];
        consumed += m[0].length;
    }
    return consumed === text.length && consumed > 0 ? total : undefined;
}

/**
 * kubelet's Pulled message (pkg/kubelet/images/image_manager.go, Kubernetes 1.30 and later, 1.33
 * included): `Successfully pulled image "<image>" in <pull> (<total> including waiting). Image size:
 * <n> bytes.`; before 1.30 `… in <pull>`; for an image it did not pull `Container image "<image>"
 * already present on machine` (later versions add ` and can be accessed by the pod`).
 */
export function parsePulled(message: string): { present: true } | { present: false; pulledInS?: number; includingWaitingS?: number } | undefined {
    if (/^Container image ".*" already present on machine/.test(message)) {
        return { present: true };
    }
    const m = /^Successfully pulled image ".*" in ([0-9.a-zµμ]+)(?: \(([0-9.a-zµμ]+) including waiting\))?/.exec(message);
    if (!m) {
        return undefined;
    }
    const pulledInS = goDurationS(m[1]);
    const includingWaitingS = m[2] !== undefined ? goDurationS(m[2]) : undefined;
    return { present: false, ...(pulledInS !== undefined ? { pulledInS: round1(pulledInS * 1000) / 1000 } : {}),
        ...(includingWaitingS !== undefined ? { includingWaitingS: round1(includingWaitingS * 1000) / 1000 } : {}) };
}

/** The HPA controller's rescale event (pkg/controller/podautoscaler/horizontal.go): `New size: <n>; reason: <why>`. */
export function parseRescale(message: string): { newSize: number; reason: string } | undefined {
    const m = /^New size: ([0-9]+); reason: (.*)$/s.exec(message);
    return m ? { newSize: Number(m[1]), reason: m[2] } : undefined;
}

/** The container an event is about, from its fieldPath `spec.containers{name}` or `spec.initContainers{name}`. */
function containerOf(e: EventRecord): string | undefined {
    return /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/.exec(e.fieldPath ?? "")?.[1];
}

/** The union of intervals, as disjoint sorted intervals. */
function union(intervals: Array<[number, number]>): Array<[number, number]> {
    const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
    const out: Array<[number, number]> = [];
    for (const [a, b] of sorted) {
        const last = out[out.length - 1];
        if (last && a <= last[1]) {
            last[1] = Math.max(last[1], b);
        } else {
            out.push([a, b]);
        }
    }
    return out;
}

const overlap = (a: [number, number], b: Array<[number, number]>) =>
    b.reduce((sum, [x, y]) => sum + Math.max(0, Math.min(a[1], y) - Math.max(a[0], x)), 0);

/** The replicas the autoscaler added and how each one's scale-up went. */
export function scaleUpAnatomy(input: AnatomyInput): Anatomy {
    const { clock } = input.cluster;
    const zero = Date.parse(input.startedAt);
    // Cluster timestamps onto the load's axis: take the cluster clock's lead off, then count from the start.
    const at = (isoTime: string | undefined) => (isoTime === undefined ? undefined : round1((Date.parse(isoTime) - clock.offsetMs - zero) / 1000));
    const samples = input.samples;
    const endS = Math.max(input.durationS, samples.length ? samples[samples.length - 1].t : 0);
    const notes: string[] = [];
    if (clock.observations === 0) {
        notes.push("the API server's answers carried no Date header: the cluster's clock is taken to be the generator's");
    } else if (clock.uncertaintyMs > 1500) {
        notes.push(`the cluster's clock is known only to ±${round1(clock.uncertaintyMs / 1000)} s: step boundaries are that uncertain`);
    }

    for (const [what, n] of Object.entries(input.cluster.readErrors ?? {})) {
        notes.push(`${n} listing${n > 1 ? "s" : ""} failed (${what}): steps may be missing`);
    }
    const added = addedPods(input.cluster.pods, clock, zero);

    const hpaNames = new Set(samples.flatMap(s => (s.hpa ? [s.hpa.name] : [])));
    const rescales = input.cluster.events
        .filter(e => e.kind === "HorizontalPodAutoscaler" && hpaNames.has(e.name) && e.reason === "SuccessfulRescale")
        .flatMap(e => {
            const parsed = parseRescale(e.message);
            // A repeated message is one record: its first and its last occurrence are the times known.
            const times = e.count > 1 && e.last !== e.first ? [e.first, e.last] : [e.last];
            return parsed ? times.map(t => ({ atS: at(t)!, ...parsed })) : [];
        })
        // Scale-ups only: the controller gives "<metric> above target" for one, "All metrics below target"
        // for a scale-down (horizontal.go, rescaleReason).
        .filter(r => !/^All metrics below target/.test(r.reason))
        .sort((a, b) => a.atS - b.atS);
    if (added.length > 0 && rescales.length === 0) {
        notes.push("no SuccessfulRescale event of the HPA was found (events expire, after 1 h by default: kube-apiserver --event-ttl): " +
            "each decision is the first watch sample whose desired replicas covered the pod");
    }

    const signalFrom = signalStart(input, samples);
    const read = input.cluster.firstServed;
    const firstServed = read && "pods" in read ? read.pods : undefined;
    if (read && "error" in read) {
        notes.push(`the first request each replica served is unknown: ${read.error}`);
    } else if (read && added.length > 0) {
        notes.push(`the first request is known to the scrape interval (${read.scrapeIntervalS} s): it came after the replica's last scrape ` +
            "without a request and by its first scrape with one; the step ends at the latter");
    }
    const startReplicas = samples[0]?.replicas ?? 0;

    const replicas = added.map((pod, index): ReplicaAnatomy => {
        const createdS = at(pod.createdAt)!;
        const decision = decisionFor(createdS, startReplicas + index + 1, rescales, samples);
        const steps: Step[] = [];
        // An open step ends where the pod's watch did: when it left the listing, or at the end.
        const endAt = pod.goneS ?? endS;
        const push = (name: StepName, fromS: number | undefined, toS: number | undefined, source: string) => {
            if (fromS === undefined) {
                return;
            }
            const open = toS === undefined;
            // A step that ended before it began (whole-second timestamps) gets no length.
            steps.push({ name, fromS, toS: Math.max(fromS, open ? endAt : toS), ...(open ? { open: true } : {}), source });
        };
        const cond = (type: keyof PodRecord["conditions"]) => (pod.conditions[type]?.status === "True" ? at(pod.conditions[type]!.at) : undefined);
        const download = pod.initContainers.find(c => c.role === "model download");
        const server = pod.containers.find(c => c.role === "model server");
        const scheduledS = cond("PodScheduled");
        const readyS = cond("Ready");
        const downloadStartS = at(download?.startedAt);
        const downloadEndS = download?.exitCode === 0 ? at(download.finishedAt) : undefined;
        const serverStartS = at(server?.startedAt);
        const served = firstServed?.find(f => f.pod === pod.name);

        if (decision) {
            // A later decision's signal step starts at the decision before it: the autoscaler was already
            // acting, and this is how long its next step took (HPA sync, scale-up policy, stabilisation).
            const previous = [...rescales].reverse().find(r => r.atS < decision.atS)?.atS;
            const from = previous !== undefined && (signalFrom === undefined || previous > signalFrom.atS)
                ? previous : signalFrom && signalFrom.atS <= decision.atS ? signalFrom.atS : decision.atS;
            push("signal", from, decision.atS, from === previous ? "the previous scale-up decision to this one" : signalFrom?.how ?? "the decision");
            push("pod creation", Math.min(decision.atS, createdS), createdS, "the decision to the pod's creationTimestamp");
        }
        push("scheduling", createdS, scheduledS, "creationTimestamp to condition PodScheduled");
        if (scheduledS !== undefined) {
            push("pod start", scheduledS, download ? downloadStartS : serverStartS, download ? "PodScheduled to the storage initializer's startedAt" : "PodScheduled to Triton's startedAt");
        }
        if (download && downloadStartS !== undefined) {
            push("model download", downloadStartS, downloadEndS, "the storage initializer's startedAt to finishedAt");
        }
        if (downloadEndS !== undefined || (!download && serverStartS !== undefined)) {
            if (download) {
                push("Triton start", downloadEndS, serverStartS, "the storage initializer's finishedAt to Triton's startedAt");
            }
            if (serverStartS !== undefined) {
                push("model load + readiness", serverStartS, readyS, "Triton's startedAt to condition Ready");
            }
        }
        if (readyS !== undefined && served) {
            push("first request", readyS, Math.max(readyS, at(served.servedAt)!), "Ready to the first scrape of the executor's counter that showed a request");
        }
        const pulls = pullsOf(pod, input.cluster.events, at, endAt);
        const outcome: Outcome = readyS !== undefined
            ? { kind: "ready", atS: readyS }
            : pod.goneS !== undefined || pod.deletedAt
                ? { kind: "removed", atS: pod.goneS ?? at(pod.deletedAt)!, note: `removed before it was ready (${stuckAt(pod)})` }
                : { kind: "not ready", note: `not ready when the watch ended (${stuckAt(pod)})` };
        return {
            pod: pod.name,
            ...(pod.node ? { node: pod.node } : {}),
            createdS,
            ...(decision ? { decision } : {}),
            steps,
            pulls,
            outcome,
            seconds: secondsByCause(steps, pulls),
        };
    });
    return { clock, ...(signalFrom ? { signalFrom } : {}), replicas, ...(replicas.length ? { slowest: slowestStep(replicas) } : {}), notes };
}

/**
 * Where the signal step starts. With KEDA's request-rate signal the generator sees the load cross the
 * target itself: the first second whose rate per ready replica exceeds the threshold. For CPU or the
 * queue it cannot: the first watch sample in which the HPA showed its metric above target.
 */
function signalStart(input: AnatomyInput, samples: readonly ScalingSample[]): { atS: number; how: string } | undefined {
    if (input.requestRateThreshold !== undefined && input.rates) {
        const readyAt = (t: number) => [...samples].reverse().find(s => s.t <= t)?.readyReplicas ?? samples[0]?.readyReplicas ?? 1;
        const crossed = input.rates.find(r => r.requests / Math.max(1, readyAt(r.t)) > input.requestRateThreshold!);
        if (crossed) {
            return { atS: round1(crossed.t - 1), how: `the load crossed the target: the generator's requests per second ÷ ready replicas above ${input.requestRateThreshold}` };
        }
    }
    const above = samples.find(s => s.hpa?.metric !== undefined && s.hpa.target !== undefined && s.hpa.metric > s.hpa.target);
    return above ? { atS: above.t, how: "the first watch sample in which the HPA showed its metric above target (the generator cannot see this signal itself)" } : undefined;
}

/**
 * The decision that created the replica: the last scale-up event at or before its creation (whole
 * seconds: a second's grace) whose new size covers it, else the first watch sample whose desired
 * replicas covered it.
 */
function decisionFor(createdS: number, size: number, rescales: Array<{ atS: number; newSize: number; reason: string }>,
    samples: readonly ScalingSample[]): Decision | undefined {
    const event = [...rescales].reverse().find(r => r.atS <= createdS + 1);
    const statusAt = (t: number) => samples.find(s => s.t >= t - 0.5 && s.hpa?.metric !== undefined)?.hpa;
    if (event) {
        const hpa = statusAt(event.atS);
        return { atS: Math.min(event.atS, createdS), newSize: event.newSize, reason: event.reason,
            ...(hpa ? { metric: hpa.metric, target: hpa.target, unit: hpa.unit } : {}), source: "the HPA's SuccessfulRescale event; its metric from the HPA's status in the next watch sample" };
    }
    const sample = samples.find(s => s.hpa && s.hpa.desiredReplicas >= size && s.t <= createdS + 1);
    if (!sample?.hpa) {
        return undefined;
    }
    return { atS: Math.min(sample.t, createdS), newSize: sample.hpa.desiredReplicas, metric: sample.hpa.metric, target: sample.hpa.target, unit: sample.hpa.unit,
        source: "the first watch sample whose HPA desired replicas covered the pod (no rescale event): as late as one sample interval" };
}

function pullsOf(pod: PodRecord, events: EventRecord[], at: (t: string | undefined) => number | undefined, endS: number): Pull[] {
    const mine = events.filter(e => e.kind === "Pod" && (e.uid ? e.uid === pod.uid : e.name === pod.name));
    const containers: ContainerRecord[] = [...pod.initContainers, ...pod.containers];
    return containers.flatMap((c): Pull[] => {
        const about = mine.filter(e => containerOf(e) === c.name);
        const pulled = about.filter(e => e.reason === "Pulled").map(e => ({ e, parsed: parsePulled(e.message) })).find(x => x.parsed);
        const pulling = about.filter(e => e.reason === "Pulling");
        // kubelet's Failed events of a pull carry "Failed to pull image"; its BackOff "Back-off pulling image".
        const failed = about.filter(e => e.reason === "Failed" && e.message.startsWith("Failed to pull image"));
        if (!pulled && pulling.length === 0) {
            return [];
        }
        const failures = failed.reduce((n, e) => n + e.count, 0);
        const lastFailure = failed.sort((a, b) => Date.parse(a.last) - Date.parse(b.last)).pop()?.message;
        if (pulled?.parsed?.present) {
            const t = at(pulled.e.last)!;
            return [{ container: c.name, image: c.image, fromS: t, toS: t, present: true, failures, ...(lastFailure ? { lastFailure } : {}) }];
        }
        const fromS = pulling.length ? Math.min(...pulling.map(e => at(e.first)!)) : at(pulled!.e.last)!;
        const toS = pulled ? at(pulled.e.last)! : endS;
        const figures = pulled?.parsed && !pulled.parsed.present ? pulled.parsed : {};
        return [{ container: c.name, image: c.image, fromS, toS: Math.max(fromS, toS), present: false, ...figures, failures,
            ...(lastFailure ? { lastFailure } : {}), ...(pulled ? {} : { open: true }) }];
    });
}

/** Where a pod that never became ready was stuck: the first container waiting, or the condition it lacked. */
function stuckAt(pod: PodRecord): string {
    const waiting = [...pod.initContainers, ...pod.containers].find(c => c.waiting && c.waiting !== "PodInitializing");
    if (waiting) {
        return `${waiting.name}: ${waiting.waiting}${waiting.restarts ? `, ${waiting.restarts} restarts` : ""}`;
    }
    const missing = (["PodScheduled", "Initialized", "ContainersReady", "Ready"] as const).find(t => pod.conditions[t]?.status !== "True");
    return missing ? `${missing} not yet True` : "no container waiting";
}

function secondsByCause(steps: Step[], pulls: Pull[]): Partial<Record<Cause, number>> {
    const pulling = union(pulls.map(p => [p.fromS, p.toS] as [number, number]));
    const seconds: Partial<Record<Cause, number>> = {};
    for (const s of steps) {
        const own = s.toS - s.fromS - overlap([s.fromS, s.toS], pulling);
        seconds[s.name] = round1((seconds[s.name] ?? 0) + Math.max(0, own));
    }
    // Only the pulling inside the replica's steps counts (a pull cannot precede its pod's scheduling).
    const span: [number, number] | undefined = steps.length ? [steps[0].fromS, steps[steps.length - 1].toS] : undefined;
    const pulled = span ? overlap(span, pulling) : 0;
    if (pulled > 0) {
        seconds["image pull"] = round1(pulled);
    }
    return seconds;
}

/** The cause with the largest share of most replicas' scale-up, in words. */
function slowestStep(replicas: ReplicaAnatomy[]): NonNullable<Anatomy["slowest"]> {
    const top = replicas.map(r => {
        const entries = Object.entries(r.seconds) as Array<[Cause, number]>;
        const total = entries.reduce((a, [, s]) => a + s, 0);
        const [cause, s] = entries.sort((a, b) => b[1] - a[1])[0] ?? ["signal", 0];
        return { cause, share: total > 0 ? s / total : 0 };
    });
    const counts = new Map<Cause, number>();
    top.forEach(t => counts.set(t.cause, (counts.get(t.cause) ?? 0) + 1));
    const [cause, n] = [...counts.entries()].sort((a, b) => b[1] - a[1] || CAUSES.indexOf(a[0]) - CAUSES.indexOf(b[0]))[0];
    const shares = top.filter(t => t.cause === cause).map(t => t.share);
    const share = Math.round((shares.reduce((a, b) => a + b, 0) / shares.length) * 100);
    const doing: Record<Cause, string> = {
        "signal": "waiting for the signal to reach the autoscaler", "pod creation": "waiting for the pod to be created",
        "scheduling": "waiting to be scheduled", "pod start": "starting the pod (sandbox, network, proxy)",
        "model download": "downloading the model", "Triton start": "starting Triton", "model load + readiness": "loading the model and passing the readiness probe",
        "first request": "waiting for the first request after Ready", "image pull": "pulling images",
    };
    const who = replicas.length === 1 ? "The new replica" : `${n} of ${replicas.length} new replicas`;
    return { cause, replicas: n, of: replicas.length, share,
        text: `${who} spent ${share}% of ${replicas.length === 1 ? "its" : "their"} scale-up ${doing[cause]}: see ${ANATOMY_DOC}#${anchor(cause)}` };
}


/** The docs page's heading anchor of a cause. */
export function anchor(cause: Cause): string {
    return cause.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** The anatomy as the summary prints it: one block per replica, then the slowest step. */
export function describeAnatomy(a: Anatomy): string[] {
    if (a.replicas.length === 0) {
        return [];
    }
    const lines = ["scale-up anatomy (seconds on the load's time axis; cluster clock " +
        `${a.clock.offsetMs >= 0 ? "+" : ""}${round1(a.clock.offsetMs / 1000)} s ± ${round1(a.clock.uncertaintyMs / 1000)} s from this machine's):`];
    for (const r of a.replicas) {
        const d = r.decision;
        lines.push(`  ${r.pod}${r.node ? ` on ${r.node}` : ""}: ` + (r.outcome.kind === "ready" ? `ready at ${r.outcome.atS} s` : r.outcome.note));
        if (d) {
            lines.push(`    decision at ${d.atS} s${d.newSize !== undefined ? `: new size ${d.newSize}` : ""}` +
                (d.metric !== undefined ? `, metric ${d.metric}${d.target !== undefined ? ` vs target ${d.target}` : ""}` : "") + (d.reason ? ` (${d.reason})` : ""));
        }
        const steps = r.steps.map(s => `${s.name} ${round1(s.toS - s.fromS)} s${s.open ? "+" : ""}`);
        lines.push(`    ${steps.join(" · ") || "no step seen"}`);
        for (const p of r.pulls) {
            lines.push(`    image ${p.container}: ${p.present ? "already present" : p.open ? `pulling since ${p.fromS} s` :
                `pulled in ${round1(p.toS - p.fromS)} s${p.pulledInS !== undefined ? ` (kubelet: ${p.pulledInS} s, ${p.includingWaitingS ?? p.pulledInS} s including waiting)` : ""}`}` +
                (p.failures ? `; ${p.failures} failed pull${p.failures > 1 ? "s" : ""} (${(p.lastFailure ?? "").slice(0, 160)})` : ""));
        }
    }
    if (a.slowest) {
        lines.push(`  ${a.slowest.text}`);
    }
    lines.push(...a.notes.map(n => `  note: ${n}`));
    return lines;
}
