// Retries an HTTP check until it passes, fails for good, or a deadline passes. Used by the post-deploy
// smoke test and by the gate that waits for the in-cluster S3 store.

/** What one attempt found: done (with a value), still waiting (why), or failed for good (why). */
export type Attempt<T> = { done: true; value: T } | { done: false; waiting: string } | { done: false; fatal: string };

export class PollError extends Error {}

export interface PollOptions {
    timeoutMs: number;
    /** Pause between attempts. */
    intervalMs?: number;
    log?: (line: string) => void;
    /** What is being waited for, for messages: "the model at http://…". */
    what: string;
}

/** Calls `attempt` until it is done; rejects with a PollError that says what went wrong last. */
export async function pollUntil<T>(attempt: () => Promise<Attempt<T>>, opts: PollOptions): Promise<T> {
    const interval = opts.intervalMs ?? 5000;
    const deadline = Date.now() + opts.timeoutMs;
    let attempts = 0;
    for (;;) {
        attempts++;
        const result = await attempt();
        if (result.done) {
            opts.log?.(`${opts.what} is ready after ${attempts} attempt(s)`);
            return result.value;
        }
        if ("fatal" in result) {
            throw new PollError(`${opts.what}: ${result.fatal}`);
        }
        if (Date.now() + interval > deadline) {
            throw new PollError(`${opts.what} was not ready within ${Math.round(opts.timeoutMs / 1000)} s ` +
                `(${attempts} attempts); last problem: ${result.waiting}`);
        }
        opts.log?.(`waiting for ${opts.what} (attempt ${attempts}: ${result.waiting})`);
        await new Promise(resolve => setTimeout(resolve, interval));
    }
}

/** Describes a failed fetch: `request timed out`, or the message with the network error code. */
export function describeFetchError(e: unknown): string {
    if ((e as Error).name === "TimeoutError") {
        return "request timed out";
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return `${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ""}`;
}

/** Waits until `GET url` answers 2xx. */
export function waitForHttp(url: string, opts: Omit<PollOptions, "what">): Promise<number> {
    return pollUntil<number>(async () => {
        try {
            const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
            await res.arrayBuffer();
            return res.ok ? { done: true, value: res.status } : { done: false, waiting: `HTTP ${res.status}` };
        } catch (e) {
            return { done: false, waiting: describeFetchError(e) };
        }
    }, { ...opts, what: url });
}
