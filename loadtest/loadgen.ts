// Load generator for the model's V2 infer endpoint, with the tutorial's Locust semantics: N users
// spawned at R users/s, each sending an inference request with a random UINT8 [1,3,32,32] image and
// waiting a random 10-100 ms between requests, for a given run time.
//
// Node's built-ins and the project's own built-ins-only modules, nothing else: the same code runs
// locally (`npm run loadtest`) and, bundled into one script (loadtest/job.ts), in a stock Node image
// inside the cluster. It sends the smoke test's request shape and accepts the same answers.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { httpRequest, HttpFailure } from "../lib/httpRequest";
import { checkAnswer, MAX_REPLY_BYTES } from "../lib/v2Protocol";

export interface LoadOptions {
    /** Base URL of the ingress, e.g. http://localhost:8080. */
    host: string;
    /** The model's infer path. */
    path: string;
    users: number;
    /** Users started per second. */
    spawnRate: number;
    runTimeMs: number;
    minWaitMs: number;
    maxWaitMs: number;
    /** Hard deadline of one request (connect to last byte); also the grace after the run time. */
    timeoutMs: number;
    /** Folder for report.json and report.html; none when undefined. */
    reportDir?: string;
    /** tty: one line updated in place; lines: a line every 10 s (logs); none: quiet. */
    progress: "tty" | "lines" | "none";
    watch?: WatchOptions;
}

/** Following the model's Deployment and autoscaler through the Kubernetes API (local CLI only). */
export interface WatchOptions {
    context?: string;
    namespace: string;
    deployment: string;
    intervalMs: number;
}

/** One sample of the scaling state, on the load's time axis. */
export interface ScalingSample {
    /** Seconds since the load started. */
    t: number;
    replicas: number;
    readyReplicas: number;
    hpa?: { name: string; currentReplicas: number; desiredReplicas: number; metric?: number; target?: number; unit: string };
}

/** What the watcher saw: its samples, and the samples it failed to take, by error message. */
export interface WatchResult {
    samples: ScalingSample[];
    errors: number;
    /** Failed samples by what went wrong (first line of the error). */
    errorsByMessage: Record<string, number>;
    lastError?: string;
}

export interface Watcher {
    /** Takes a last sample and returns them all; ends within a bounded time, whatever the API server does. */
    stop(): Promise<WatchResult>;
}

/** Checks that the context, namespace and Deployment exist, then starts sampling; rejects with a WatchError otherwise. */
export type StartWatch = (opts: WatchOptions, startedAt: () => number) => Promise<Watcher>;

/** --watch cannot follow what it was asked to (no such context, namespace or Deployment, or no API server). */
export class WatchError extends Error {}

/** The shortest --watch-interval: the HPA itself only acts every 15 s. */
export const MIN_WATCH_INTERVAL_MS = 1000;

/** One second of the run. */
export interface TimelinePoint {
    /** Seconds since the start (end of the bucket). */
    t: number;
    users: number;
    requests: number;
    failures: number;
    p50: number | null;
    p95: number | null;
}

export interface LatencySummary {
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    max: number;
    mean: number;
}

export interface LoadResult {
    options: Omit<LoadOptions, "watch" | "progress">;
    startedAt: string;
    durationS: number;
    requests: number;
    failures: number;
    failuresByCause: Record<string, number>;
    rps: number;
    /** Latency of successful requests, ms. */
    latencyMs: LatencySummary | null;
    timeline: TimelinePoint[];
    scaling?: WatchResult & { namespace: string; deployment: string };
    /** Set when a signal stopped the run before its run time: what was measured until then. */
    interrupted?: "SIGINT" | "SIGTERM";
}

export class UsageError extends Error {}

export const DEFAULTS = {
    host: "http://localhost:8080",
    path: "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer",
    users: 100,
    spawnRate: 10,
    runTime: "180s",
    minWait: 10,
    maxWait: 100,
    timeout: "10s",
    namespace: "seldon",
    deployment: "cifar10-default-0-cifar10-pytorch",
    watchInterval: "5s",
};

/** Exit codes of the command line (also in the README). */
export const EXIT = {
    ok: 0,
    noSuccess: 1,
    usage: 2,
    watchTarget: 3,
    SIGINT: 130,
    SIGTERM: 143,
} as const;

