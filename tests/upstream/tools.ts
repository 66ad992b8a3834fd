// The real upstream programs the upstream tier runs, found on this machine, or a clear failure that
// says how to get them (.ci/run installs them on CI).
import { spawn, spawnSync } from "child_process";

/** The path of `command` if it runs (`<command> <versionArg>` exits 0); throws naming how to install it. */
export function requireTool(command: string, install: string, versionArg = "--version"): string {
    const probe = spawnSync(command, [versionArg], { encoding: "utf8" });
    if (probe.error || probe.status !== 0) {
        throw new Error(`${command} is needed by the upstream tier and was not found or did not run: ${install}`);
    }
    return command;
}

export interface Ran {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a program asynchronously (a server in this process keeps answering), with a deadline. */
export function runTool(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", d => (stdout += d));
        child.stderr.on("data", d => (stderr += d));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${command} ${args.join(" ")} did not finish within ${options.timeoutMs ?? 60000} ms:\n${stderr.slice(-2000)}`));
        }, options.timeoutMs ?? 60000);
        child.on("error", e => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("close", status => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}
