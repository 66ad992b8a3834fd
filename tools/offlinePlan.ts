// The offline plan: what the program would create for a stack, printed deterministically, so that a
// pull request without credentials can still show (and diff) its infrastructure changes.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { devBackendUrl } from "../lib/cli";
import { DEV_STACK } from "../scripts/lifecycle/devStack";
import { PROJECT, ProgramRun, RegisteredResource, ROOT, runProgram } from "./evaluate";
import { isKubernetesObject } from "../lib/resourceTypes";
import { unbuiltModels } from "../lib/tritonRepository";

/** Shown instead of every secret value. */
export const MASK = "[secret]";

/** Answers of the mocked providers: placeholders that say what the real value would be. */
export const planMocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const state = { ...args.inputs };
        let id = `<${args.name} id>`;
        switch (args.type) {
            case "aws:s3/bucket:Bucket":
                id = args.inputs.bucket;
                state.arn = `arn:aws:s3:::${args.inputs.bucket}`;
                break;
            case "aws:iam/accessKey:AccessKey":
                state.secret = "<generated>";
                break;
            case "random:index/randomString:RandomString":
            case "random:index/randomPassword:RandomPassword":
                state.result = "<generated>";
                break;
            case "kubernetes:core/v1:Service":
                state.status = { loadBalancer: { ingress: [{ hostname: "<load-balancer-address>" }] } };
                id = args.id ?? id;
                break;
        }
        return { id, state };
    },
    call(args) {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
            return { accountId: "<account-id>", arn: "<caller-arn>", userId: "<caller>", id: "<account-id>" };
        }
        throw new Error(`the offline plan cannot answer the call ${args.token}`);
    },
};

export interface StackConfig {
    /** Fully qualified key → value; secure values replaced by MASK. */
    values: Record<string, string>;
    /** Keys whose values are secret. */
    secrets: string[];
}

/** Reads Pulumi.<stack>.yaml; encrypted values cannot be read offline and become placeholders. */
export function readStackConfig(stack: string, root = ROOT): StackConfig {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.readdirSync(root).map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        throw new PlanError(`no stack ${JSON.stringify(stack)}: there is no Pulumi.${stack}.yaml (stacks: ${stacks.join(", ") || "none"})`);
    }
    return stackConfigFromYaml(fs.readFileSync(file, "utf8"));
}

/** A stack file's text (Pulumi.<stack>.yaml) as config values; secure values become MASK. */
export function stackConfigFromYaml(text: string): StackConfig {
    const config = (parse(text)?.config ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = {};
    const secrets: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            values[key] = MASK;
            secrets.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secrets };
}

export class PlanError extends Error {}

/** Applies `--set key=value` overrides; a key without a namespace is the project's. */
export function applyOverrides(config: StackConfig, sets: string[]): StackConfig {
    const values = { ...config.values };
    const overridden = new Set<string>();
    for (const set of sets) {
        const m = /^([A-Za-z0-9_.:-]+)=(.*)$/s.exec(set);
        if (!m) {
            throw new PlanError(`--set ${JSON.stringify(set)} is not key=value`);
        }
        const key = m[1].includes(":") ? m[1] : `${PROJECT}:${m[1]}`;
        values[key] = m[2];
        overridden.add(key);
    }
    // A value given on the command line is plain: it is no longer the stack's secret.
    return { values, secrets: config.secrets.filter(k => !overridden.has(k)) };
}

/**
 * A model that is not built (CI cannot train it) is planned with a placeholder file, so the plan
 * still shows the uploads. Returns the config to evaluate and a note for the reader, if any.
 */
