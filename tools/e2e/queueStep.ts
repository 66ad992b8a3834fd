// The arithmetic behind the e2e workflow's queue step (.github/workflows/e2e-kind.yml, "keda on
// Triton's queue"): the step must make requests wait in Triton's queue, not in Seldon's executor or the
// gateway, or the signal never crosses its target and the step proves nothing. A closed loop of
// users (the load test) puts nearly everyone who is not thinking at the slowest stage, so Triton must
// be that stage, by a margin that survives the uncertainty in the throughputs. Pure; tested with the
// workflow's own settings (verdict.test.ts).

/** What the step sets, and what it assumes. */
export interface QueueStepInputs {
    /** The load test's users (--users). */
    users: number;
    /** Their pause between requests, ms (--min-wait, --max-wait: the generator's defaults 10 and 100). */
    minWaitMs: number;
    maxWaitMs: number;
    /** Triton's CPU limit for the step, in cores (modelCpuLimit). */
    tritonCpuCores: number;
    /**
     * Triton's requests per CPU-second for this model, low and high: the network alone does 5,200
     * images per CPU-second at batch 1 and 8,600 at batch 4 (FACTS §11, PyTorch 1.13, one thread);
     * Triton's HTTP and JSON handling of a 3,072-number tensor and the batcher take their share, so
     * 2,000 to 5,000 (the range docs/autoscaling.md's queue-target note uses).
     */
    tritonPerCore: [number, number];
    /**
     * The executor's requests per second at its CPU limit on kind (500m, components/platform/seldonCore.ts):
     * a Go reverse proxy for the V2 protocol, assumed at least 2,000 per core, so at least 1,000.
     */
    executorAtLimit: number;
    /** Triton's requests in service at once: 2 instances × batches of up to 8 (config.pbtxt). */
    inService: number;
    /** kedaQueueTarget for the step: waiting requests per replica. */
    queueTarget: number;
    maxReplicas: number;
}

export interface QueueStepOutcome {
    /** Requests per second the users would send with no waiting at all (users ÷ mean pause). */
    offeredPerSecond: number;
    /** One replica's Triton throughput, low and high. */
    tritonPerSecond: [number, number];
    /** Requests waiting in Triton's queue with one replica (Little's law on the closed loop), low and high. */
    waitingOneReplica: [number, number];
    /** The replicas the queue signal asks for (ceil(waiting / target)), before maxReplicas caps it. */
    desiredReplicas: [number, number];
    /** Every reason the step would not prove what it claims; empty when it does. */
    problems: string[];
}

/** Works the step out: where requests wait, how many, and what the autoscaler will ask for. */
export function queueStepOutcome(i: QueueStepInputs): QueueStepOutcome {
    const thinkS = (i.minWaitMs + i.maxWaitMs) / 2 / 1000;
    const offered = i.users / thinkS;
    const triton = i.tritonPerCore.map(c => c * i.tritonCpuCores) as [number, number];
    // Closed loop at the bottleneck's throughput X: X × think users are thinking, the rest are in the
    // system, all but those in service waiting in Triton's queue. The slower Triton, the more wait.
    const waiting = ([triton[1], triton[0]] as const).map(x => Math.max(0, i.users - Math.min(x, offered) * thinkS - i.inService)) as [number, number];
    const desired = waiting.map(w => Math.ceil(w / i.queueTarget)) as [number, number];
    const problems: string[] = [];
    if (triton[1] >= i.executorAtLimit) {
        problems.push(`Triton at ${i.tritonCpuCores} cores may serve up to ${triton[1]} requests/s, not below the executor's ${i.executorAtLimit}: ` +
            "requests could wait in the executor instead of Triton's queue");
    }
    if (triton[1] >= offered) {
        problems.push(`the users offer ${offered.toFixed(0)} requests/s, which Triton may serve without a queue (${triton[1]})`);
    }
    if (desired[0] < 2 || i.maxReplicas < 2) {
        problems.push(`the queue asks for ${desired[0]} replica(s) at the low end (maxReplicas ${i.maxReplicas}): no scale-up to observe`);
    }
    return { offeredPerSecond: offered, tritonPerSecond: triton, waitingOneReplica: waiting, desiredReplicas: desired, problems };
}

/** The step as the workflow runs it on a 4-CPU runner; verdict.test.ts checks the workflow says the same. */
export const E2E_QUEUE_STEP: QueueStepInputs = {
    users: 100,
    minWaitMs: 10,
    maxWaitMs: 100,
    tritonCpuCores: 0.1,
    tritonPerCore: [2000, 5000],
    executorAtLimit: 1000,
    inService: 16,
    queueTarget: 4,
    maxReplicas: 2,
};
