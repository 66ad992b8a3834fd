// The command line of the load generator: parse, check the watch target, run, print, report.
// Shared by the local CLI (cli.ts, with --watch) and the in-cluster Job (job.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT, parseArgs, USAGE, UsageError } from "./args";
import { watchCooldown } from "./cooldown";
import { MakeLoadClient } from "./client";
import { runLoad } from "./engine";
import { anatomyFor, summaryTable, progressLine, writeReports } from "./report";
import { LoadOptions, LoadResult, StartWatch, Watcher, WatchError } from "./types";

/** Why a folder cannot take the reports (created if missing, then a file written and removed), or undefined. */
export function unwritable(dir: string): string | undefined {
    const probe = path.join(dir, `.loadgen-write-check-${process.pid}`);
    try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(probe, "");
        fs.unlinkSync(probe);
        return undefined;
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return `${err.code ?? "error"}: ${err.message.split("\n")[0]}`;
    }
}

/** The command line: parse, check the watch target, run, print, report. Returns the exit code. */
export async function main(argv: string[], deps: {
    startWatch?: StartWatch;
    signals?: NodeJS.EventEmitter;
    /** Where its lines go (default: the console). */
    out?: { log(line: string): void; error(line: string): void };
    /** How requests are sent (default: Node's http). */
    client?: MakeLoadClient;
} = {}): Promise<number> {
    const out = deps.out ?? console;
    let opts: LoadOptions;
    try {
        opts = parseArgs(argv);
        if (opts.watch && !deps.startWatch) {
            throw new UsageError("--watch needs the Kubernetes client: run it through `npm run loadtest`, not the in-cluster script");
        }
    } catch (e) {
        if (e instanceof UsageError) {
            if (e.message) {
                out.error(`loadgen: ${e.message}`);
            }
            out.error(USAGE);
            return e.message ? EXIT.usage : EXIT.ok;
        }
        throw e;
    }
    // The reports are written after the run: a folder that cannot take them is found before any load.
    if (opts.reportDir) {
        const problem = unwritable(opts.reportDir);
        if (problem) {
            out.error(`loadgen: --report ${JSON.stringify(opts.reportDir)} cannot be written (${problem}). Nothing was sent.`);
            return EXIT.usage;
        }
    }
    // The watcher's time axis is the load's: both count from the moment the load starts.
    let startedAt = Date.now();
    let watcher: Watcher | undefined;
    if (opts.watch && deps.startWatch) {
        try {
            watcher = await deps.startWatch(opts.watch, () => startedAt);
        } catch (e) {
            if (e instanceof WatchError) {
                out.error(`loadgen: --watch: ${e.message}`);
                out.error("Nothing was sent. Check --context, --namespace and --deployment (`pulumi stack output kubernetesDeployment`; `./pulumi-dev stack output kubernetesDeployment` for the dev stack on kind).");
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
        out.error(`\nloadgen: ${name}: stopping the load; the summary and reports follow (again to quit at once)`);
        interrupt.abort(name);
    };
    const handlers = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
    signals.on("SIGINT", handlers.SIGINT);
    signals.on("SIGTERM", handlers.SIGTERM);

    out.log(`load: ${opts.users} users at ${opts.spawnRate}/s for ${opts.runTimeMs / 1000} s against ${opts.host}${opts.path}`);
    let lastLine = 0;
    let result: LoadResult;
    try {
        startedAt = Date.now();
        result = await runLoad(opts, {
            client: deps.client,
            watcher,
            signal: interrupt.signal,
            onStart: t => { startedAt = t; },
            afterLoad: watcher && opts.watch && opts.watch.cooldownMs > 0 ? async () => {
                const loadEndS = (Date.now() - startedAt) / 1000;
                if (opts.progress === "tty") {
                    process.stdout.write("\n");
                }
                out.log(`cooldown: load ended; watching the scale-down for up to ${opts.watch!.cooldownMs / 1000} s (Ctrl-C ends it and reports)`);
                return watchCooldown(() => watcher!.samples(), {
                    cooldownMs: opts.watch!.cooldownMs, pollMs: opts.watch!.intervalMs, signal: interrupt.signal,
                    log: opts.progress === "none" ? undefined : line => out.log(line),
                }, loadEndS);
            } : undefined,
            onTick: (point, totals) => {
                if (opts.progress === "tty") {
                    process.stdout.write(`\r${progressLine(point, totals)}\x1b[K`);
                } else if (opts.progress === "lines" && point.t - lastLine >= 10) {
                    lastLine = point.t;
                    out.log(progressLine(point, totals));
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
    // Where each new replica's scale-up went, from the pods and events the watch kept.
    const anatomy = anatomyFor(result);
    if (anatomy && result.scaling) {
        result.scaling.anatomy = anatomy;
    }
    out.log(summaryTable(result));
    if (opts.reportDir) {
        try {
            const written = writeReports(opts.reportDir, result);
            out.log(`report: ${written.json}, ${written.html}`);
        } catch (e) {
            // The folder was writable at the start; say what happened since, with the summary already printed.
            out.error(`loadgen: the reports could not be written to ${opts.reportDir}: ${(e as NodeJS.ErrnoException).code ?? ""} ${(e as Error).message.split("\n")[0]}`);
            return EXIT.noSuccess;
        }
    }
    if (result.interrupted) {
        return EXIT[result.interrupted];
    }
    // A run in which nothing succeeded is a failed run; some failures under load are a result.
    return result.requests > result.failures ? EXIT.ok : EXIT.noSuccess;
}
