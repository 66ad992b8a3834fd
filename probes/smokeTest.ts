// Sends a real V2 inference request to the deployed model until it answers with 10 probabilities,
// retrying while the model starts (image pull, model download, Triton load), up to a deadline.
import { httpRequest } from "../lib/httpRequest";
import { describeFailure, pollUntil } from "./poll";
import { checkAnswer, MAX_REPLY_BYTES, sampleRequestBody } from "../lib/v2Protocol";

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
