// The real upstream programs the upstream tier runs, found on this machine, or a clear failure that
// says how to get them (.ci/run installs them on CI).
import { spawnSync } from "child_process";

/** The path of `command` if it runs (`<command> <versionArg>` exits 0); throws naming how to install it. */
export function requireTool(command: string, install: string, versionArg = "--version"): string {
    const probe = spawnSync(command, [versionArg], { encoding: "utf8" });
    if (probe.error || probe.status !== 0) {
        throw new Error(`${command} is needed by the upstream tier and was not found or did not run: ${install}`);
    }
    return command;
}
