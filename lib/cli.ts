// How a command for this stack is typed. The dev stack's state lives in this folder (.pulumi-state),
// reached through ./pulumi-dev, which sets the backend and passphrase; every other stack uses plain
// `pulumi` with whatever backend it was created in. The program prints commands (stack outputs,
// error messages) in the form that works for the stack it runs for: the backend in use decides, so
// a stack's outputs stay the same from run to run.
import * as fs from "fs";
import * as path from "path";

/** The wrapper for the dev stack, relative to the project folder. */
export const DEV_CLI = "./pulumi-dev";
/** The stack `npm run up:kind` manages (Pulumi.dev.yaml): the only one that may deploy to the current context. */
export const DEV_STACK_NAME = "dev";
/** The folder ./pulumi-dev keeps the dev stack's state in, relative to the project folder. */
export const DEV_STATE_DIR = ".pulumi-state";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/** A path with its symbolic links resolved, as far as it exists. */
function real(p: string): string {
    try {
        return fs.realpathSync(p);
    } catch {
        return path.resolve(p);
    }
}

/**
 * `./pulumi-dev` when the backend is the project's own state folder, `pulumi` otherwise. Paths are
 * compared with their symbolic links resolved: a checkout reached through a link names the same
 * folder two ways (the shell's logical path in ./pulumi-dev, Node's real one here).
 */
export function pulumiCli(env: NodeJS.ProcessEnv = process.env, root: string = PROJECT_ROOT): string {
    const url = env.PULUMI_BACKEND_URL?.replace(/\/+$/, "");
    if (!url?.startsWith("file://")) {
        return "pulumi";
    }
    return real(url.slice("file://".length)) === real(path.join(root, DEV_STATE_DIR)) ? DEV_CLI : "pulumi";
}

/** The backend ./pulumi-dev sets: what the program sees when the dev stack runs. */
export function devBackendUrl(root: string = PROJECT_ROOT): string {
    return `file://${path.join(root, DEV_STATE_DIR)}`;
}
