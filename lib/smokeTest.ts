// Sends a real V2 inference request to the deployed model until it answers with 10 probabilities,
// retrying while the model starts (image pull, model download, Triton load), up to a deadline.
import { probabilitiesOf, sampleRequest } from "./v2Protocol";

export interface SmokeTestOptions {
    url: string;
    timeoutMs: number;
    /** Pause between attempts. */
    intervalMs?: number;
    /** Timeout of one request. */
    requestTimeoutMs?: number;
    log?: (line: string) => void;
}

export class SmokeTestError extends Error {}

/** Resolves with the probabilities; rejects with a SmokeTestError that says what went wrong. */
export async function smokeTest(opts: SmokeTestOptions): Promise<number[]> {
    const interval = opts.intervalMs ?? 5000;
    const log = opts.log ?? (() => undefined);
    const deadline = Date.now() + opts.timeoutMs;
    const body = JSON.stringify(sampleRequest());
    let attempts = 0;
    let lastProblem = "no attempt made";
    for (;;) {
        attempts++;
        try {
            const res = await fetch(opts.url, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body,
                signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10000),
            });
            const text = await res.text();
            if (res.ok) {
                let reply: unknown;
                try {
                    reply = JSON.parse(text);
                } catch {
                    throw new SmokeTestError(`the model answered ${opts.url} with HTTP ${res.status} but not JSON: ${text.slice(0, 200)}`);
                }
                const result = probabilitiesOf(reply);
                if (!result.ok) {
                    // The model is up but answers wrongly: retrying will not help.
                    throw new SmokeTestError(`the model answered ${opts.url} but ${result.problem}: ${text.slice(0, 300)}`);
                }
                log(`smoke test passed after ${attempts} attempt(s): ${result.probabilities.length} probabilities`);
                return result.probabilities;
            }
            // 404 (route not there yet), 503 (no ready pod) and the like: the model is still starting.
            lastProblem = `HTTP ${res.status}: ${text.slice(0, 200).trim()}`;
        } catch (e) {
            if (e instanceof SmokeTestError) {
                throw e;
            }
            lastProblem = (e as Error).name === "TimeoutError" ? "request timed out" : `${(e as Error).message}${causeOf(e)}`;
        }
        if (Date.now() + interval > deadline) {
            throw new SmokeTestError(`the model did not answer ${opts.url} with 10 probabilities within ` +
                `${Math.round(opts.timeoutMs / 1000)} s (${attempts} attempts); last problem: ${lastProblem}`);
        }
        log(`waiting for the model (attempt ${attempts}: ${lastProblem})`);
        await new Promise(resolve => setTimeout(resolve, interval));
    }
}

function causeOf(e: unknown): string {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return cause ? ` (${cause.code ?? cause.message})` : "";
}
