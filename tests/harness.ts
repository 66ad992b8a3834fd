// The test harness: evaluates the whole program (tools/evaluate.ts) with mocks that answer like the
// real providers would, and builds the stack configs and model repositories the tests need.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as evaluate from "../tools/evaluate";
import { ROOT } from "../tools/evaluate";

export { PROJECT, ROOT } from "../tools/evaluate";
export type { ProgramRun, RegisteredResource, StackOutput } from "../tools/evaluate";

/** The hostname the mocked ingress gateway Service reports as its load balancer. */
export const MOCK_LOAD_BALANCER = "ingress-1234.eu-west-1.elb.amazonaws.com";

/** The account id returned by the mocked `aws.getCallerIdentity`. */
export const MOCK_ACCOUNT_ID = "123456789012";

const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: any } {
        const state = { ...args.inputs };
        let id = `${args.name}-id`;
        switch (args.type) {
            case "aws:s3/bucket:Bucket":
                id = args.inputs.bucket;
                state.arn = `arn:aws:s3:::${args.inputs.bucket}`;
                break;
            case "aws:iam/user:User":
                id = args.inputs.name;
                state.arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:user${args.inputs.path ?? "/"}${args.inputs.name}`;
                break;
            case "kubernetes:core/v1:Service":
                // Read by the platform on cloud clusters for the ingress gateway's load balancer address.
                state.status = { loadBalancer: { ingress: [{ hostname: MOCK_LOAD_BALANCER }] } };
                id = args.id ?? id;
                break;
            case "random:index/randomString:RandomString":
            case "random:index/randomPassword:RandomPassword":
                // Stable per resource name, like a random value kept in the stack's state.
                state.result = `mock-${args.name}`.slice(0, args.inputs.length);
                break;
            case "aws:iam/accessKey:AccessKey":
                id = "AKIAMOCKREADERKEY000";
                state.secret = "mock-secret-access-key";
                break;
        }
        return { id, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ci`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        }
        throw new Error(`the test harness has no mock for the call ${args.token}`);
    },
};

/** Runs the program (index.ts) once with the given stack config, under the test mocks. */
export function runProgram(config: Record<string, string>, options: Omit<evaluate.RunOptions, "mocks"> = {}): Promise<evaluate.ProgramRun> {
    return evaluate.runProgram(config, { ...options, mocks });
}

/** A temporary Triton model repository folder with the given files (relative path → content). */
export function makeRepository(files: Record<string, string | Buffer>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "model-repo-"));
    for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
    }
    return dir;
}

/** A complete cifar10 repository: the committed config.pbtxt plus a stand-in for the exported model. */
export function cifar10Repository(modelBytes: string = "torchscript stand-in"): string {
    return makeRepository({
        "cifar10-pytorch/config.pbtxt": fs.readFileSync(path.join(ROOT, "model/cifar10-model/cifar10-pytorch/config.pbtxt")),
        "cifar10-pytorch/1/model.ts": modelBytes,
    });
}

/** The smallest valid stack config for tests: a region and a buildable model repository. */
export function baseConfig(overrides: Record<string, string> = {}): Record<string, string> {
    return { "aws:region": "eu-west-1", modelRepositoryPath: cifar10Repository(), ...overrides };
}


export interface ProcessResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs a program asynchronously (a test server in this process keeps answering) and collects its
 * exit status and output; rejects if it has not finished within `timeoutMs` (it is killed then).
 */
export function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<ProcessResult> {
    const timeoutMs = options.timeoutMs ?? 60000;
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", d => (stdout += d));
        child.stderr.on("data", d => (stderr += d));
        if (options.input !== undefined) {
            child.stdin.end(options.input);
        }
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${command} ${args.join(" ")} did not finish within ${timeoutMs} ms:\n${stderr.slice(-2000)}`));
        }, timeoutMs);
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

/** Runs `node <args>` from the project folder (or `cwd`). */
export function runNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ProcessResult> {
    return runProcess(process.execPath, args, options);
}