export function withBuildableModel(config: StackConfig): { config: StackConfig; note?: string } {
    const key = `${PROJECT}:modelRepositoryPath`;
    const dir = path.resolve(ROOT, config.values[key] ?? "model/cifar10-model");
    // A missing folder is left to the program's validation, which says what is wrong.
    const unbuilt = fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? unbuiltModels(dir) : [];
    if (unbuilt.length === 0) {
        return { config };
    }
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "plan-model-"));
    fs.cpSync(dir, copy, { recursive: true });
    const missing = unbuilt.map(model => `${model}/1/model.ts`);
    for (const file of missing) {
        fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
        fs.writeFileSync(path.join(copy, file), "placeholder: the model is not built\n");
    }
    return {
        config: { ...config, values: { ...config.values, [key]: copy } },
        note: `the model is not built: planned with a placeholder for ${missing.join(", ")} (its real hash will differ)`,
    };
}

/** Evaluates the program for the config and renders the plan. */
export async function plan(stack: string, config: StackConfig, note?: string): Promise<string> {
    // The dev stack runs through ./pulumi-dev, which sets the project's state folder as the backend:
    // plan it the same way, so the commands it prints are the ones that work for it.
    const saved = process.env.PULUMI_BACKEND_URL;
    if (stack === DEV_STACK.stack && saved === undefined) {
        process.env.PULUMI_BACKEND_URL = devBackendUrl();
    }
    let run: ProgramRun;
    try {
        run = await runProgram(config.values, { stack, secrets: config.secrets, mocks: planMocks });
    } finally {
        if (saved === undefined) {
            delete process.env.PULUMI_BACKEND_URL;
        }
    }
    if (run.error) {
        throw new PlanError(run.error.message);
    }
    return renderPlan(stack, config, run, note);
}


/** The plan as text: config, every resource with its key settings, Kubernetes objects and Helm releases as YAML. */
export function renderPlan(stack: string, config: StackConfig, run: ProgramRun, note?: string): string {
    const lines: string[] = [`# Offline plan of stack ${stack} (${PROJECT})`, ""];
    if (note) {
        lines.push(`Note: ${note}.`, "");
    }
    lines.push("## Config", "");
    for (const key of Object.keys(config.values).sort()) {
        const shown = key.endsWith(":modelRepositoryPath") && path.isAbsolute(config.values[key]) && note ? "(placeholder copy)" : config.values[key];
        lines.push(`${key}: ${config.secrets.includes(key) ? MASK : shown}`);
    }

    const byUrn = new Map(run.resources.map(r => [r.urn, r]));
    const depth = (r: RegisteredResource): number => (r.parent && byUrn.has(r.parent) ? 1 + depth(byUrn.get(r.parent)!) : 0);
    const children = (parent?: string) => run.resources.filter(r => (r.parent && byUrn.has(r.parent) ? r.parent : undefined) === parent)
        .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    lines.push("", `## Resources (${run.resources.length})`, "");
    const walk = (parent?: string) => {
        for (const r of children(parent)) {
            lines.push(`${"  ".repeat(depth(r))}${r.type} ${r.name}${r.custom ? keySettings(r) : ""}`);
            if (r.custom) {
                lines.push(...policyDocuments(r).map(line => `${"  ".repeat(depth(r) + 2)}${line}`));
            }
            walk(r.urn);
        }
    };
    walk(undefined);

    const objects = run.resources.filter(r => isKubernetesObject(r.type)).sort(byTypeAndName);
    lines.push("", `## Kubernetes objects (${objects.length})`, "");
    for (const o of objects) {
        lines.push(`--- # ${o.type} ${o.name}`, stringify(maskObject(o)).trimEnd());
    }

    const releases = run.ofType("kubernetes:helm.sh/v3:Release").sort(byTypeAndName);
    lines.push("", `## Helm releases (${releases.length})`, "");
    for (const r of releases) {
        const { name, chart, version, namespace, repositoryOpts, values } = r.inputs;
        lines.push(`--- # ${name}: ${chart} ${version} from ${repositoryOpts?.repo}, namespace ${namespace}`,
            stringify({ values: values ?? {} }).trimEnd());
    }

    lines.push("", "## Stack outputs", "");
    for (const key of Object.keys(run.outputs).sort()) {
        const o = run.outputs[key];
        if (o.value !== undefined) {
            lines.push(`${key}: ${o.secret ? MASK : truncate(typeof o.value === "string" ? o.value : JSON.stringify(o.value), 400)}`);
        }
    }
    return `${lines.join("\n")}\n`;
}

