// Sends a real V2 inference request to the deployed model until it answers with 10 probabilities,
// retrying while the model starts (image pull, model download, Triton load), up to a deadline.
import type { KubeConfig } from "@kubernetes/client-node";
import { httpRequest } from "../lib/httpRequest";
import { describeFailure, pollUntil } from "./poll";
import { checkAnswer, MAX_REPLY_BYTES, sampleRequestBody } from "../lib/v2Protocol";
import { httpUrl, positiveSeconds } from "./env";
import { PortForward, portForward } from "./portForward";

export interface SmokeTestOptions {
    url: string;
    timeoutMs: number;
    /** Pause between attempts. */
    intervalMs?: number;
    /** Deadline of one request. */
    requestTimeoutMs?: number;
    log?: (line: string) => void;
}

/** Resolves with the probabilities; rejects with a PollError that says what went wrong. */
export function smokeTest(opts: SmokeTestOptions): Promise<number[]> {
    const body = sampleRequestBody();
    const target = new URL(opts.url);
    return pollUntil<number[]>(async budgetMs => {
        let status: number;
        let text: string;
        try {
            ({ status, body: text } = await httpRequest(target, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body,
                timeoutMs: Math.min(opts.requestTimeoutMs ?? 10000, budgetMs),
                maxBytes: MAX_REPLY_BYTES,
            }));
        } catch (e) {
            return { done: false, waiting: describeFailure(e) };
        }
        if (status < 200 || status >= 300) {
            // 404 (route not there yet), 503 (no ready pod), 500 (model still loading): still starting.
            return { done: false, waiting: `HTTP ${status}: ${text.slice(0, 200).trim()}` };
        }
        // The model is up; a wrong answer will not get better by retrying.
        const result = checkAnswer(text);
        return result.ok
            ? { done: true, value: result.probabilities }
            : { done: false, fatal: `answered HTTP ${status}, but ${result.problem}: ${text.slice(0, 300)}` };
    }, { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, log: opts.log, what: `the model at ${opts.url}` });
}

export interface SmokeTestCommandOptions {
    log: (line: string) => void;
    /** Pause between attempts (default 5 s). */
    intervalMs?: number;
    /** How often the pods' status is printed while waiting (default 15 s). */
    statusIntervalMs?: number;
    /** The kubeconfig for the pod-status lines (default: the user's, at KUBE_CONTEXT). */
    kubeConfig?: (context: string | undefined) => KubeConfig;
    /** The kubectl for SMOKE_PORT_FORWARD (default: `kubectl` on the PATH). */
    kubectl?: string;
}

/**
 * probes/smoke-test.ts without the process around it: reads its settings from `env` (see that file),
 * resolves once the model answered, rejects saying why not. The Kubernetes client (a second of start-up) is
 * only loaded when the settings ask for pod status.
 */
export async function smokeTestCommand(env: NodeJS.ProcessEnv, opts: SmokeTestCommandOptions): Promise<number[]> {
    let url = httpUrl("SMOKE_URL", env);
    const timeout = positiveSeconds("SMOKE_TIMEOUT_SECONDS", "600", env);
    const context = env.KUBE_CONTEXT || undefined;
    let forward: PortForward | undefined;
    const via = env.SMOKE_PORT_FORWARD;
    if (via) {
        const m = /^([a-z0-9-]+)\/([a-z0-9-]+):([0-9]+)$/.exec(via);
        if (!m) {
            throw new Error(`SMOKE_PORT_FORWARD = ${JSON.stringify(via)} is not <namespace>/<service>:<port>`);
        }
        forward = await portForward({ context, namespace: m[1], service: m[2], port: Number(m[3]) }, 60_000, opts.kubectl);
        const target = new URL(url);
        opts.log(`smoke test: ${target.origin} is internal; through kubectl port-forward of ${via} at ${forward.baseUrl}`);
        url = `${forward.baseUrl}${target.pathname}`;
    }
    opts.log(`smoke test: POST ${url} (waiting up to ${timeout} s for the model)`);
    const namespace = env.SMOKE_NAMESPACE;
    const deployment = env.SMOKE_DEPLOYMENT;
    let reporter: { stop(): void } | undefined;
    if (namespace && deployment) {
        // Loaded here, not at the top: `require` keeps it synchronous and typed, and works under tsx's
        // CommonJS hook as under Node (a dynamic import() of a .ts file needs tsx's ESM loader).
        const { reportPodStatus } = require("./podStatus") as typeof import("./podStatus");
        try {
            const kubeConfig = opts.kubeConfig ?? (require("../lib/kubernetesApi") as typeof import("../lib/kubernetesApi")).kubeConfigFor;
            reporter = reportPodStatus(kubeConfig(context), { namespace, deployment }, opts.statusIntervalMs ?? 15_000, opts.log);
        } catch (e) {
            opts.log(`(no pod status while waiting: ${(e as Error).message})`);
        }
    }
    try {
        return await smokeTest({ url, timeoutMs: timeout * 1000, intervalMs: opts.intervalMs, log: opts.log });
    } finally {
        reporter?.stop();
        forward?.stop();
    }
}
