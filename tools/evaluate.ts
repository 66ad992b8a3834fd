// Evaluates the whole Pulumi program under the SDK's runtime mocks, without an engine, a backend, a
// cluster or a cloud account, and records every resource it registers: type, name, inputs (and which
// of them are secret), parent, dependencies and provider. The tests and the offline plan use it.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { onComponentOutputs, onRegistration, SECRET_SIG, SIG_KEY, waitForRegistrations } from "./sdkInternals";

export const PROJECT = "scalable-serving";
export const ROOT = path.resolve(__dirname, "..");
/** The program's entry point. */
const PROGRAM = path.join(ROOT, "index.ts");


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
    /** Input name → URNs of the resources that input's value came from. */
    propertyDependencies: Record<string, string[]>;
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
    /** What the mocked providers answer (ids, outputs, data source calls). */
    mocks: pulumi.runtime.Mocks;
    /** Keys (with or without the `scalable-serving:` namespace) whose values are stored as secrets. */
    secrets?: string[];
    stack?: string;
    /** Evaluate as `pulumi preview` (unknown outputs stay unknown). */
    preview?: boolean;
}

/** Runs the program (index.ts) once with the given stack config. */
export async function runProgram(config: Record<string, string>, options: RunOptions): Promise<ProgramRun> {
    const qualify = (k: string) => (k.includes(":") ? k : `${PROJECT}:${k}`);
    const allConfig: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) {
        allConfig[qualify(k)] = v;
    }
    pulumi.runtime.setAllConfig(allConfig, (options.secrets ?? []).map(qualify));
    await pulumi.runtime.setMocks(options.mocks, PROJECT, options.stack ?? "dev", options.preview ?? false);

    const resources: RegisteredResource[] = [];
    onRegistration((req, urn) => resources.push({
        ...req,
        urn,
        inputs: unwrapSecrets(req.inputs),
        secretPaths: secretPaths(req.inputs, ""),
    }));
    const componentOutputs = new Map<string, Record<string, StackOutput>>();
    onComponentOutputs((urn, raw) => componentOutputs.set(urn, Object.fromEntries(Object.entries(raw).map(
        ([k, v]) => [k, { value: unwrapSecrets(v), secret: isSecretValue(v) }]))));

    purgeProjectModules();
    let error: Error | undefined;
    const outputs: Record<string, StackOutput> = {};
    // The SDK records a stack trace on every promise it makes (runtime/debuggable.js, for its leak
    // report), formatted through the source maps tsx turns on: two thirds of an evaluation's time.
    // Nothing here reads them; an error the program throws still names the line that threw it.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    try {
        const program = require(PROGRAM);
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
    try {
        await waitForRegistrations();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
    return makeRun(resources, outputs, componentOutputs, error);
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

/**
 * Forgets the program, so the next require evaluates it afresh with the new config. The program is
 * index.ts: the only module that does anything as it loads (reads the stack's settings, registers
 * resources). Every other module of the project only defines functions, classes and constants, and
 * holds no state between evaluations (tests/project.test.ts checks it), so it is loaded once: loading
 * all of them again cost a third of each evaluation.
 */
function purgeProjectModules(): void {
    delete require.cache[PROGRAM];
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
