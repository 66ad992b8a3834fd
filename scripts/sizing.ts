// What the dev stack asks of the laptop, written down once: the preflight checks Docker against it,
// docs/kind.md shows it, and the upstream tier checks it still covers what the charts and the program
// request (tests/upstream/charts.test.ts, "sizing").
import { DEFAULTS } from "../config/defaults";
import { devStackSetting } from "./lifecycle/devStack";

/** Requests of the dev stack's parts: CPU in millicores, memory in MiB. */
const PARTS = {
    /** Istio, Seldon's operator, metrics-server, Prometheus with kube-state-metrics, KEDA, SeaweedFS. */
    addons: { cpu: 860, memory: 1504 },
    /** One model replica: Triton 0.5 CPU / 1 GiB, Seldon's executor 0.1 / 128 MiB, Istio's sidecar 0.05 / 64 MiB (about). */
    replica: { cpu: 650, memory: 1200 },
    /** The in-cluster load-test Job (loadTestEnabled). */
    loadTestJob: { cpu: 500, memory: 128 },
    /** Grafana on kind (grafanaOnKind), as components/platform/monitoring.ts requests it. */
    grafana: { cpu: 50, memory: 128 },
    /** kind's own control plane (API server, etcd, controller manager, scheduler, CoreDNS, kindnet). */
    kind: { cpu: 1000, memory: 512 },
};
/** Beyond the requests: Triton uses more than it requests under load, and the node needs room to breathe. */
const HEADROOM = { cpu: 800, memoryMiB: 1536 };

export interface DevStackSizing {
    /** CPU requested by every pod of the dev stack, in millicores. */
    cpuRequestMillis: number;
    /** Memory requested by the same pods, in MiB. */
    memoryRequestMiB: number;
    /** What Docker (Docker Desktop's VM, or the host) needs: the requests, kind's control plane and headroom. */
    dockerCpus: number;
    dockerMemoryGiB: number;
}

/** The sizing for `maxReplicas` model replicas, with or without the load-test Job and Grafana. */
export function devStackSizing(maxReplicas: number, loadTestJob: boolean, grafana = false): DevStackSizing {
    const cpu = PARTS.addons.cpu + maxReplicas * PARTS.replica.cpu + (loadTestJob ? PARTS.loadTestJob.cpu : 0) + (grafana ? PARTS.grafana.cpu : 0);
    const memory = PARTS.addons.memory + maxReplicas * PARTS.replica.memory + (loadTestJob ? PARTS.loadTestJob.memory : 0) + (grafana ? PARTS.grafana.memory : 0);
    return {
        cpuRequestMillis: cpu,
        memoryRequestMiB: memory,
        dockerCpus: Math.ceil((cpu + PARTS.kind.cpu + HEADROOM.cpu) / 1000),
        dockerMemoryGiB: Math.ceil((memory + PARTS.kind.memory + HEADROOM.memoryMiB) / 1024),
    };
}

/**
 * The dev stack with the load-test Job, as docs/kind.md sizes it: the default maxReplicas (3) and the load-test Job; 6 CPUs and
 * 8 GiB for Docker. With less, the scheduler leaves the third model replica Pending.
 */
export const DEV_STACK_SIZING: DevStackSizing = devStackSizing(3, true);

/** The sizing for a stack config file (Pulumi.dev.yaml): its maxReplicas, loadTestEnabled and grafanaOnKind, or the defaults. */
export function sizingForStackConfig(stackConfigYaml: string): DevStackSizing {
    const maxReplicas = Number(devStackSetting(stackConfigYaml, "maxReplicas"));
    const loadTest = devStackSetting(stackConfigYaml, "loadTestEnabled") === "true";
    const grafana = devStackSetting(stackConfigYaml, "grafanaOnKind") === "true";
    return devStackSizing(Number.isInteger(maxReplicas) && maxReplicas > 0 ? maxReplicas : DEFAULTS.maxReplicas, loadTest, grafana);
}
