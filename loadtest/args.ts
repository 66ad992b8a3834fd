// The load generator's command line: options, defaults, usage and exit codes (Node's util.parseArgs).
import { parseArgs as parseArgv } from "node:util";
import { DurationError, parseDuration } from "../lib/duration";
import { inferencePath, seldonWorkloadName } from "../lib/seldon";
import { LoadOptions, PrometheusService } from "./types";
import { redactedUrl } from "../lib/urls";

/** The dev stack's names (Pulumi.dev.yaml, config defaults), which the defaults below point at. */
const DEV_STACK = { namespace: "seldon", deployment: "cifar10", model: "cifar10-pytorch" };

/** `<namespace>/<service>:<port>` as --prometheus takes it; undefined when it is not that. */
export function parsePrometheusService(text: string): PrometheusService | undefined {
    const name = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?";
    const m = new RegExp(`^(${name})/(${name}):([0-9]{1,5})$`).exec(text);
    return m && Number(m[3]) >= 1 && Number(m[3]) <= 65535 ? { namespace: m[1], service: m[2], port: Number(m[3]) } : undefined;
}

/** Bad command-line arguments; an empty message asks for the usage alone (--help). */
export class UsageError extends Error {}

/** The shortest --watch-interval: the HPA itself only acts every 15 s. */
export const MIN_WATCH_INTERVAL_MS = 1000;

export const DEFAULTS = {
    host: "http://localhost:8080",
    path: inferencePath(DEV_STACK.namespace, DEV_STACK.deployment, DEV_STACK.model),
    users: 100,
    spawnRate: 10,
    runTime: "180s",
    minWait: 10,
    maxWait: 100,
    timeout: "10s",
    namespace: DEV_STACK.namespace,
    deployment: seldonWorkloadName(DEV_STACK.deployment, DEV_STACK.model),
    watchInterval: "5s",
    cooldown: "0s",
    /** kube-prometheus-stack's Prometheus as the program installs it (lib/charts.ts: release seldon-monitoring, port 9090). */
    prometheus: "seldon-monitoring/seldon-monitoring-prometheus:9090",
};

/** The longest --cooldown: an autoscaler that has not scaled down after this is not going to. */
export const MAX_COOLDOWN_MS = 3600_000;

/** Exit codes of the command line (also in docs/load-test.md). */
/**
 * Bounds of the options: one generator process keeps a connection and a timer per user, so users are
 * bounded (the in-cluster Job's loadTestUsers has the same bound, config/defaults.ts MAXIMUM).
 */
export const LIMITS = { users: 10000, spawnRate: 1000, waitMs: 3600000, runTimeMs: 24 * 3600000, timeoutMs: 3600000 } as const;

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
  --cooldown T          with --watch: after the load, keep watching up to T (at most 1h) and end as soon as
                        the Deployment is back to its starting replicas, to measure the scale-down
                        (default ${DEFAULTS.cooldown}: stop with the load). HPA mode waits 5 min before scaling down.
  --prometheus NS/SVC:PORT  with --watch: the Prometheus Service whose executor counters tell when each new
                        replica served its first request, read through the API server (default
                        ${DEFAULTS.prometheus}; "none" to skip)

Ctrl-C (SIGINT) or SIGTERM stops the load, then prints the summary and writes the reports of what was
measured; a second signal quits at once.

