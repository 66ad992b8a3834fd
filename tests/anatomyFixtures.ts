// Pods and events of a scale-up in the JSON shapes a Kubernetes 1.33 API server returns (kindest/node
// v1.33.1, the pinned kind's node image), at times written as seconds on the cluster's clock from BASE:
// - a Pod (k8s.io/api v0.33.1 core/v1/types.go): metadata.creationTimestamp and deletionTimestamp;
//   status.conditions[].lastTransitionTime (3429) for PodScheduled (3355), PodReadyToStartContainers
//   (3361), Initialized (3350), ContainersReady (3348), Ready (3353); container states running.startedAt
//   (3109), terminated.startedAt/finishedAt/exitCode/reason (3127-3130), waiting.reason;
// - kubelet's and the HPA controller's events through client-go tools/record (v0.33.1 event.go:454-501):
//   source.component, firstTimestamp = lastTimestamp, count 1, eventTime null; repeats aggregated by
//   events_cache.go:342-343 (first kept, last and count moved);
// - the scheduler's through tools/events (event_recorder.go:91-110), read back as core/v1: eventTime
//   (microseconds), reportingComponent default-scheduler, action Binding, no first/last timestamp.
// Every timestamp the API server writes is whole seconds (RFC 3339), except eventTime (microseconds).

export const BASE_MS = Date.parse("2026-12-05T10:00:00Z");
export const NAMESPACE = "seldon";
export const DEPLOYMENT = "cifar10-default-0-cifar10-pytorch";
export const HPA = DEPLOYMENT;
export const SELECTOR = { "seldon-app": "cifar10-default", "seldon-deployment-id": "cifar10" };

/** A time `s` seconds after BASE on the cluster's clock, as the API server writes it (whole seconds). */
export const at = (s: number, offsetS = 0) => new Date(BASE_MS + Math.floor((s + offsetS)) * 1000).toISOString().replace(".000Z", "Z");
const micro = (s: number, offsetS = 0) => new Date(BASE_MS + (s + offsetS) * 1000).toISOString().replace("Z", "000Z");

const TRITON = "nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3";
const RCLONE = "seldonio/rclone-storage-initializer:1.17.1";
const EXECUTOR = "seldonio/seldon-core-executor:1.17.1";
const PROXY = "docker.io/istio/proxyv2:1.30.3";

export interface PodTimes {
    name: string;
    uid: string;
    created: number;
    scheduled?: number;
    readyToStart?: number;
    download?: { start: number; end?: number; exitCode?: number };
    triton?: number;
    ready?: number;
    deleted?: number;
    /** A container waiting, e.g. Triton in ImagePullBackOff. */
    waiting?: { container: string; reason: string };
    node?: string;
}