export const USAGE = `Usage: loadgen [options]
  --host URL            ingress base URL (default ${DEFAULTS.host})
  --path PATH           the model's infer path (default ${DEFAULTS.path})
  --users N             simulated users (default ${DEFAULTS.users})
  --spawn-rate R        users started per second (default ${DEFAULTS.spawnRate})
  --run-time T          how long to send load: 180s, 3m, 1m30s (default ${DEFAULTS.runTime})
  --min-wait MS         shortest pause between a user's requests, ms (default ${DEFAULTS.minWait})
  --max-wait MS         longest pause between a user's requests, ms (default ${DEFAULTS.maxWait})
  --timeout T           hard deadline of one request, connect to last byte (default ${DEFAULTS.timeout});
                        the run ends at most this long after --run-time
  --report DIR          write DIR/report.json and DIR/report.html
  --quiet               no progress line
  --watch               follow the Deployment and its HPA through the Kubernetes API (local only)
  --context NAME        kubeconfig context for --watch (default: the current context)
  --namespace NS        namespace of the model (default ${DEFAULTS.namespace})
  --deployment NAME     Deployment Seldon created for the model (default ${DEFAULTS.deployment})
  --watch-interval T    time between samples of --watch, at least ${MIN_WATCH_INTERVAL_MS / 1000}s (default ${DEFAULTS.watchInterval})

Ctrl-C (SIGINT) or SIGTERM stops the load, then prints the summary and writes the reports of what was
measured; a second signal quits at once.

Exit status:
  ${EXIT.ok}    the run ended and at least one request got a valid answer
  ${EXIT.noSuccess}    no request got a valid answer (or the generator failed)
  ${EXIT.usage}    bad arguments; nothing was sent
  ${EXIT.watchTarget}    --watch cannot find its context, namespace or Deployment; nothing was sent
  ${EXIT.SIGINT}  stopped by SIGINT (Ctrl-C), after the summary and reports
  ${EXIT.SIGTERM}  stopped by SIGTERM, after the summary and reports`;

