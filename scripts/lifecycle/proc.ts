// The process boundary of the laptop scripts: every command they run goes through a Proc, which
// tests replace with a scripted one. Every run has a deadline; a run past it is stopped.
import { spawn } from "child_process";

export interface Captured {
    /** Exit status; null when the command could not start, was killed, or ran past its deadline. */
    status: number | null;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    timeoutMs: number;
}

export interface Proc {
    /** Runs quietly, its output captured. */
    capture(command: string, args: string[], opts: RunOptions): Promise<Captured>;
    /**
     * Runs on the terminal, its own progress visible. When `quiet` (a command that prints little while
     * it works, like `kind load`), a line every `heartbeatMs` says it is still at it.
     */
    stream(command: string, args: string[], opts: RunOptions & { what: string; quiet?: boolean }): Promise<number | null>;
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
            const child = launch(command, args, "inherit");
            let timedOut = false;
            const heartbeat = opts.quiet
                ? setInterval(() => log(`  … still ${opts.what} (${formatElapsed(Date.now() - started)})` ), heartbeatMs)
                : undefined;
            const clear = deadline(child, opts, () => {
                timedOut = true;
                log(`  ${opts.what}: still running after ${formatElapsed(opts.timeoutMs)}, stopping it`);
            });
            const done = (status: number | null) => {
                clear();
                if (heartbeat) {
                    clearInterval(heartbeat);
                }
                resolve(timedOut ? null : status);
            };
            child.on("error", e => {
                log(`  ${command}: ${e.message}`);
                done(null);
            });
            child.on("close", done);
        }),
    };
}
