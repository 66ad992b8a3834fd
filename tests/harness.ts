// Evaluates the whole Pulumi program under the SDK's runtime mocks for a given stack config and
// returns every resource it registers, with inputs, parent, dependencies and which inputs are secret.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "scalable-serving";
export const ROOT = path.resolve(__dirname, "..");

/** The key the SDK uses to mark a serialized value as secret. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    /** Inputs as the provider receives them, secrets unwrapped. */
    inputs: any;
    /** Dotted paths of the inputs that are marked secret (`stringData.KEY`). */
    secretPaths: string[];
    /** URN of the parent, if any. */
    parent?: string;
    /** URNs this resource depends on explicitly (dependsOn) or through its inputs. */
    dependencies: string[];
    /** Provider reference (`<provider URN>::<id>`) of a custom resource, if one was given. */
    provider?: string;
    custom: boolean;
}

export interface StackOutput {
    value: unknown;
    secret: boolean;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    outputs: Record<string, StackOutput>;
    /** The error the program threw, if it did. */
    error?: Error;
    /** The resource with this type and name; fails the test when there is none. */
    get(type: string, name: string): RegisteredResource;
    ofType(type: string): RegisteredResource[];
    /** The outputs a component registered (`registerOutputs`), each with whether it is secret. */
    componentOutputs(resource: RegisteredResource): Record<string, StackOutput>;
    /** The resource registered under this URN. */
    byUrn(urn: string): RegisteredResource;
    /** True when `from` depends on `to`, directly (dependsOn or an input) or through its parent chain. */
    dependsOn(from: RegisteredResource, to: RegisteredResource): boolean;
}

export interface RunOptions {
    /** Keys (with or without the `scalable-serving:` namespace) whose values are stored as secrets. */
    secrets?: string[];
    stack?: string;
    /** Evaluate as `pulumi preview` (unknown outputs stay unknown). */
    preview?: boolean;
}

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

/** Runs the program (index.ts) once with the given stack config. */
export async function runProgram(config: Record<string, string>, options: RunOptions = {}): Promise<ProgramRun> {
    const qualify = (k: string) => (k.includes(":") ? k : `${PROJECT}:${k}`);
    const allConfig: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) {
        allConfig[qualify(k)] = v;
    }
    pulumi.runtime.setAllConfig(allConfig, (options.secrets ?? []).map(qualify));
    await pulumi.runtime.setMocks(mocks, PROJECT, options.stack ?? "dev", options.preview ?? false);

    const resources: RegisteredResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const record: Omit<RegisteredResource, "urn"> = {
            type: req.getType(),
            name: req.getName(),
            inputs: unwrapSecrets(raw),
            secretPaths: secretPaths(raw, ""),
            parent: req.getParent() || undefined,
            dependencies: req.getDependenciesList(),
            provider: req.getProvider() || undefined,
            custom: req.getCustom(),
        };
        return register(req, (err: any, resp: any) => {
            if (!err) {
                resources.push({ ...record, urn: resp.getUrn() });
            }
            callback(err, resp);
        });
    };

    const componentOutputs = new Map<string, Record<string, StackOutput>>();
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, resp: any) => void) => {
        const raw = req.getOutputs()?.toJavaScript() ?? {};
        componentOutputs.set(req.getUrn(), Object.fromEntries(Object.entries(raw).map(
            ([k, v]) => [k, { value: unwrapSecrets(v), secret: isSecretValue(v) }])));
        return registerOutputs(req, callback);
    };

    purgeProjectModules();
    let error: Error | undefined;
    const outputs: Record<string, StackOutput> = {};
    try {
        const program = require(path.join(ROOT, "index.ts"));
        for (const [key, value] of Object.entries(program)) {
            if (pulumi.Output.isInstance(value)) {
                outputs[key] = { value: await (value as any).promise(), secret: await pulumi.isSecret(value) };
            } else {
                outputs[key] = { value, secret: false };
            }
        }
    } catch (e) {
        error = e as Error;
    }
    await waitForRegistrations();
    return makeRun(resources, outputs, componentOutputs, error);
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

function makeRun(resources: RegisteredResource[], outputs: Record<string, StackOutput>,
    componentOutputs: Map<string, Record<string, StackOutput>>, error?: Error): ProgramRun {
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const run: ProgramRun = {
        resources,
        outputs,
        error,
        get(type, name) {
            const found = resources.filter(r => r.type === type && r.name === name);
            if (found.length !== 1) {
                const names = resources.filter(r => r.type === type).map(r => r.name);
                throw new Error(`expected one ${type} named ${name}, found ${found.length} (${type} names: ${names.join(", ") || "none"})`);
            }
            return found[0];
        },
        ofType: type => resources.filter(r => r.type === type),
        componentOutputs(resource) {
            const registered = componentOutputs.get(resource.urn);
            if (!registered) {
                throw new Error(`${resource.type} ${resource.name} registered no outputs`);
            }
            return registered;
        },
        byUrn(urn) {
            const r = byUrn.get(urn);
            if (!r) {
                throw new Error(`no resource with URN ${urn}`);
            }
            return r;
        },
        dependsOn(from, to) {
            const seen = new Set<string>();
            const visit = (r: RegisteredResource): boolean => {
                if (seen.has(r.urn)) {
                    return false;
                }
                seen.add(r.urn);
                if (r.dependencies.includes(to.urn)) {
                    return true;
                }
                return r.parent !== undefined && byUrn.has(r.parent) && visit(byUrn.get(r.parent)!);
            };
            return visit(from);
        },
    };
    return run;
}

function purgeProjectModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(ROOT + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`) &&
            !file.startsWith(path.join(ROOT, "tests") + path.sep)) {
            delete require.cache[file];
        }
    }
}

async function waitForRegistrations(): Promise<void> {
    // The SDK resolves registrations asynchronously; `waitForRPCs` (internal) drains its queue.
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as any)[SIG_KEY] === SECRET_SIG;
}

function unwrapSecrets(v: any): any {
    if (isSecretValue(v)) {
        return unwrapSecrets(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(unwrapSecrets);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

function secretPaths(v: any, at: string): string[] {
    if (isSecretValue(v)) {
        return [at];
    }
    if (typeof v === "object" && v !== null) {
        return Object.entries(v).flatMap(([k, x]) => secretPaths(x, at === "" ? k : `${at}.${k}`));
    }
    return [];
}
