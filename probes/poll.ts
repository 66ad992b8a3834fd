// Retries a check until it passes, fails for good, or a deadline passes. Used by the post-deploy smoke
// test and by the gate that waits for the in-cluster S3 store. Every attempt is bounded by what is
// left of the overall deadline, so the whole wait ends by the deadline plus one request at most.
import { httpRequest, HttpFailure } from "../lib/httpRequest";

/** What one attempt found: done (with a value), still waiting (why), or failed for good (why). */
export type Attempt<T> = { done: true; value: T } | { done: false; waiting: string } | { done: false; fatal: string };

export class PollError extends Error {}

/** The least time left of the deadline that is worth another attempt. */
const MIN_ATTEMPT_MS = 250;

export interface PollOptions {
    timeoutMs: number;
    /** Pause between attempts. */
    intervalMs?: number;
    log?: (line: string) => void;
    /** What is being waited for, for messages: "the model at http://…". */
    what: string;
    /** The clock (default: the real one). */
    clock?: Clock;
}

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)) };

/**
 * Calls `attempt(budgetMs)` until it is done; rejects with a PollError that says what went wrong last.
 * `budgetMs` is what is left of the overall deadline: an attempt must not take longer.
 */
export async function pollUntil<T>(attempt: (budgetMs: number) => Promise<Attempt<T>>, opts: PollOptions): Promise<T> {
    const interval = opts.intervalMs ?? 5000;
    const clock = opts.clock ?? REAL_CLOCK;
    const deadline = clock.now() + opts.timeoutMs;
    let attempts = 0;
    for (;;) {
        attempts++;
        const result = await attempt(Math.max(1, deadline - clock.now()));
        if (result.done) {
            opts.log?.(`${opts.what} is ready after ${attempts} attempt(s)`);
            return result.value;
        }
        if ("fatal" in result) {
            throw new PollError(`${opts.what}: ${result.fatal}`);
        }
        // Another attempt needs time to say something: one left a few milliseconds would only
        // replace the last real problem with "no complete answer within 1 ms".
        if (clock.now() + interval + MIN_ATTEMPT_MS > deadline) {
            throw new PollError(`${opts.what} was not ready within ${Math.round(opts.timeoutMs / 100) / 10} s ` +
                `(${attempts} attempts); last problem: ${result.waiting}`);
        }
        opts.log?.(`waiting for ${opts.what} (attempt ${attempts}: ${result.waiting})`);
        await clock.sleep(interval);
    }
}

/** Waits until `GET url` answers 2xx. */
export function waitForHttp(url: string, opts: Omit<PollOptions, "what"> & { requestTimeoutMs?: number }): Promise<number> {
    const target = new URL(url);
    return pollUntil<number>(async budgetMs => {
        try {
            const res = await httpRequest(target, { timeoutMs: Math.min(opts.requestTimeoutMs ?? 5000, budgetMs), maxBytes: 64 * 1024 });
            return res.status >= 200 && res.status < 300 ? { done: true, value: res.status } : { done: false, waiting: `HTTP ${res.status}` };
        } catch (e) {
            return { done: false, waiting: describeFailure(e) };
        }
    }, { ...opts, what: url });
}

/** The message of an HttpFailure; anything else is a bug and is rethrown. */
export function describeFailure(e: unknown): string {
    if (e instanceof HttpFailure) {
        return e.message;
    }
    throw e;
}

/**
 * Runs a probe as a process's whole job: exit status 0 only once `probe` resolved, 1 with a message on
 * any other way out, including a process that would otherwise end while still waiting.
 */
export function runProbe(name: string, probe: () => Promise<unknown>, hint?: string): void {
    let succeeded = false;
    const failed = (message: string) => {
        console.error(`${name} FAILED: ${message}`);
        if (hint) {
            console.error(hint);
        }
        process.exit(1);
    };
    // Nothing left to wait for and no success seen: a pending promise that can never settle.
    process.on("beforeExit", () => {
        if (!succeeded) {
            failed("the check ended without an answer (a request neither completed nor failed)");
        }
    });
    probe().then(() => {
        succeeded = true;
        process.exit(0);
    }, e => failed((e as Error).message));
}
