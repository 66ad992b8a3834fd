// Reads raw config strings, applies defaults and collects every problem instead of stopping at the
// first. After recording a problem each read returns a usable fallback (the default), so assembling
// the settings needs no non-null assertions; loadSettings() throws before any of it is used.
import * as semver from "semver";
import * as pulumi from "@pulumi/pulumi";
import { imagePinProblem } from "../lib/images";
import { urlProblem } from "../lib/urls";

/** Every problem found in the stack configuration, reported together. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** Where the raw values come from, by fully qualified key (`project:key`, `kubernetes:context`), and where warnings go. */
export interface ConfigSource {
    get(fullKey: string): string | undefined;
    isSecret(fullKey: string): boolean;
    warn(message: string): void;
}

/** The running program's stack configuration; its warnings are the engine's (shown at every preview and up). */
const PULUMI_CONFIG: ConfigSource = {
    get: fullKey => pulumi.runtime.getConfig(fullKey),
    // Exported by the SDK's runtime but missing from its type declarations.
    isSecret: fullKey => (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(fullKey),
    warn: message => pulumi.log.warn(message),
};

/**
 * Values given as a map (a stack file read offline, as the autoscaling twin does): nothing is secret
 * there, and warnings are left to the program, which says them once when it reads the same stack.
 */
export function valuesSource(values: Readonly<Record<string, string>>): ConfigSource {
    return { get: fullKey => values[fullKey], isSecret: () => false, warn: () => undefined };
}

export class ConfigReader {
    private readonly problems: string[] = [];

    constructor(readonly project: string, private readonly source: ConfigSource = PULUMI_CONFIG) {}

    /** A raw value by its fully qualified key, without a default. */
    raw(fullKey: string): string | undefined {
        return this.source.get(fullKey);
    }

    /** The problems found so far. */
    found(): readonly string[] {
        return this.problems;
    }

    /** `project:key`, as messages name settings. */
    key(key: string): string {
        return `${this.project}:${key}`;
    }

    /** A valid setting worth a word (a licence, say): the program's warnings, not a problem. */
    warn(message: string): void {
        this.source.warn(message);
    }

    problem(message: string): void {
        this.problems.push(message);
    }

    throwIfProblems(): void {
        if (this.problems.length > 0) {
            throw new ConfigError(this.problems);
        }
    }

    /** Whether the key is set at all (a default does not count). */
    isSet(key: string): boolean {
        return this.raw(this.key(key)) !== undefined;
    }

    /** Whether the key is stored as a secret (`pulumi config set --secret`). */
    isSecret(key: string): boolean {
        return this.source.isSecret(this.key(key));
    }

    string(key: string, fallback: string): string {
        return this.raw(this.key(key)) ?? fallback;
    }

    secret(key: string): pulumi.Output<string> {
        if (this.source === PULUMI_CONFIG) {
            return new pulumi.Config().requireSecret(key);
        }
        const value = this.raw(this.key(key));
        if (value === undefined) {
            throw new Error(`Missing required configuration variable '${this.key(key)}'`);
        }
        return pulumi.secret(value);
    }

    choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
        const value = this.raw(this.key(key)) ?? fallback;
        if (!(allowed as readonly string[]).includes(value)) {
            this.problem(`${this.key(key)} = ${JSON.stringify(value)} is not allowed: use one of ${allowed.join(" | ")}`);
            return fallback;
        }
        return value as T;
    }

    boolean(key: string, fallback: boolean): boolean {
        const raw = this.raw(this.key(key));
        if (raw === undefined) {
            return fallback;
        }
        if (raw !== "true" && raw !== "false") {
            this.problem(`${this.key(key)} = ${JSON.stringify(raw)} is not a boolean: use true or false`);
            return fallback;
        }
        return raw === "true";
    }

    integer(key: string, fallback: number, min: number, max: number): number {
        const raw = this.raw(this.key(key));
        if (raw === undefined) {
            return fallback;
        }
        if (!/^-?[0-9]+$/.test(raw.trim())) {
            this.problem(`${this.key(key)} = ${JSON.stringify(raw)} is not a whole number: use an integer from ${min} to ${max}`);
            return fallback;
        }
        const value = Number(raw.trim());
        if (value < min || value > max) {
            this.problem(`${this.key(key)} = ${value} is too ${value < min ? "small" : "large"}: use an integer from ${min} to ${max}`);
            return fallback;
        }
        return value;
    }

    /** A container image pinned to a tag (not `latest`) or a sha256 digest, so every run deploys the same image. */
    pinnedImage(key: string, fallback: string): string {
        const value = this.string(key, fallback);
        const problem = imagePinProblem(value);
        if (problem) {
            this.problem(`${this.key(key)} = ${JSON.stringify(value)} is not a pinned image (${problem}): use <image>:<tag> ` +
                "or <image>@sha256:<64 hex digits>, never latest");
        }
        return value;
    }

    /** An exact chart version (semver: `1.30.3`), never a range or `latest`, so every run installs the same chart. */
    chartVersion(key: string, fallback: string): string {
        const value = this.string(key, fallback);
        if (semver.valid(value) !== value) {
            this.problem(`${this.key(key)} = ${JSON.stringify(value)} is not an exact chart version: ` +
                `pin one like ${fallback} (no ranges, no "latest")`);
            return fallback;
        }
        return value;
    }

    /**
     * A Helm chart repository: an https:// repository or an oci:// registry (a mirror, say). Never
     * plain http://: charts run with cluster-admin rights, so where they come from must be authenticated.
     */
    chartRepository(key: string, fallback: string): string {
        const value = this.string(key, fallback);
        const problem = urlProblem(value, ["https", "oci"], "this program installs charts from repositories that need no " +
            "credentials: use a mirror that needs none (an https:// repository or an oci:// registry)");
        if (problem || !/^(https|oci):\/\/[^\s/]+(\/\S*)?$/.test(value)) {
            this.problem(`${this.key(key)} = ${problem ?? `${JSON.stringify(value)} is not a chart repository`}: use an https:// repository ` +
                "URL or an oci:// registry path (plain http:// is not accepted)");
        }
        return value;
    }

    /**
     * An http(s) URL, or empty when `optional`; never with credentials inside (`instead` says where they go).
     * A value stored as a secret is read the same way; the caller keeps it secret.
     */
    httpUrl(key: string, fallback: string, instead: string): string {
        // A secret value is read raw too; the caller keeps it secret.
        const value = this.string(key, fallback);
        if (value !== "") {
            const problem = urlProblem(value, ["http", "https"], instead);
            if (problem || /\s/.test(value)) {
                this.problem(`${this.key(key)} = ${problem ?? `${JSON.stringify(value)} contains white space`} (or leave it empty)`);
            }
        }
        return value;
    }
}