/** Parses `180s`, `3m`, `1m30s`, `500ms`, `1h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, name = "duration"): number {
    const trimmed = text.trim();
    if (/^[0-9]+(\.[0-9]+)?$/.test(trimmed)) {
        return Math.round(Number(trimmed) * 1000);
    }
    const re = /([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)/g;
    let total = 0;
    let consumed = 0;
    for (const m of trimmed.matchAll(re)) {
        if (m.index !== consumed) {
            break;
        }
        total += Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] as "ms" | "s" | "m" | "h"];
        consumed += m[0].length;
    }
    if (trimmed === "" || consumed !== trimmed.length) {
        throw new UsageError(`${name} ${JSON.stringify(text)} is not a duration: use e.g. 180s, 3m, 1m30s or 500ms`);
    }
    return Math.round(total);
}

/** Parses the command line; throws UsageError with a message that names the bad argument. */
export function parseArgs(argv: string[]): LoadOptions {
    const flags = new Map<string, string | true>();
    const valued = new Set(["host", "path", "users", "spawn-rate", "run-time", "min-wait", "max-wait", "timeout", "report",
        "context", "namespace", "deployment", "watch-interval"]);
    const booleans = new Set(["quiet", "watch", "help"]);
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
        if (!m || (!valued.has(m[1]) && !booleans.has(m[1]))) {
            throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
        }
        if (booleans.has(m[1])) {
            flags.set(m[1], true);
        } else if (m[2] !== undefined) {
            flags.set(m[1], m[2]);
        } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
            flags.set(m[1], argv[++i]);
        } else {
            throw new UsageError(`--${m[1]} needs a value`);
        }
    }
    if (flags.has("help")) {
        throw new UsageError("");
    }
    const str = (k: string, d: string) => (flags.get(k) as string | undefined) ?? d;
    const int = (k: string, d: number, min: number) => {
        const raw = str(k, String(d));
        if (!/^[0-9]+$/.test(raw) || Number(raw) < min) {
            throw new UsageError(`--${k} ${JSON.stringify(raw)} is not allowed: use a whole number ≥ ${min}`);
        }
        return Number(raw);
    };
    const positive = (k: string, d: number) => {
        const raw = str(k, String(d));
        if (!/^[0-9]+(\.[0-9]+)?$/.test(raw) || Number(raw) <= 0) {
            throw new UsageError(`--${k} ${JSON.stringify(raw)} is not allowed: use a number > 0`);
        }
        return Number(raw);
    };

    const host = str("host", DEFAULTS.host).replace(/\/+$/, "");
    let parsed: URL;
    try {
        parsed = new URL(host);
    } catch {
        throw new UsageError(`--host ${JSON.stringify(host)} is not a URL: use e.g. http://localhost:8080`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw new UsageError(`--host ${JSON.stringify(host)} must be http:// or https://`);
    }
    const urlPath = str("path", DEFAULTS.path);
    if (!urlPath.startsWith("/")) {
        throw new UsageError(`--path ${JSON.stringify(urlPath)} must start with /`);
    }
    const minWaitMs = int("min-wait", DEFAULTS.minWait, 0);
    const maxWaitMs = int("max-wait", DEFAULTS.maxWait, 0);
    if (maxWaitMs < minWaitMs) {
        throw new UsageError(`--max-wait ${maxWaitMs} is less than --min-wait ${minWaitMs}`);
    }
    const runTimeMs = parseDuration(str("run-time", DEFAULTS.runTime), "--run-time");
    const timeoutMs = parseDuration(str("timeout", DEFAULTS.timeout), "--timeout");
    if (runTimeMs <= 0 || timeoutMs <= 0) {
        throw new UsageError("--run-time and --timeout must be longer than zero");
    }
    const options: LoadOptions = {
        host,
        path: urlPath,
        users: int("users", DEFAULTS.users, 1),
        spawnRate: positive("spawn-rate", DEFAULTS.spawnRate),
        runTimeMs,
        minWaitMs,
        maxWaitMs,
        timeoutMs,
        reportDir: flags.get("report") as string | undefined,
        progress: flags.has("quiet") ? "none" : process.stdout.isTTY ? "tty" : "lines",
    };
    if (flags.has("watch")) {
        const intervalMs = parseDuration(str("watch-interval", DEFAULTS.watchInterval), "--watch-interval");
        if (intervalMs < MIN_WATCH_INTERVAL_MS) {
            throw new UsageError(`--watch-interval ${JSON.stringify(str("watch-interval", ""))} is too short: use at least ${MIN_WATCH_INTERVAL_MS / 1000}s`);
        }
        options.watch = {
            context: flags.get("context") as string | undefined,
            namespace: str("namespace", DEFAULTS.namespace),
            deployment: str("deployment", DEFAULTS.deployment),
            intervalMs,
        };
    } else {
        for (const k of ["context", "namespace", "deployment", "watch-interval"]) {
            if (flags.has(k)) {
                throw new UsageError(`--${k} only applies with --watch`);
            }
        }
    }
    return options;
}

/** A V2 request body with a random 0-255 UINT8 image of shape [1,3,32,32]. */
export function randomImageBody(random: () => number = Math.random): string {
    const parts: string[] = new Array(3072);
    for (let i = 0; i < 3072; i++) {
        parts[i] = String((random() * 256) | 0);
    }
    return `{"inputs":[{"name":"image__0","datatype":"UINT8","shape":[1,3,32,32],"data":[${parts.join(",")}]}]}`;
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

interface Outcome {
    ok: boolean;
    cause?: string;
}

/** Sends one request with a hard deadline and a bounded reply; resolves with the outcome, never rejects. */
async function send(url: URL, agent: http.Agent, body: string, timeoutMs: number): Promise<Outcome> {
    try {
        const res = await httpRequest(url, {
            method: "POST",
            agent,
            headers: { "Content-Type": "application/json" },
            body,
            timeoutMs,
            maxBytes: MAX_REPLY_BYTES,
        });
        if (res.status !== 200) {
            return { ok: false, cause: `HTTP ${res.status}` };
        }
        return checkAnswer(res.body).ok ? { ok: true } : { ok: false, cause: "invalid reply" };
    } catch (e) {
        if (e instanceof HttpFailure) {
            return { ok: false, cause: e.cause };
        }
        throw e;
    }
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
    /** The load's time zero, if the caller needs it before (the watcher's time axis). */
    startedAt?: number;
} = {}): Promise<LoadResult> {
    const random = hooks.random ?? Math.random;
    const url = new URL(opts.host + opts.path);
    const agent = new (url.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: opts.users });
    const start = hooks.startedAt ?? Date.now();
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
        agent.destroy();
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
    const closeSecond = (i: number) => {
        const b = buckets[i] ?? { requests: 0, failures: 0, latencies: [] };
        const sorted = [...b.latencies].sort((x, y) => x - y);
        const point: TimelinePoint = {
            t: i + 1,
            users: usersAt[i] ?? activeUsers,
            requests: b.requests,
            failures: b.failures,
            p50: sorted.length ? Math.round(quantile(sorted, 0.5) * 10) / 10 : null,
            p95: sorted.length ? Math.round(quantile(sorted, 0.95) * 10) / 10 : null,
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
                const body = randomImageBody(random);
                const t0 = performance.now();
                const outcome = await send(url, agent, body, opts.timeoutMs);
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
    agent.destroy();
    const durationS = (Date.now() - start) / 1000;
    while (closed < buckets.length) {
        closeSecond(closed++);
    }
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
        ...(scaling && opts.watch ? { scaling: { ...scaling, namespace: opts.watch.namespace, deployment: opts.watch.deployment } } : {}),
        ...(stopped && hooks.signal?.reason ? { interrupted: hooks.signal.reason as "SIGINT" | "SIGTERM" } : {}),
    };
}

