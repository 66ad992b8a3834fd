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

/** The real Proc, which can also pass a signal on to every command still running. */
export interface HostProc extends Proc {
    /** Sends `signal` to the whole process group of every command still running (Ctrl-C, SIGTERM). */
    interrupt(signal: NodeJS.Signals): number;
}

/** After its process exits, how long a command's output pipes may stay open (a leftover grandchild) before they are cut. */
const PIPE_GRACE_MS = 1000;
/** After SIGTERM at a deadline, how long before SIGKILL. */
const KILL_GRACE_MS = 10_000;

/** The waits of hostProc, shorter in tests. */
export interface ProcTiming {
    /** How often a quiet streamed command gets a heartbeat line. */
    heartbeatMs?: number;
    /** After SIGTERM at a deadline, how long before SIGKILL. */
    killGraceMs?: number;
    /** After a command's process exits, how long its output pipes may stay open. */
    pipeGraceMs?: number;
}

/**
 * The real thing: child processes from `cwd`, each in a process group of its own, so a deadline (or a
 * signal passed on by `interrupt`) reaches everything it started, grandchildren included: SIGTERM,
 * then SIGKILL. A command is over when its process has exited, even if a grandchild still holds its
 * output open.
 */
export function hostProc(cwd: string, log: (line: string) => void = l => console.log(l), timing: ProcTiming = {}): HostProc {
    const { heartbeatMs = HEARTBEAT_MS, killGraceMs = KILL_GRACE_MS, pipeGraceMs = PIPE_GRACE_MS } = timing;
    const live = new Set<ChildProcess>();
    const signalGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
        if (child.pid === undefined) {
            return;
        }
        try {
            process.kill(-child.pid, signal);
        } catch {
            child.kill(signal);
        }
    };
    /** Spawns in a new process group; `done` gets the exit status once the process exited and its pipes closed (or were cut). */
    const start = (command: string, args: string[], stdio: Array<"ignore" | "pipe" | "inherit" | number>,
        done: (status: number | null, error?: Error) => void): ChildProcess => {
        const child = spawn(command, args, { cwd, stdio: stdio as never, detached: true });
        live.add(child);
        let over = false;
        const end = (status: number | null, error?: Error) => {
            if (!over) {
                over = true;
                live.delete(child);
                done(status, error);
            }
        };
        child.on("error", e => end(null, e));
        child.on("close", status => end(status));
        child.on("exit", status => {
            // A grandchild may keep the pipes open: give them a moment, then cut them.
            setTimeout(() => {
                for (const stream of [child.stdin, child.stdout, child.stderr]) {
                    stream?.destroy();
                }
                end(status);
            }, pipeGraceMs).unref();
        });
        return child;
    };
    /**
     * The deadline: SIGTERM to the group, SIGKILL after a grace; returns its cancel. Once SIGTERM went
     * out, the SIGKILL stays due even if the leader exits (a grandchild that ignored SIGTERM still
     * gets it), but it no longer holds this process open.
     */
    const deadline = (children: ChildProcess[], timeoutMs: number, onTimeout: () => void) => {
        const timer = setTimeout(() => {
            onTimeout();
            children.forEach(c => signalGroup(c, "SIGTERM"));
            setTimeout(() => children.forEach(c => signalGroup(c, "SIGKILL")), killGraceMs).unref();
        }, timeoutMs);
        return () => clearTimeout(timer);
    };
    return {
        interrupt(signal) {
            const running = [...live];
            running.forEach(c => signalGroup(c, signal));
            return running.length;
        },
        capture: (command, args, opts) => new Promise(resolve => {
            let stdout = "";
            let stderr = "";
            let timedOut = false;
            let clear = () => {};
            const child = start(command, args, ["ignore", "pipe", "pipe"], (status, error) => {
                clear();
                if (error) {
                    resolve({ status: null, stdout, stderr: `${stderr}${command}: ${error.message}` });
                } else {
                    resolve({ status: timedOut ? null : status, stdout, stderr: timedOut ? `${stderr}\n${command}: no answer within ${opts.timeoutMs / 1000} s` : stderr });
                }
            });
            child.stdout?.on("data", d => (stdout += d));
            child.stderr?.on("data", d => (stderr += d));
            clear = deadline([child], opts.timeoutMs, () => (timedOut = true));
        }),
        stream: (command, args, opts) => new Promise(resolve => {
            const started = Date.now();
            const out = opts.logFile ? fs.openSync(opts.logFile, "a") : undefined;
            let finish: (status: number | null) => void = () => {};
            const child = start(command, args, ["ignore", out ?? "inherit", out ?? "inherit"], (status, error) => {
                if (error) {
                    log(`  ${command}: ${error.message}`);
                }
                finish(error ? null : status);
            });
            finish = watch([child], opts, started, status => {
                if (out !== undefined) {
                    fs.closeSync(out);
                    if (status !== 0) {
                        log(`  last lines of ${opts.logFile}:`);
                        fs.readFileSync(opts.logFile!, "utf8").trimEnd().split("\n").slice(-15).forEach(l => log(`    ${l}`));
                    }
                }
                resolve(status);
            });
        }),
        pipe: (from, to, opts) => new Promise(resolve => {
            const started = Date.now();
            const statuses: Array<number | null> = [];
            let finish: (status: number | null) => void = () => {};
            let producer: ChildProcess | undefined;
            let consumer: ChildProcess | undefined;
            const one = (status: number | null) => {
                statuses.push(status);
                if (status !== 0) {
                    // Closing our end of the producer's output ends a producer that forked (its writes fail),
                    // and the groups go too.
                    producer?.stdout?.unpipe();
                    producer?.stdout?.destroy();
                    [producer, consumer].forEach(c => c && signalGroup(c, "SIGTERM"));
                }
                if (statuses.length === 2) {
                    finish(statuses.every(x => x === 0) ? 0 : statuses.find(x => x !== 0) ?? null);
                }
            };
            const ended = (command: string) => (status: number | null, error?: Error) => {
                if (error) {
                    log(`  ${command}: ${error.message}`);
                }
                one(error ? null : status);
            };
            producer = start(from[0], from[1], ["ignore", "pipe", "inherit"], ended(from[0]));
            consumer = start(to[0], to[1], ["pipe", "inherit", "inherit"], ended(to[0]));
            producer.stdout!.pipe(consumer.stdin!);
            // A consumer that stops reading (failed import) must not leave the producer blocked, nor crash us.
            consumer.stdin!.on("error", () => producer && signalGroup(producer, "SIGTERM"));
            finish = watch([producer, consumer], opts, started, resolve);
        }),
    };

    /** The heartbeat and the deadline of streamed children; `done` is called once, with null past the deadline. */
    function watch(children: ChildProcess[], opts: StreamOptions, started: number, done: (status: number | null) => void) {
        let timedOut = false;
        let finished = false;
        const heartbeat = opts.quiet || opts.logFile
            ? setInterval(() => log(`  … still ${opts.what} (${formatElapsed(Date.now() - started)}${opts.logFile ? `, output in ${opts.logFile}` : ""})`), heartbeatMs)
            : undefined;
        const clear = deadline(children, opts.timeoutMs, () => {
            timedOut = true;
            log(`  ${opts.what}: still running after ${formatElapsed(opts.timeoutMs)}, stopping it`);
        });
        return (status: number | null) => {
            if (finished) {
                return;
            }
            finished = true;
            clear();
            if (heartbeat) {
                clearInterval(heartbeat);
            }
            done(timedOut ? null : status);
        };
    }
}