function byTypeAndName(a: RegisteredResource, b: RegisteredResource): number {
    return `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`);
}

/**
 * A JSON policy document among a resource's inputs (IAM and bucket policies), parsed; undefined for
 * anything else. Shown in full, one statement field a line, so a pull request can read and diff it.
 */
function policyDocument(r: RegisteredResource, key: string): unknown {
    const v = r.inputs[key];
    if (typeof v !== "string" || r.secretPaths.some(p => p === key || p.startsWith(`${key}.`))) {
        return undefined;
    }
    try {
        const doc = JSON.parse(v);
        return doc && typeof doc === "object" && "Statement" in doc ? doc : undefined;
    } catch {
        return undefined;
    }
}

/** The policy documents of a resource as indented JSON lines, under the input's name. */
function policyDocuments(r: RegisteredResource): string[] {
    return Object.keys(r.inputs).sort().flatMap(key => {
        const doc = policyDocument(r, key);
        return doc === undefined ? [] : [`${key}:`, ...JSON.stringify(doc, null, 2).split("\n").map(l => `  ${l}`)];
    });
}

/** Scalar inputs and short structures of a non-Kubernetes resource, secrets masked. */
function keySettings(r: RegisteredResource): string {
    if (isKubernetesObject(r.type) || r.type === "kubernetes:helm.sh/v3:Release") {
        return "";
    }
    const settings = Object.keys(r.inputs).filter(k => !k.startsWith("__")).sort().map(k => {
        const secret = r.secretPaths.some(p => p === k || p.startsWith(`${k}.`));
        const v = r.inputs[k];
        if (secret) {
            return `${k}=${MASK}`;
        }
        if (k === "source" && v && typeof v === "object") {
            return undefined; // a local file asset: its path differs per machine, its hash is sourceHash
        }
        if (policyDocument(r, k) !== undefined) {
            return undefined; // shown in full below the resource
        }
        const text = typeof v === "string" ? v : JSON.stringify(v);
        return `${k}=${text.length > 200 ? `<${text.length} chars, sha256 ${sha(text)}>` : text}`;
    }).filter(Boolean);
    return settings.length ? `  ${settings.join(" ")}` : "";
}

/** A Kubernetes object with Secret values and secret inputs masked, large strings summarised. */
function maskObject(r: RegisteredResource): unknown {
    const obj = structuredClone(r.inputs);
    const isSecret = r.type === "kubernetes:core/v1:Secret";
    if (isSecret) {
        // Show which keys a Secret holds, never their values.
        for (const field of ["data", "stringData"]) {
            if (obj[field] && typeof obj[field] === "object") {
                obj[field] = Object.fromEntries(Object.keys(obj[field]).sort().map(k => [k, MASK]));
            }
        }
    }
    for (const p of r.secretPaths) {
        if (!(isSecret && /^(data|stringData)(\.|$)/.test(p))) {
            setPath(obj, p.split("."), MASK);
        }
    }
    return summariseLongStrings(obj);
}

function setPath(obj: any, parts: string[], value: unknown): void {
    let at = obj;
    for (const part of parts.slice(0, -1)) {
        if (at == null || typeof at !== "object") {
            return;
        }
        at = at[part];
    }
    if (at && typeof at === "object" && parts[parts.length - 1] in at) {
        at[parts[parts.length - 1]] = value;
    }
}

function summariseLongStrings(v: any): any {
    if (typeof v === "string" && v.length > 400) {
        return `<${v.length} chars, sha256 ${sha(v)}>`;
    }
    if (Array.isArray(v)) {
        return v.map(summariseLongStrings);
    }
    if (v && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("__")).map(([k, x]) => [k, summariseLongStrings(x)]));
    }
    return v;
}

function sha(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function truncate(text: string, max: number): string {
    return text.length > max ? `<${text.length} chars, sha256 ${sha(text)}>` : text;
}
