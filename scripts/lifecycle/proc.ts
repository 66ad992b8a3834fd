// The process boundary of the laptop scripts: every command they run goes through a Proc, which
// tests replace with a scripted one. Every run has a deadline; a run past it is stopped.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

export interface Captured {
    /** Exit status; null when the command could not start, was killed, or ran past its deadline. */
    status: number | null;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    timeoutMs: number;
}

/** A command and its arguments. */
export type Command = [command: string, args: string[]];

export interface StreamOptions extends RunOptions {
    what: string;
    /** Prints little while it works (`docker save | ctr import`): a line every `heartbeatMs` says it is still at it. */
    quiet?: boolean;
    /**
     * Runs alongside another step: its output goes to this file instead of the terminal (the heartbeat
     * says where), and the file's last lines are shown when it fails.
     */
    logFile?: string;
}

export interface Proc {
    /** Runs quietly, its output captured. */
    capture(command: string, args: string[], opts: RunOptions): Promise<Captured>;
    /** Runs on the terminal, its own progress visible (or into `logFile`). */
    stream(command: string, args: string[], opts: StreamOptions): Promise<number | null>;
    /**
     * Runs `from`, its standard output streamed into `to`'s standard input (no file in between), both
     * on the terminal's standard error. 0 only when both exit 0; both are stopped at the deadline.
     */
    pipe(from: Command, to: Command, opts: StreamOptions): Promise<number | null>;
}

const HEARTBEAT_MS = 30_000;

function formatElapsed(ms: number): string {
    const s = Math.round(ms / 1000);
    return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The real thing: child processes from `cwd`, each killed (SIGTERM, then SIGKILL) at its deadline. */
export function hostProc(cwd: string, log: (line: string) => void = l => console.log(l), heartbeatMs: number = HEARTBEAT_MS): Proc {
    const launch = (command: string, args: string[], stdio: "pipe" | "inherit") =>
        spawn(command, args, { cwd, stdio: ["ignore", stdio, stdio] });
    const deadline = (child: ReturnType<typeof spawn>, opts: RunOptions, onTimeout: () => void) => {
        const timer = setTimeout(() => {
            onTimeout();
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
        }, opts.timeoutMs);
        return () => clearTimeout(timer);
    };
    return {
        capture: (command, args, opts) => new Promise(resolve => {
            const child = launch(command, args, "pipe");
            let stdout = "";
            let stderr = "";
            let timedOut = false;
            child.stdout!.on("data", d => (stdout += d));
            child.stderr!.on("data", d => (stderr += d));
            const clear = deadline(child, opts, () => (timedOut = true));
            child.on("error", e => {
                clear();
                resolve({ status: null, stdout, stderr: `${stderr}${command}: ${e.message}` });
            });
            child.on("close", status => {
                clear();
                resolve({ status: timedOut ? null : status, stdout, stderr: timedOut ? `${stderr}\n${command}: no answer within ${opts.timeoutMs / 1000} s` : stderr });
            });
        }),
        stream: (command, args, opts) => new Promise(resolve => {
            const started = Date.now();
            const out = opts.logFile ? fs.openSync(opts.logFile, "a") : undefined;
            const child = spawn(command, args, { cwd, stdio: ["ignore", out ?? "inherit", out ?? "inherit"] });
            const finish = watch([child], opts, started, status => {
                if (out !== undefined) {
                    fs.closeSync(out);
                    if (status !== 0) {
                        log(`  last lines of ${opts.logFile}:`);
                        fs.readFileSync(opts.logFile!, "utf8").trimEnd().split("\n").slice(-15).forEach(l => log(`    ${l}`));
                    }
                }
                resolve(status);
            });
            child.on("error", e => {
                log(`  ${command}: ${e.message}`);
                finish(null);
            });
            child.on("close", status => finish(status));
        }),
        pipe: (from, to, opts) => new Promise(resolve => {
            const started = Date.now();
            const producer = spawn(from[0], from[1], { cwd, stdio: ["ignore", "pipe", "inherit"] });
            const consumer = spawn(to[0], to[1], { cwd, stdio: ["pipe", "inherit", "inherit"] });
            producer.stdout!.pipe(consumer.stdin!);
            // A consumer that stops reading (failed import) must not leave the producer blocked, nor crash us.
            consumer.stdin!.on("error", () => producer.kill("SIGTERM"));
            const statuses: Array<number | null> = [];
            const finish = watch([producer, consumer], opts, started, resolve);
            const one = (status: number | null) => {
                statuses.push(status);
                if (status !== 0) {
                    // Closing our end of the producer's output ends a producer that forked (its writes fail),
                    // which a signal to the direct child alone would not.
                    producer.stdout!.unpipe();
                    producer.stdout!.destroy();
                    producer.kill("SIGTERM");
                    consumer.kill("SIGTERM");
                }
                if (statuses.length === 2) {
                    finish(statuses.every(x => x === 0) ? 0 : statuses.find(x => x !== 0) ?? null);
                }
            };
            for (const [child, [command]] of [[producer, from], [consumer, to]] as const) {
                let done = false;
                const once = (status: number | null) => {
                    if (!done) {
                        done = true;
                        one(status);
                    }
                };
                child.on("error", e => {
                    log(`  ${command}: ${e.message}`);
                    once(null);
                });
                child.on("close", status => once(status));
            }
        }),
    };

    /** The heartbeat and the deadline of streamed children; `done` is called once, with null past the deadline. */
    function watch(children: ChildProcess[], opts: StreamOptions, started: number, done: (status: number | null) => void) {
        let timedOut = false;
        let finished = false;
        const heartbeat = opts.quiet || opts.logFile
            ? setInterval(() => log(`  … still ${opts.what} (${formatElapsed(Date.now() - started)}${opts.logFile ? `, output in ${opts.logFile}` : ""})`), heartbeatMs)
            : undefined;
        const timer = setTimeout(() => {
            timedOut = true;
            log(`  ${opts.what}: still running after ${formatElapsed(opts.timeoutMs)}, stopping it`);
            for (const child of children) {
                child.kill("SIGTERM");
                setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
            }
        }, opts.timeoutMs);
        return (status: number | null) => {
            if (finished) {
                return;
            }
            finished = true;
            clearTimeout(timer);
            if (heartbeat) {
                clearInterval(heartbeat);
            }
            done(timedOut ? null : status);
        };
    }
}