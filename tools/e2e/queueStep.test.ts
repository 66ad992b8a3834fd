import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseArgs } from "../../loadtest/args";
import { baseConfig, ROOT, runProgram } from "../../tests/harness";
import { E2E_QUEUE_STEP, queueStepOutcome } from "./queueStep";

describe("the e2e queue step's arithmetic (tools/e2e/queueStep.ts)", () => {
    it("with the workflow's settings, requests wait in Triton's queue and ask for a second replica", () => {
        const o = queueStepOutcome(E2E_QUEUE_STEP);
        assert.deepStrictEqual(o.problems, []);
        assert.strictEqual(Math.round(o.offeredPerSecond), 1818);
        assert.deepStrictEqual(o.tritonPerSecond, [200, 500]);
        assert.deepStrictEqual(o.waitingOneReplica, [56.5, 73]);
        assert.deepStrictEqual(o.desiredReplicas, [15, 19]);
    });

    it("the settings before this step (executor-bound) are caught: Triton unlimited is no slower than the executor", () => {
        // With Triton at its 0.5-CPU request and no limit it may serve 2,500 requests/s: the executor queues first.
        const o = queueStepOutcome({ ...E2E_QUEUE_STEP, tritonCpuCores: 0.5 });
        assert.match(o.problems.join("\n"), /not below the executor's 1000/);
        // A Triton fast enough to serve the whole offered load never queues.
        assert.match(queueStepOutcome({ ...E2E_QUEUE_STEP, tritonCpuCores: 0.4, executorAtLimit: 10_000 }).problems.join("\n"), /without a queue/);
        // A target so high that the queue never asks for two replicas.
        assert.match(queueStepOutcome({ ...E2E_QUEUE_STEP, queueTarget: 100 }).problems.join("\n"), /asks for 1 replica/);
    });

    it("the workflow's queue step sets exactly what the arithmetic assumes, and its load test uses the same users and pauses", () => {
        const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/e2e-kind.yml"), "utf8"));
        const steps: Array<{ name?: string; run?: string }> = workflow.jobs.e2e.steps;
        const swap = steps.find(s => s.name?.startsWith("Swap the KEDA signal to Triton's queue"))!.run!;
        const set = Object.fromEntries([...swap.matchAll(/config set (\w+) (\S+)/g)].map(m => [m[1], m[2]]));
        assert.deepStrictEqual(set, { kedaSignal: "queue", kedaQueueTarget: String(E2E_QUEUE_STEP.queueTarget),
            modelCpuRequest: `${E2E_QUEUE_STEP.tritonCpuCores * 1000}m`, modelCpuLimit: `${E2E_QUEUE_STEP.tritonCpuCores * 1000}m` });
        const sizing = steps.find(s => s.name === "Size the dev stack for the runner")!.run!;
        assert.match(sizing, new RegExp(`config set maxReplicas ${E2E_QUEUE_STEP.maxReplicas}\\b`));
        const load = steps.find(s => s.name === "Load test, autoscaler keda on Triton's queue")!.run!;
        const command = load.replace(/\\\n\s*/g, " ").split("\n")[0];
        const o = parseArgs(command.slice(command.indexOf("npm run loadtest --") + "npm run loadtest --".length).trim().split(/\s+/));
        assert.deepStrictEqual([o.users, o.minWaitMs, o.maxWaitMs], [E2E_QUEUE_STEP.users, E2E_QUEUE_STEP.minWaitMs, E2E_QUEUE_STEP.maxWaitMs]);
    });

    it("the program accepts the step's settings on the dev stack", async () => {
        const run = await runProgram(baseConfig({ modelStore: "in-cluster", autoscaler: "keda", kedaSignal: "queue", kedaQueueTarget: "4",
            modelCpuRequest: "100m", modelCpuLimit: "100m", maxReplicas: "2" }));
        assert.ifError(run.error);
    });
});