/** One progress line: elapsed, users, req/s, failures, p50/p95 of the last second. */
export function progressLine(point: TimelinePoint, totals: { requests: number; failures: number }): string {
    const ms = (x: number | null) => (x === null ? "-" : `${Math.round(x)} ms`);
    return `${String(point.t).padStart(4)}s | users ${String(point.users).padStart(4)} | ${String(point.requests).padStart(5)} req/s | ` +
        `failures ${totals.failures}/${totals.requests} | p50 ${ms(point.p50)} | p95 ${ms(point.p95)}`;
}

/** The summary table printed at the end. */
export function summaryTable(r: LoadResult): string {
    const l = r.latencyMs;
    const n = (x: number | undefined) => (x === undefined ? "-" : String(x));
    const header = ["requests", "failures", "req/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms"];
    const row = [String(r.requests), String(r.failures), String(r.rps), n(l?.p50), n(l?.p90), n(l?.p95), n(l?.p99), n(l?.max)];
    const widths = header.map((h, i) => Math.max(h.length, row[i].length));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    const lines = [line(header), line(row)];
    const causes = Object.entries(r.failuresByCause).sort((a, b) => b[1] - a[1]);
    if (causes.length > 0) {
        lines.push("failures by cause:");
        for (const [cause, count] of causes) {
            lines.push(`  ${String(count).padStart(widths[0])}  ${cause}`);
        }
    }
    if (r.scaling) {
        const reps = r.scaling.samples.map(s => s.replicas);
        lines.push(`replicas of ${r.scaling.namespace}/${r.scaling.deployment}: ` +
            (reps.length ? `${reps[0]} at start, ${Math.max(...reps)} at most, ${reps[reps.length - 1]} at the end` : "no sample") +
            (r.scaling.errors ? ` (${r.scaling.errors} failed samples)` : ""));
        for (const [message, count] of Object.entries(r.scaling.errorsByMessage).sort((a, b) => b[1] - a[1])) {
            lines.push(`  watch error ×${count}: ${message}`);
        }
    }
    if (r.interrupted) {
        lines.push(`stopped early by ${r.interrupted} after ${r.durationS} s of ${r.options.runTimeMs / 1000} s: these are the numbers until then`);
    }
    return lines.join("\n");
}

/** Writes report.json and a self-contained report.html (inline SVG, no scripts) into `dir`. */
export function writeReports(dir: string, r: LoadResult): { json: string; html: string } {
    fs.mkdirSync(dir, { recursive: true });
    const json = path.join(dir, "report.json");
    const html = path.join(dir, "report.html");
    fs.writeFileSync(json, JSON.stringify(r, null, 2));
    fs.writeFileSync(html, reportHtml(r));
    return { json, html };
}

interface Series {
    name: string;
    color: string;
    points: Array<[number, number]>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c]!));