Exit status:
  ${EXIT.ok}    the run ended and at least one request got a valid answer
  ${EXIT.noSuccess}    no request got a valid answer (or the generator failed)
  ${EXIT.usage}    bad arguments; nothing was sent
  ${EXIT.watchTarget}    --watch cannot find its context, namespace or Deployment; nothing was sent
  ${EXIT.SIGINT}  stopped by SIGINT (Ctrl-C), after the summary and reports
  ${EXIT.SIGTERM}  stopped by SIGTERM, after the summary and reports`;

const OPTIONS = {
    host: { type: "string" }, path: { type: "string" }, users: { type: "string" }, "spawn-rate": { type: "string" },
    "run-time": { type: "string" }, "min-wait": { type: "string" }, "max-wait": { type: "string" }, timeout: { type: "string" },
    report: { type: "string" }, context: { type: "string" }, namespace: { type: "string" }, deployment: { type: "string" },
    "watch-interval": { type: "string" }, cooldown: { type: "string" }, prometheus: { type: "string" }, quiet: { type: "boolean" }, watch: { type: "boolean" }, help: { type: "boolean" },
} as const;

/** Parses the command line; throws UsageError with a message that names the bad argument. */
export function parseArgs(argv: string[]): LoadOptions {
    let values: Partial<Record<keyof typeof OPTIONS, string | boolean>>;
    try {
        ({ values } = parseArgv({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
    } catch (e) {
        // Node's messages name the argument ("Unknown option '--userz'", "Option '--users <value>' argument missing").
        throw new UsageError((e as Error).message.replace(/\. To specify .*$/s, ""));
    }
    if (values.help) {
        throw new UsageError("");
    }
    const str = (k: keyof typeof OPTIONS, d: string) => (values[k] as string | undefined) ?? d;
    const duration = (k: keyof typeof OPTIONS, d: string) => {
        try {
            return parseDuration(str(k, d), `--${k}`);
        } catch (e) {
            throw e instanceof DurationError ? new UsageError(e.message) : e;
        }
    };
    const int = (k: keyof typeof OPTIONS, d: number, min: number, max: number, why: string) => {
        const raw = str(k, String(d));
        if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
            throw new UsageError(`--${k} ${JSON.stringify(raw)} is not allowed: use a whole number from ${min} to ${max} (${why})`);
        }
        return Number(raw);
    };
    const positive = (k: keyof typeof OPTIONS, d: number, max: number, why: string) => {
        const raw = str(k, String(d));
        if (!/^[0-9]+(\.[0-9]+)?$/.test(raw) || Number(raw) <= 0 || Number(raw) > max) {
            throw new UsageError(`--${k} ${JSON.stringify(raw)} is not allowed: use a number above 0 and at most ${max} (${why})`);
        }
        return Number(raw);
    };

    const host = str("host", DEFAULTS.host).replace(/\/+$/, "");
    let parsed: URL;
    try {
        parsed = new URL(host);
    } catch {
        throw new UsageError(`--host ${JSON.stringify(redactedUrl(host))} is not a URL: use e.g. http://localhost:8080`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw new UsageError(`--host ${JSON.stringify(redactedUrl(host))} must be http:// or https://`);
    }
    if (parsed.username !== "" || parsed.password !== "") {
        // The host goes into report.json and report.html: a password there would be kept in plain text.
        throw new UsageError(`--host ${JSON.stringify(redactedUrl(host))} carries credentials inside the URL, which the reports would keep in ` +
            "plain text: the model's gateway needs none (this generator sends no credentials)");
    }
    const urlPath = str("path", DEFAULTS.path);
    if (!urlPath.startsWith("/")) {
        throw new UsageError(`--path ${JSON.stringify(urlPath)} must start with /`);
    }
    const minWaitMs = int("min-wait", DEFAULTS.minWait, 0, LIMITS.waitMs, "an hour at most");
    const maxWaitMs = int("max-wait", DEFAULTS.maxWait, 0, LIMITS.waitMs, "an hour at most");
    if (maxWaitMs < minWaitMs) {
        throw new UsageError(`--max-wait ${maxWaitMs} is less than --min-wait ${minWaitMs}`);
    }
    const runTimeMs = duration("run-time", DEFAULTS.runTime);
    const timeoutMs = duration("timeout", DEFAULTS.timeout);
    if (runTimeMs <= 0 || timeoutMs <= 0) {
        throw new UsageError("--run-time and --timeout must be longer than zero");
    }
    if (runTimeMs > LIMITS.runTimeMs || timeoutMs > LIMITS.timeoutMs) {
        throw new UsageError(`--run-time is at most ${LIMITS.runTimeMs / 3600000} h and --timeout at most ${LIMITS.timeoutMs / 60000} min`);
    }
    const options: LoadOptions = {
        host,
        path: urlPath,
        users: int("users", DEFAULTS.users, 1, LIMITS.users, "one connection each: more than one machine's sockets and memory hold"),
        spawnRate: positive("spawn-rate", DEFAULTS.spawnRate, LIMITS.spawnRate, "users started per second"),
        runTimeMs,
        minWaitMs,
        maxWaitMs,
        timeoutMs,
        reportDir: values.report as string | undefined,
        progress: values.quiet ? "none" : process.stdout.isTTY ? "tty" : "lines",
    };
    if (values.watch) {
        const intervalMs = duration("watch-interval", DEFAULTS.watchInterval);
        if (intervalMs < MIN_WATCH_INTERVAL_MS) {
            throw new UsageError(`--watch-interval ${JSON.stringify(str("watch-interval", ""))} is too short: use at least ${MIN_WATCH_INTERVAL_MS / 1000}s`);
        }
        const cooldownMs = duration("cooldown", DEFAULTS.cooldown);
        if (cooldownMs > MAX_COOLDOWN_MS) {
            throw new UsageError(`--cooldown ${JSON.stringify(str("cooldown", ""))} is too long: use at most 1h`);
        }
        const prometheusText = str("prometheus", DEFAULTS.prometheus);
        const prometheus = prometheusText === "none" ? undefined : parsePrometheusService(prometheusText);
        if (prometheusText !== "none" && !prometheus) {
            throw new UsageError(`--prometheus ${JSON.stringify(prometheusText)} is not <namespace>/<service>:<port> (e.g. ${DEFAULTS.prometheus}) or none`);
        }
        options.watch = {
            context: values.context as string | undefined,
            namespace: str("namespace", DEFAULTS.namespace),
            deployment: str("deployment", DEFAULTS.deployment),
            intervalMs,
            cooldownMs,
            ...(prometheus ? { prometheus } : {}),
        };
    } else {
        for (const k of ["context", "namespace", "deployment", "watch-interval", "cooldown", "prometheus"] as const) {
            if (values[k] !== undefined) {
                throw new UsageError(`--${k} only applies with --watch`);
            }
        }
    }
    return options;
}
