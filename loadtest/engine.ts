// The load itself, with the tutorial's Locust semantics: N users spawned at R users/s, each sending an
// inference request with a random UINT8 [1,3,32,32] image and waiting a random 10-100 ms between
// requests, for a given run time. Node's built-ins and the project's built-ins-only modules only (the
// in-cluster script bundles it); the local CLI hands it a faster client (undiciClient.ts).
import { httpLoadClient, MakeLoadClient, Outcome } from "./client";
import { checkAnswer, imageRequestBody, MAX_REPLY_BYTES } from "../lib/v2Protocol";
import { Cooldown, LatencySummary, LoadOptions, LoadResult, TimelinePoint, Watcher } from "./types";

/**
 * How many distinct random images a run cycles through. Built before the load starts, so the engine's
 * time goes to the network instead of to formatting 3,072 numbers per request (about half its CPU
 * when every request had a new image); 256 images still give Triton varied inputs.
 */
export const BODY_POOL_SIZE = 256;

/** `size` request bodies, each with a random 0-255 UINT8 image of shape [1,3,32,32]. */
export function randomBodyPool(size: number, random: () => number = Math.random): string[] {
    return Array.from({ length: size }, () => imageRequestBody(() => (random() * 256) | 0));
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: number[], q: number): number {
    if (sorted.length === 0) {
        return NaN;
    }
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank];
}

export function summarise(latencies: number[]): LatencySummary | null {
    if (latencies.length === 0) {
        return null;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
        p50: round(quantile(sorted, 0.5)),
        p90: round(quantile(sorted, 0.9)),
        p95: round(quantile(sorted, 0.95)),
        p99: round(quantile(sorted, 0.99)),
        max: round(sorted[sorted.length - 1]),
        mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    };
}

interface Bucket {
    requests: number;
    failures: number;
    latencies: number[];
}

/** A complete reply: 200 with a valid answer, or the reason it is not. */
function checkReply(status: number, body: string): Outcome {
    if (status !== 200) {
        return { ok: false, cause: `HTTP ${status}` };
    }
    return checkAnswer(body).ok ? { ok: true } : { ok: false, cause: "invalid reply" };
}

/**
 * Runs the load. `onTick` sees every finished second; `watcher` follows the scaling meanwhile (started
 * by the caller, so that a wrong target stops the run before any load). Aborting `signal` stops the
 * load at once: requests in flight are cut and not counted, and the result covers what was measured.
 * Without a signal the run ends by `runTimeMs + timeoutMs` (every request has a hard deadline).
 */