/** A line chart over [0, xMax] seconds: the same time axis for every chart of the report. */
export function lineChart(title: string, unit: string, xMax: number, series: Series[]): string {
    const w = 860, h = 220, left = 56, right = 16, top = 28, bottom = 30;
    const step = niceStep(Math.max(1, ...series.flatMap(s => s.points.map(p => p[1]))) / 4);
    const yMax = step * Math.ceil(Math.max(1, ...series.flatMap(s => s.points.map(p => p[1]))) / step);
    const x = (t: number) => left + (t / Math.max(1, xMax)) * (w - left - right);
    const y = (v: number) => top + (1 - v / yMax) * (h - top - bottom);
    const ticks = (max: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (max * i) / n);
    const grid = ticks(yMax, Math.round(yMax / step)).map(v =>
        `<line x1="${left}" x2="${w - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>` +
        `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${formatNumber(v)}</text>`).join("");
    const xStep = niceStep(Math.max(1, xMax) / 6);
    const xTicks = ticks(xStep * Math.floor(xMax / xStep), Math.floor(xMax / xStep)).map(t =>
        `<text x="${x(t).toFixed(1)}" y="${h - 10}" text-anchor="middle">${Math.round(t)}s</text>`).join("");
    const lines = series.filter(s => s.points.length > 0).map(s =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`).join("");
    const legend = series.map((s, i) =>
        `<rect x="${left + i * 190}" y="8" width="12" height="4" fill="${s.color}"/><text x="${left + 16 + i * 190}" y="14">${escapeHtml(s.name)}</text>`).join("");
    return `<figure><figcaption>${escapeHtml(title)} <small>(${escapeHtml(unit)})</small></figcaption>` +
        `<svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${escapeHtml(title)}" font-size="11" font-family="sans-serif">` +
        `${grid}${xTicks}${legend}${lines}</svg></figure>`;
}

/** A step of 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
    const power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map(m => m * power).find(s => s >= raw)!;
}

function formatNumber(v: number): string {
    return v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}

export function reportHtml(r: LoadResult): string {
    // One time axis for every chart, long enough for every point (the last second may be partial).
    const xMax = Math.max(r.durationS, ...r.timeline.map(p => p.t), ...(r.scaling?.samples.map(s => s.t) ?? [0]));
    const charts = [
        lineChart("Throughput and users", "requests per second, users", xMax, [
            { name: "req/s", color: "#1f77b4", points: r.timeline.map(p => [p.t, p.requests]) },
            { name: "failures/s", color: "#d62728", points: r.timeline.map(p => [p.t, p.failures]) },
            { name: "users", color: "#7f7f7f", points: r.timeline.map(p => [p.t, p.users]) },
        ]),
        lineChart("Latency", "ms", xMax, [
            { name: "p95", color: "#ff7f0e", points: r.timeline.filter(p => p.p95 !== null).map(p => [p.t, p.p95!]) },
            { name: "p50", color: "#2ca02c", points: r.timeline.filter(p => p.p50 !== null).map(p => [p.t, p.p50!]) },
        ]),
    ];
    if (r.scaling) {
        const s = r.scaling.samples;
        charts.push(lineChart(`Replicas of ${r.scaling.namespace}/${r.scaling.deployment}`, "pods", xMax, [
            { name: "replicas", color: "#9467bd", points: s.map(p => [p.t, p.replicas]) },
            { name: "ready", color: "#2ca02c", points: s.map(p => [p.t, p.readyReplicas]) },
            { name: "HPA desired", color: "#8c564b", points: s.filter(p => p.hpa).map(p => [p.t, p.hpa!.desiredReplicas]) },
        ]));
        const withMetric = s.filter(p => p.hpa?.metric !== undefined);
        if (withMetric.length > 0) {
            const unit = withMetric[0].hpa!.unit;
            charts.push(lineChart("Autoscaler metric", unit, xMax, [
                { name: "current", color: "#17becf", points: withMetric.map(p => [p.t, p.hpa!.metric!]) },
                { name: "target", color: "#bcbd22", points: withMetric.filter(p => p.hpa!.target !== undefined).map(p => [p.t, p.hpa!.target!]) },
            ]));
        }
    }
    const l = r.latencyMs;
    const causes = Object.entries(r.failuresByCause).map(([c, n]) => `<li>${escapeHtml(c)}: ${n}</li>`).join("");
    const watchErrors = Object.entries(r.scaling?.errorsByMessage ?? {}).map(([m, n]) => `<li>${escapeHtml(m)}: ${n}</li>`).join("");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load test ${escapeHtml(r.startedAt)}</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}figure{margin:1.5em 0}figcaption{font-weight:bold}</style>
</head><body>
<h1>Load test</h1>
<p>${escapeHtml(r.options.host + r.options.path)}: ${r.options.users} users spawned at ${r.options.spawnRate}/s,
waits ${r.options.minWaitMs}-${r.options.maxWaitMs} ms, started ${escapeHtml(r.startedAt)}, ran ${r.durationS} s.</p>
<table><tr><th>requests</th><th>failures</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>
<tr><td>${r.requests}</td><td>${r.failures}</td><td>${r.rps}</td><td>${l?.p50 ?? "-"}</td><td>${l?.p90 ?? "-"}</td><td>${l?.p95 ?? "-"}</td><td>${l?.p99 ?? "-"}</td><td>${l?.max ?? "-"}</td></tr></table>
${r.interrupted ? `<p><strong>Stopped early by ${r.interrupted}</strong> after ${r.durationS} s of ${r.options.runTimeMs / 1000} s: the numbers cover the run until then.</p>` : ""}
${causes ? `<h2>Failures by cause</h2><ul>${causes}</ul>` : ""}
${watchErrors ? `<h2>Watch errors</h2><p>${r.scaling!.errors} of the samples of ${escapeHtml(`${r.scaling!.namespace}/${r.scaling!.deployment}`)} failed; the charts lack those points.</p><ul>${watchErrors}</ul>` : ""}
${charts.join("\n")}
</body></html>
`;
}

/** The command line: parse, check the watch target, run, print, report. Returns the exit code. */
export async function main(argv: string[], deps: { startWatch?: StartWatch; signals?: NodeJS.EventEmitter } = {}): Promise<number> {
    let opts: LoadOptions;
    try {
        opts = parseArgs(argv);
        if (opts.watch && !deps.startWatch) {
            throw new UsageError("--watch needs the Kubernetes client: run it through `npm run loadtest`, not the in-cluster script");
        }
    } catch (e) {
        if (e instanceof UsageError) {
            if (e.message) {
                console.error(`loadgen: ${e.message}`);
            }
            console.error(USAGE);
            return e.message ? EXIT.usage : EXIT.ok;
        }
        throw e;
    }
    // The watcher's time axis is the load's: both count from the moment the load starts.
    let startedAt = Date.now();
    let watcher: Watcher | undefined;
    if (opts.watch && deps.startWatch) {
        try {
            watcher = await deps.startWatch(opts.watch, () => startedAt);
        } catch (e) {
            if (e instanceof WatchError) {
                console.error(`loadgen: --watch: ${e.message}`);
                console.error("Nothing was sent. Check --context, --namespace and --deployment (`pulumi stack output kubernetesDeployment`).");
                return EXIT.watchTarget;
            }
            throw e;
        }
    }

    // First signal: stop the load and report what was measured; a second one quits at once.
    const signals = deps.signals ?? process;
    const interrupt = new AbortController();
    const onSignal = (name: "SIGINT" | "SIGTERM") => () => {
        if (interrupt.signal.aborted) {
            process.exit(EXIT[name]);
        }
        console.error(`\nloadgen: ${name}: stopping the load; the summary and reports follow (again to quit at once)`);
        interrupt.abort(name);
    };
    const handlers = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
    signals.on("SIGINT", handlers.SIGINT);
    signals.on("SIGTERM", handlers.SIGTERM);

    console.log(`load: ${opts.users} users at ${opts.spawnRate}/s for ${opts.runTimeMs / 1000} s against ${opts.host}${opts.path}`);
    let lastLine = 0;
    let result: LoadResult;
    try {
        startedAt = Date.now();
        result = await runLoad(opts, {
            watcher,
            signal: interrupt.signal,
            startedAt,
            onTick: (point, totals) => {
                if (opts.progress === "tty") {
                    process.stdout.write(`\r${progressLine(point, totals)}\x1b[K`);
                } else if (opts.progress === "lines" && point.t - lastLine >= 10) {
                    lastLine = point.t;
                    console.log(progressLine(point, totals));
                }
            },
        });
    } finally {
        signals.off("SIGINT", handlers.SIGINT);
        signals.off("SIGTERM", handlers.SIGTERM);
    }
    if (opts.progress === "tty") {
        process.stdout.write("\n");
    }
    console.log(summaryTable(result));
    if (opts.reportDir) {
        const written = writeReports(opts.reportDir, result);
        console.log(`report: ${written.json}, ${written.html}`);
    }
    if (result.interrupted) {
        return EXIT[result.interrupted];
    }
    // A run in which nothing succeeded is a failed run; some failures under load are a result.
    return result.requests > result.failures ? EXIT.ok : EXIT.noSuccess;
}
