// What the model's pods are doing, for a person watching a long wait: each pod's phase, its init
// containers (the model download), its containers' readiness, and its last event. Read through the
// Kubernetes API with a deadline per call; a failure to read is reported, never fatal.
import * as k8s from "@kubernetes/client-node";
import { withDeadline } from "../lib/kubernetesApi";

export interface PodTarget {
    namespace: string;
    /** Pods of this Deployment (named `<deployment>-<hash>-<hash>`). */
    deployment: string;
}

function containerState(s: k8s.V1ContainerStatus): string {
    if (s.state?.running) {
        return s.ready ? "ready" : "running";
    }
    if (s.state?.waiting) {
        return `waiting (${s.state.waiting.reason ?? "?"})`;
    }
    if (s.state?.terminated) {
        return `${s.state.terminated.reason ?? "terminated"} (exit ${s.state.terminated.exitCode})`;
    }
    return "pending";
}

/** One line per pod: `pod <name>: <phase>; init <c>: <state>, …; containers <ready>/<all> ready; last event: <reason>: <message>`. */
export function describePods(pods: k8s.V1Pod[], events: k8s.CoreV1Event[]): string[] {
    if (pods.length === 0) {
        const last = latest(events);
        return [`no pod yet${last ? `; last event: ${eventText(last)}` : ""}`];
    }
    return pods.map(pod => {
        const name = pod.metadata?.name ?? "?";
        const init = (pod.status?.initContainerStatuses ?? []).map(s => `${s.name}: ${containerState(s)}`);
        const containers = pod.status?.containerStatuses ?? [];
        const ready = containers.filter(c => c.ready).length;
        const last = latest(events.filter(e => e.involvedObject?.name === name));
        return `pod ${name}: ${pod.status?.phase ?? "Unknown"}` +
            (init.length ? `; init ${init.join(", ")}` : "") +
            `; containers ${ready}/${pod.spec?.containers.length ?? containers.length} ready` +
            (last ? `; last event: ${eventText(last)}` : "");
    });
}

function latest(events: k8s.CoreV1Event[]): k8s.CoreV1Event | undefined {
    const time = (e: k8s.CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
    return [...events].sort((a, b) => time(a) - time(b)).pop();
}

function eventText(e: k8s.CoreV1Event): string {
    return `${e.reason ?? "?"}: ${(e.message ?? "").trim().split("\n")[0].slice(0, 200)}`;
}

/** Reads the target's pods and events once and describes them. */
export async function podStatus(kc: k8s.KubeConfig, target: PodTarget, timeoutMs = 5000): Promise<string[]> {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    try {
        const [pods, events] = await Promise.all([
            withDeadline(o => core.listNamespacedPod({ namespace: target.namespace }, o), timeoutMs),
            withDeadline(o => core.listNamespacedEvent({ namespace: target.namespace }, o), timeoutMs),
        ]);
        // The Deployment's ReplicaSets and pods are all named `<deployment>-…`.
        const ours = (name?: string) => name?.startsWith(`${target.deployment}-`) ?? false;
        return describePods(pods.items.filter(p => ours(p.metadata?.name)), events.items.filter(e => ours(e.involvedObject?.name)));
    } catch (e) {
        return [`(pod status unavailable: ${(e as Error).message.split("\n")[0]})`];
    }
}

/** Prints the pods' status every `intervalMs` until stopped. */
export function reportPodStatus(kc: k8s.KubeConfig, target: PodTarget, intervalMs: number, log: (line: string) => void): { stop(): void } {
    let busy = false;
    const timer = setInterval(() => {
        if (busy) {
            return;
        }
        busy = true;
        podStatus(kc, target).then(lines => lines.forEach(l => log(`  ${l}`))).finally(() => { busy = false; });
    }, intervalMs);
    return { stop: () => clearInterval(timer) };
}
