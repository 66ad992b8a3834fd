// How a command for this stack is typed. The dev stack's state lives in this folder (.pulumi-state),
// reached through ./pulumi-dev, which sets the backend and passphrase; every other stack uses plain
// `pulumi` with whatever backend it was created in. The program prints commands (stack outputs,
// error messages) in the form that works for the stack it runs for: the backend in use decides, so
// a stack's outputs stay the same from run to run.
import * as path from "path";

/** The wrapper for the dev stack, relative to the project folder. */
export const DEV_CLI = "./pulumi-dev";
/** The folder ./pulumi-dev keeps the dev stack's state in, relative to the project folder. */
export const DEV_STATE_DIR = ".pulumi-state";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/** `./pulumi-dev` when the backend is the project's own state folder, `pulumi` otherwise. */
export function pulumiCli(env: NodeJS.ProcessEnv = process.env, root: string = PROJECT_ROOT): string {
    const url = env.PULUMI_BACKEND_URL?.replace(/\/+$/, "");
    return url === `file://${path.join(root, DEV_STATE_DIR)}` ? DEV_CLI : "pulumi";
}
