// The watch after the load: the autoscaler scales down only after its stabilisation window (5 min for
// an HPA by default, the configured window for KEDA), so the scale-down is measured by watching on,
// with no load, until the Deployment is back where it started or the deadline passes.
import { Cooldown, ScalingSample } from "./types";

/** Whether a sample shows the Deployment back at its starting replicas, all ready. */
export function backToStart(sample: ScalingSample, start: ScalingSample): boolean {
    return sample.replicas <= start.replicas && sample.readyReplicas === sample.replicas;
}

/**
 * Waits until a sample taken after the load shows the Deployment back at its starting replicas,
 * the deadline passes, or `signal` aborts. Checks every `pollMs`; `log` gets a line every `logEveryMs`.
 */
export async function watchCooldown(samples: () => readonly ScalingSample[], opts: {
    cooldownMs: number; pollMs: number; logEveryMs?: number; signal?: AbortSignal; log?: (line: string) => void; now?: () => number;
}, loadEndS: number): Promise<Cooldown> {
    const now = opts.now ?? Date.now;
    const begun = now();
    let lastLog = begun;
    const watched = () => Math.round((now() - begun) / 100) / 10;
    for (;;) {
        const all = samples();
        const start = all[0];
        const latest = all.at(-1);
        if (start && latest && latest.t > loadEndS && backToStart(latest, start)) {
            return { watchedS: watched(), ended: "back" };
        }
        if (opts.signal?.aborted) {
            return { watchedS: watched(), ended: "interrupted" };
        }
        if (now() - begun >= opts.cooldownMs) {
            return { watchedS: watched(), ended: "deadline" };
        }
        if (opts.log && now() - lastLog >= (opts.logEveryMs ?? 30_000)) {
            lastLog = now();
            opts.log(`cooldown: ${Math.round(watched())} s after the load, ${latest?.replicas ?? "?"} replicas (${latest?.readyReplicas ?? "?"} ready), started with ${start?.replicas ?? "?"}`);
        }
        await new Promise<void>(resolve => {
            const timer = setTimeout(resolve, Math.min(opts.pollMs, Math.max(0, opts.cooldownMs - (now() - begun))));
            opts.signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
        });
    }
}
