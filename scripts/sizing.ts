// What the dev stack asks of the laptop, written down once: the preflight checks Docker against it,
// the README shows it, and the upstream tier checks it still covers what the charts and the program
// request (tests/upstream/charts.test.ts, "sizing").

export const DEV_STACK_SIZING = {
    /**
     * CPU requested by every pod of the dev stack with maxReplicas (3) model replicas and the load-test
     * Job, in millicores: the add-ons about 0.8, each model replica 0.65 (Triton 0.5, Seldon's executor
     * 0.1, Istio's sidecar 0.05), the Job 0.5.
     */
    cpuRequestMillis: 3300,
    /** Memory requested by the same pods, in MiB (add-ons about 1.3 GiB, each model replica 1.2 GiB, the Job 128 MiB). */
    memoryRequestMiB: 5200,
    /** Disk the images take in the kind node (Triton's -pyt-python-py3 image alone is about 10 GB), in GB. */
    imagesDiskGB: 20,
    /**
     * What Docker (Docker Desktop's VM, or the host) needs: the requests above, kind's own control plane
     * (about 1 CPU and 0.5 GiB requested), and headroom for Triton's real use; with less, the scheduler
     * leaves the third model replica Pending.
     */
    dockerCpus: 6,
    dockerMemoryGiB: 8,
} as const;
