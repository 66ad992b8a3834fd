// Strict validation of Kubernetes objects, as `kubectl apply` with strict field validation would do:
//   - Kubernetes' own kinds: every field must exist (the field maps of @kubernetes/client-node 1.4.0's
//     generated models, Kubernetes 1.34 OpenAPI), and types, enums and required fields must hold (the
//     JSON schemas of kubernetes-models 4.5.1, the newest that declares Node 20);
//   - custom resources: the openAPIV3Schema of the CRD that the installed charts ship, made strict
//     (objects with declared properties accept no other field unless x-kubernetes-preserve-unknown-fields).
import Ajv, { ValidateFunction } from "ajv";
import * as k8s from "@kubernetes/client-node";
import { RenderedObject } from "./helm";

type TypeMap = Array<{ name: string; baseName: string; type: string; format: string }>;
type ModelClass = { getAttributeTypeMap(): TypeMap };

/** The client-node model class of a built-in kind (`apps/v1` Deployment → V1Deployment), if there is one. */
export function modelClass(apiVersion: string, kind: string): string | undefined {
    const version = apiVersion.split("/").pop()!;
    const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
    return typeof (k8s as Record<string, unknown>)[name] === "function" && "getAttributeTypeMap" in ((k8s as any)[name]) ? name : undefined;
}

/**
 * Fields whose values are resource quantities: the API server decodes a quantity from a number too
 * (`cpu: 1`), though the models type them as strings.
 */
const QUANTITY_FIELDS = new Set(["limits", "requests", "overhead", "hard", "sizeLimit", "storage"]);

/** Fields that the model of `type` does not declare, and values of the wrong JSON type, with their paths. */
function unknownFields(value: unknown, type: string, at: string, quantity = false): string[] {
    if (value === null || value === undefined) {
        return [];
    }
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
        return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1], `${at}[${i}]`)) : [`${at} must be a list`];
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
        return typeof value === "object" && !Array.isArray(value)
            ? Object.entries(value as object).flatMap(([k, v]) => unknownFields(v, map[1], `${at}.${k}`, quantity))
            : [`${at} must be a map`];
    }
    switch (type) {
        case "string": case "Date":
            return typeof value === "string" || (quantity && typeof value === "number") ? [] : [`${at} must be a string, not ${JSON.stringify(value)}`];
        case "number":
            return typeof value === "number" ? [] : [`${at} must be a number, not ${JSON.stringify(value)}`];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${at} must be a boolean, not ${JSON.stringify(value)}`];
        case "IntOrString":
            return typeof value === "number" || typeof value === "string" ? [] : [`${at} must be a number or a string`];
        case "any": case "object":
            return [];
    }
    const model = (k8s as unknown as Record<string, ModelClass>)[type];
    if (!model?.getAttributeTypeMap) {
        return [];
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        return [`${at} must be an object`];
    }
    const fields = new Map(model.getAttributeTypeMap().map(f => [f.baseName, f.type]));
    return Object.entries(value as object).flatMap(([k, v]) => fields.has(k)
        ? unknownFields(v, fields.get(k)!, `${at}.${k}`, QUANTITY_FIELDS.has(k))
        : [`${at}.${k} is not a field of ${type.replace(/^V\d\w*?(?=[A-Z])/, "")} (${[...fields.keys()].join(", ")})`]);
}

/** Types, enums and required fields of a built-in kind (kubernetes-models' schemas). */
async function modelProblems(obj: RenderedObject): Promise<string[]> {
    const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
    let mod: Record<string, any>;
    try {
        mod = await import(`kubernetes-models/${group ? `${group}/` : ""}${version}`);
    } catch {
        return [];
    }
    const Model = mod[obj.kind];
    if (typeof Model !== "function") {
        return [];
    }
    try {
        new Model(obj).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}

/** An openAPIV3Schema made strict: declared properties are the only ones allowed. */
function strict(schema: any): any {
    if (Array.isArray(schema)) {
        return schema.map(strict);
    }
    if (!schema || typeof schema !== "object") {
        return schema;
    }
    const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === "enum" || k === "default" || k === "example" ? v : strict(v)]));
    if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    if (out["x-kubernetes-int-or-string"]) {
        delete out.type;
        out.anyOf = out.anyOf ?? [{ type: "integer" }, { type: "string" }];
    }
    if (out.nullable === true && typeof out.type === "string") {
        out.type = [out.type, "null"];
    }
    return out;
}

/**
 * CRD patterns are Go regular expressions: an inline `(?i)` becomes JavaScript's `i` flag; a pattern
 * JavaScript cannot express is not checked (the API server would check it).
 */
const goRegExp = Object.assign((pattern: string, flags: string) => {
    const insensitive = pattern.includes("(?i)");
    try {
        return new RegExp(pattern.replace(/\(\?i\)/g, ""), insensitive ? `${flags}i` : flags);
    } catch {
        return /[\s\S]*/;
    }
}, { code: "goRegExp" });

/** Validators of the custom resource kinds served by some CRDs, compiled on first use (the CRDs are large). */
export class CrdValidators {
    private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor(private readonly schemas: Map<string, unknown>) {}

    has(key: string): boolean {
        return this.schemas.has(key);
    }

    /** The validator of `group/version/kind`, or undefined when no CRD serves it. */
    get(key: string): ValidateFunction | undefined {
        if (!this.compiled.has(key) && this.schemas.has(key)) {
            this.compiled.set(key, this.ajv.compile(this.schemas.get(key) as object));
        }
        return this.compiled.get(key);
    }
}

/** The strict schemas of every custom resource kind served by the given CRDs, by `group/version/kind`. */
export function crdValidators(crds: RenderedObject[]): CrdValidators {
    const validators = new Map<string, unknown>();
    for (const crd of crds) {
        for (const version of crd.spec?.versions ?? []) {
            const schema = version.schema?.openAPIV3Schema;
            if (schema) {
                // Metadata is checked by the API server's own ObjectMeta, not by the CRD.
                // Every object has apiVersion, kind and metadata, which the API server checks itself.
                const s = strict(schema);
                s.properties = { ...s.properties, apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } };
                validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, s);
            }
        }
    }
    return new CrdValidators(validators);
}

/** Everything wrong with one object; empty when the API server would accept it with strict field validation. */
export async function validateObject(obj: RenderedObject, crds: CrdValidators): Promise<string[]> {
    const name = `${obj.apiVersion} ${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata?.name}`;
    const model = modelClass(obj.apiVersion, obj.kind);
    if (model) {
        return [...unknownFields(obj, model, ""), ...await modelProblems(obj)].map(p => `${name}: ${p}`);
    }
    const validate = crds.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) {
        return [`${name}: no schema: neither a Kubernetes kind nor served by a CRD of the installed charts`];
    }
    return validate(obj) ? [] : (validate.errors ?? []).map(e =>
        `${name}: ${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? `: ${e.params.additionalProperty}` : ""}` +
        `${e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""}`);
}
