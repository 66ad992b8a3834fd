// Sends a real V2 inference request to the deployed model until it answers with 10 probabilities,
// retrying while the model starts (image pull, model download, Triton load), up to a deadline.
import { describeFetchError, pollUntil } from "./poll";
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

/** Resolves with the probabilities; rejects with a PollError that says what went wrong. */
export function smokeTest(opts: SmokeTestOptions): Promise<number[]> {
    const body = JSON.stringify(sampleRequest());
    return pollUntil<number[]>(async () => {
        let res: Response;
        let text: string;
        try {
            res = await fetch(opts.url, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body,
                signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10000),
            });
            text = await res.text();
        } catch (e) {
            return { done: false, waiting: describeFetchError(e) };
        }
        if (!res.ok) {
            // 404 (route not there yet), 503 (no ready pod) and the like: the model is still starting.
            return { done: false, waiting: `HTTP ${res.status}: ${text.slice(0, 200).trim()}` };
        }
        let reply: unknown;
        try {
            reply = JSON.parse(text);
        } catch {
            return { done: false, fatal: `answered HTTP ${res.status} but not JSON: ${text.slice(0, 200)}` };
        }
        // The model is up; a wrong answer will not get better by retrying.
        const result = probabilitiesOf(reply);
        return result.ok ? { done: true, value: result.probabilities } : { done: false, fatal: `answered, but ${result.problem}: ${text.slice(0, 300)}` };
    }, { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, log: opts.log, what: `the model at ${opts.url}` });
}
