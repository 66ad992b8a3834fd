// The load the twin serves: the load test's ramp (users arriving at the spawn rate, each pausing
// between requests), or the users of a recorded report.json, second by second. Closed loop, like the
// generator: a user sends its next request only after the previous answer and its pause.
import type { LoadResult } from "../loadtest/types";

export interface LoadProfile {
    /** Users active during second `t` (t = 0, 1, ...). */
    usersAt(t: number): number;
    /** Mean pause between a user's answer and its next request, s. */
    thinkS: number;
    /** When the load ends, s. */
    runTimeS: number;
    /** A request slower than this fails (the generator's --timeout), s. */
    timeoutS: number;
    /** Where it comes from, in words. */
    source: string;
}

/** The generator's defaults (loadtest/args.ts): pauses of 10 to 100 ms, a 10 s timeout. */
export const GENERATOR_DEFAULTS = { minWaitMs: 10, maxWaitMs: 100, timeoutMs: 10_000 } as const;

/** The load test's ramp: `spawnRate` new users a second up to `users`, for `runTimeS`. */
export function rampLoad(r: { users: number; spawnRate: number; runTimeS: number; minWaitMs?: number; maxWaitMs?: number; timeoutMs?: number }): LoadProfile {
    const minWait = r.minWaitMs ?? GENERATOR_DEFAULTS.minWaitMs;
    const maxWait = r.maxWaitMs ?? GENERATOR_DEFAULTS.maxWaitMs;
    return {
        usersAt: t => (t < r.runTimeS ? Math.min(r.users, r.spawnRate * (t + 1)) : 0),
        thinkS: (minWait + maxWait) / 2 / 1000,
        runTimeS: r.runTimeS,
        timeoutS: (r.timeoutMs ?? GENERATOR_DEFAULTS.timeoutMs) / 1000,
        source: `ramp: ${r.users} users, ${r.spawnRate}/s, ${r.runTimeS} s, pauses ${minWait}-${maxWait} ms`,
    };
}

/** A recorded run replayed: the users of each second of its timeline, its pauses and timeout. */
export function replayLoad(report: Pick<LoadResult, "options" | "timeline" | "durationS">): LoadProfile {
    const users = new Map<number, number>();
    for (const p of report.timeline) {
        // A point's t is the end of its second.
        users.set(Math.ceil(p.t) - 1, p.users);
    }
    const runTimeS = report.durationS;
    return {
        usersAt: t => (t < runTimeS ? users.get(t) ?? 0 : 0),
        thinkS: (report.options.minWaitMs + report.options.maxWaitMs) / 2 / 1000,
        runTimeS,
        timeoutS: report.options.timeoutMs / 1000,
        source: `replayed: ${report.options.users} users${report.options.spawnRate > 0 ? ` at ${report.options.spawnRate}/s` : ""} for ${runTimeS} s, ` +
            `pauses ${report.options.minWaitMs}-${report.options.maxWaitMs} ms`,
    };
}