/** A model pod of the Deployment as the API server returns it, `offsetS` being the cluster clock's lead. */
export function pod(p: PodTimes, offsetS = 0): unknown {
    const t = (s: number | undefined) => (s === undefined ? undefined : at(s, offsetS));
    const cond = (type: string, s: number | undefined) => ({ type, status: s === undefined ? "False" : "True", lastProbeTime: null, lastTransitionTime: t(s) ?? t(p.created) });
    const initialized = p.download?.end !== undefined && p.download.exitCode === 0 ? p.download.end : undefined;
    const downloadState = p.download === undefined ? { waiting: { reason: "PodInitializing" } }
        : p.download.end === undefined ? { running: { startedAt: t(p.download.start) } }
            : { terminated: { exitCode: p.download.exitCode ?? 0, reason: (p.download.exitCode ?? 0) === 0 ? "Completed" : "Error", startedAt: t(p.download.start), finishedAt: t(p.download.end), containerID: "containerd://a" } };
    const tritonState = p.waiting?.container === "cifar10-pytorch" ? { waiting: { reason: p.waiting.reason, message: "Back-off pulling image" } }
        : p.triton === undefined ? { waiting: { reason: "PodInitializing" } } : { running: { startedAt: t(p.triton) } };
    return {
        kind: "Pod",
        apiVersion: "v1",
        metadata: {
            name: p.name, namespace: NAMESPACE, uid: p.uid, resourceVersion: "1",
            creationTimestamp: t(p.created), ...(p.deleted !== undefined ? { deletionTimestamp: t(p.deleted), deletionGracePeriodSeconds: 30 } : {}),
            labels: { ...SELECTOR, "app.kubernetes.io/managed-by": "seldon-core", "pod-template-hash": "7d9f5c" },
            ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${DEPLOYMENT}-7d9f5c`, uid: "rs-uid", controller: true, blockOwnerDeletion: true }],
        },
        spec: {
            nodeName: p.scheduled !== undefined ? (p.node ?? "kind-worker") : undefined,
            initContainers: [
                { name: "istio-proxy", image: PROXY, restartPolicy: "Always" },
                { name: "cifar10-pytorch-model-initializer", image: RCLONE },
            ],
            containers: [{ name: "cifar10-pytorch", image: TRITON }, { name: "seldon-container-engine", image: EXECUTOR }],
        },
        status: {
            phase: p.ready !== undefined ? "Running" : "Pending",
            conditions: p.scheduled === undefined ? [cond("PodScheduled", undefined)] : [
                cond("PodReadyToStartContainers", p.readyToStart),
                cond("Initialized", initialized),
                cond("Ready", p.ready),
                cond("ContainersReady", p.ready),
                cond("PodScheduled", p.scheduled),
            ],
            ...(p.scheduled !== undefined ? { startTime: t(p.scheduled), hostIP: "172.18.0.3", podIP: "10.244.1.7" } : {}),
            initContainerStatuses: p.scheduled === undefined ? undefined : [
                { name: "istio-proxy", image: PROXY, imageID: "", ready: true, restartCount: 0, started: true, state: { running: { startedAt: t(p.readyToStart) } } },
                { name: "cifar10-pytorch-model-initializer", image: RCLONE, imageID: "", ready: false, restartCount: 0, state: downloadState },
            ],
            containerStatuses: p.scheduled === undefined ? undefined : [
                { name: "cifar10-pytorch", image: TRITON, imageID: "", ready: p.ready !== undefined, restartCount: 0, started: p.triton !== undefined, state: tritonState },
                { name: "seldon-container-engine", image: EXECUTOR, imageID: "", ready: p.ready !== undefined, restartCount: 0, started: p.triton !== undefined,
                    state: p.triton === undefined ? { waiting: { reason: "PodInitializing" } } : { running: { startedAt: t(p.triton) } } },
            ],
        },
    };
}

let eventSeq = 0;

/** An event of kubelet about one container of a pod (client-go tools/record). */
export function kubeletEvent(podName: string, podUid: string, container: string, reason: string, message: string, first: number,
    opts: { last?: number; count?: number; type?: string; init?: boolean; offsetS?: number } = {}): unknown {
    const offsetS = opts.offsetS ?? 0;
    return {
        kind: "Event", apiVersion: "v1",
        metadata: { name: `${podName}.18${(eventSeq++).toString(16).padStart(14, "0")}`, namespace: NAMESPACE, uid: `ev-${eventSeq}`, creationTimestamp: at(first, offsetS) },
        involvedObject: { kind: "Pod", namespace: NAMESPACE, name: podName, uid: podUid, apiVersion: "v1", resourceVersion: "5",
            fieldPath: `spec.${opts.init ? "initContainers" : "containers"}{${container}}` },
        reason, message,
        source: { component: "kubelet", host: "kind-worker" },
        firstTimestamp: at(first, offsetS), lastTimestamp: at(opts.last ?? first, offsetS), count: opts.count ?? 1,
        type: opts.type ?? "Normal", eventTime: null, reportingComponent: "kubelet", reportingInstance: "kind-worker",
    };
}

/** The scheduler's Scheduled event (tools/events, events.k8s.io/v1 read as core/v1). */
export function scheduledEvent(podName: string, podUid: string, s: number, offsetS = 0): unknown {
    return {
        kind: "Event", apiVersion: "v1",
        metadata: { name: `${podName}.18${(eventSeq++).toString(16).padStart(14, "0")}`, namespace: NAMESPACE, uid: `ev-${eventSeq}`, creationTimestamp: at(s, offsetS) },
        involvedObject: { kind: "Pod", namespace: NAMESPACE, name: podName, uid: podUid, apiVersion: "v1", resourceVersion: "3" },
        reason: "Scheduled", message: `Successfully assigned ${NAMESPACE}/${podName} to kind-worker`,
        source: {}, firstTimestamp: null, lastTimestamp: null, type: "Normal",
        eventTime: micro(s + 0.123456, offsetS), action: "Binding", reportingComponent: "default-scheduler", reportingInstance: "default-scheduler-kind-control-plane",
    };
}

/** The HPA controller's SuccessfulRescale (pkg/controller/podautoscaler/horizontal.go: "New size: %d; reason: %s"). */
export function rescaleEvent(newSize: number, reason: string, first: number, opts: { last?: number; count?: number; offsetS?: number } = {}): unknown {
    const offsetS = opts.offsetS ?? 0;
    return {
        kind: "Event", apiVersion: "v1",
        metadata: { name: `${HPA}.18${(eventSeq++).toString(16).padStart(14, "0")}`, namespace: NAMESPACE, uid: `ev-${eventSeq}`, creationTimestamp: at(first, offsetS) },
        involvedObject: { kind: "HorizontalPodAutoscaler", namespace: NAMESPACE, name: HPA, uid: "hpa-uid", apiVersion: "autoscaling/v2", resourceVersion: "9" },
        reason: "SuccessfulRescale", message: `New size: ${newSize}; reason: ${reason}`,
        source: { component: "horizontal-pod-autoscaler" },
        firstTimestamp: at(first, offsetS), lastTimestamp: at(opts.last ?? first, offsetS), count: opts.count ?? 1,
        type: "Normal", eventTime: null, reportingComponent: "horizontal-pod-autoscaler", reportingInstance: "",
    };
}

/** kubelet's image events of one container: already present, or pulled in `pullS` seconds (1.30+ message). */
export function imageEvents(podName: string, podUid: string, container: string, image: string, from: number,
    pull: { present: true } | { to: number; pulledIn: string; includingWaiting: string }, init = false, offsetS = 0): unknown[] {
    if ("present" in pull) {
        return [kubeletEvent(podName, podUid, container, "Pulled", `Container image "${image}" already present on machine`, from, { init, offsetS })];
    }
    return [
        kubeletEvent(podName, podUid, container, "Pulling", `Pulling image "${image}"`, from, { init, offsetS }),
        kubeletEvent(podName, podUid, container, "Pulled", `Successfully pulled image "${image}" in ${pull.pulledIn} (${pull.includingWaiting} including waiting). Image size: 6271741302 bytes.`, pull.to, { init, offsetS }),
    ];
}

export const IMAGES = { TRITON, RCLONE, EXECUTOR, PROXY };