export async function runLoad(opts: LoadOptions, hooks: {
    onTick?: (point: TimelinePoint, totals: { requests: number; failures: number }) => void;
    watcher?: Watcher;
    random?: () => number;
    signal?: AbortSignal;
    /**
     * Told the load's time zero once everything is prepared (the request bodies), just before the first
     * user starts: the run time counts from there, and the watcher's time axis with it.
     */
    onStart?: (startMs: number) => void;
    /** Runs once the load has ended, before the watcher stops (the cooldown watch). */
    afterLoad?: () => Promise<Cooldown | undefined>;
    /** How requests are sent (default: Node's http). */
    client?: MakeLoadClient;
} = {}): Promise<LoadResult> {
    const random = hooks.random ?? Math.random;
    // As bytes: sent as they are, not encoded again for every request.
    const bodies = randomBodyPool(BODY_POOL_SIZE, random).map(b => Buffer.from(b, "utf8"));
    let sent = 0;
    const url = new URL(opts.host + opts.path);
    const client = (hooks.client ?? httpLoadClient)(url, { connections: opts.users, timeoutMs: opts.timeoutMs, maxBytes: MAX_REPLY_BYTES, check: checkReply });
    // The run time starts now, not before the bodies were built: on a busy machine that can take a while.
    const start = Date.now();
    hooks.onStart?.(start);
    let deadline = start + opts.runTimeMs;
    let stopped = false;
    const wakeUps = new Set<() => void>();
    const stop = () => {
        if (stopped) {
            return;
        }
        stopped = true;
        deadline = Math.min(deadline, Date.now());
        // Cut what is in flight (not counted: it was not measured) and wake every sleeper.
        void client.destroy();
        wakeUps.forEach(wake => wake());
    };
    if (hooks.signal?.aborted) {
        stop();
    }
    hooks.signal?.addEventListener("abort", stop, { once: true });
    const sleep = (ms: number) => new Promise<void>(resolve => {
        const wake = () => {
            clearTimeout(timer);
            wakeUps.delete(wake);
            resolve();
        };
        const timer = setTimeout(wake, ms);
        wakeUps.add(wake);
    });
    const buckets: Bucket[] = [];
    const failuresByCause: Record<string, number> = {};
    const latencies: number[] = [];
    let requests = 0;
    let failures = 0;
    let activeUsers = 0;

    const bucketAt = (ms: number) => {
        const i = Math.floor((ms - start) / 1000);
        while (buckets.length <= i) {
            buckets.push({ requests: 0, failures: 0, latencies: [] });
        }
        return buckets[i];
    };
    const timeline: TimelinePoint[] = [];
    const usersAt: number[] = [];
    const closeSecond = (i: number, endS?: number) => {
        const b = buckets[i] ?? { requests: 0, failures: 0, latencies: [] };
        const sorted = [...b.latencies].sort((x, y) => x - y);
        const point: TimelinePoint = {
            t: i + 1,
            users: usersAt[i] ?? activeUsers,
            requests: b.requests,
            failures: b.failures,
            p50: sorted.length ? Math.round(quantile(sorted, 0.5) * 10) / 10 : null,
            p95: sorted.length ? Math.round(quantile(sorted, 0.95) * 10) / 10 : null,
            ...(endS !== undefined && endS - i < 1 ? { seconds: Math.max(0, Math.round((endS - i) * 100) / 100) } : {}),
        };
        timeline.push(point);
        hooks.onTick?.(point, { requests, failures });
    };
    let closed = 0;
    const ticker = setInterval(() => {
        usersAt[Math.floor((Date.now() - start) / 1000)] = activeUsers;
        while (closed < Math.floor((Date.now() - start) / 1000)) {
            closeSecond(closed++);
        }
    }, 250);

    const user = async () => {
        activeUsers++;
        try {
            while (Date.now() < deadline) {
                const body = bodies[sent++ % bodies.length];
                const t0 = performance.now();
                const outcome = await client.send(body);
                const latency = performance.now() - t0;
                if (stopped && !outcome.ok) {
                    break; // cut by the stop, not a failure of the server
                }
                // Counted in the second it completes: that second is still open, so no request is lost.
                const b = bucketAt(Date.now());
                b.requests++;
                requests++;
                if (outcome.ok) {
                    b.latencies.push(latency);
                    latencies.push(latency);
                } else {
                    b.failures++;
                    failures++;
                    failuresByCause[outcome.cause!] = (failuresByCause[outcome.cause!] ?? 0) + 1;
                }
                const wait = opts.minWaitMs + random() * (opts.maxWaitMs - opts.minWaitMs);
                if (Date.now() + wait >= deadline) {
                    // The last pause is part of the run: it ends at the run time, not a pause early
                    // (which made a 0.5 s run report 0.4 s, and its rate too high).
                    await sleep(Math.max(0, deadline - Date.now()));
                    break;
                }
                await sleep(wait);
            }
        } finally {
            activeUsers--;
        }
    };

    const users: Promise<void>[] = [];
    await new Promise<void>(resolve => {
        let spawned = 0;
        const spawnNext = () => {
            while (spawned < opts.users && Date.now() - start >= (spawned * 1000) / opts.spawnRate) {
                users.push(user());
                spawned++;
            }
            if (spawned >= opts.users || Date.now() >= deadline) {
                resolve();
                return;
            }
            // A slow spawn rate never waits past the end of the run.
            const nextAt = Math.min(start + (spawned * 1000) / opts.spawnRate, deadline);
            sleep(Math.max(0, nextAt - Date.now())).then(spawnNext);
        };
        spawnNext();
    });
    await Promise.all(users);
    hooks.signal?.removeEventListener("abort", stop);
    clearInterval(ticker);
    await client.destroy();
    const durationS = (Date.now() - start) / 1000;
    while (closed < buckets.length) {
        closeSecond(closed++, durationS);
    }
    const cooldown = hooks.afterLoad ? await hooks.afterLoad() : undefined;
    const scaling = hooks.watcher ? await hooks.watcher.stop() : undefined;
    const { watch: _w, progress: _p, ...options } = opts;
    return {
        options,
        startedAt: new Date(start).toISOString(),
        durationS: Math.round(durationS * 10) / 10,
        requests,
        failures,
        failuresByCause,
        rps: Math.round((requests / durationS) * 10) / 10,
        latencyMs: summarise(latencies),
        timeline,
        ...(scaling && opts.watch ? { scaling: { ...scaling, namespace: opts.watch.namespace, deployment: opts.watch.deployment, ...(cooldown ? { cooldown } : {}) } } : {}),
        ...(stopped && hooks.signal?.reason ? { interrupted: hooks.signal.reason as "SIGINT" | "SIGTERM" } : {}),
    };
}
