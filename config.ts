// Reads the stack configuration once, applies the defaults, validates everything and hands typed
// settings to the components. Invalid settings stop the program before any resource is registered.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { derivedBucketName, IAM_USER_NAME_MAX, readerUserName } from "./lib/names";
import { ModelRepositoryError, RepositoryFile, scanModelRepository } from "./lib/tritonRepository";

export const AUTOSCALERS = ["none", "hpa", "keda"] as const;
export type Autoscaler = typeof AUTOSCALERS[number];

export const READER_CREDENTIALS = ["iam-user", "existing"] as const;
export type ReaderCredentialsMode = typeof READER_CREDENTIALS[number];

/**
 * Defaults of every project setting. `Pulumi.yaml` declares the same values for the CLI; the program
 * applies them itself because the SDK (and so the test harness) does not read `Pulumi.yaml`.
 * A test keeps the two in step.
 */
export const DEFAULTS = {
    autoscaler: "hpa" as Autoscaler,
    replicas: 1,
    minReplicas: 1,
    maxReplicas: 3,
    modelRepositoryPath: "model/cifar10-model",
    modelPrefix: "cifar10-model",
    bucketName: "",
    readerCredentials: "iam-user" as ReaderCredentialsMode,
};

/** Secret settings, read only with `readerCredentials: existing`; they have no default. */
export const SECRET_KEYS = ["readerAccessKeyId", "readerSecretAccessKey"] as const;

/** Credentials the cluster uses to read the model repository. */
export type ReaderCredentials =
    | { mode: "iam-user" }
    | { mode: "existing"; accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };

export interface ModelRepositorySettings {
    /** Absolute path of the Triton model repository folder. */
    path: string;
    /** Key prefix of the repository in the bucket. */
    prefix: string;
    /** The files to upload, validated and hashed. */
    files: RepositoryFile[];
    /** Bucket name, or undefined to derive `<project>-<stack>-<account id>-models`. */
    bucketName?: string;
    /** AWS region of the bucket (the `aws:region` setting). */
    region: string;
    readerCredentials: ReaderCredentials;
}

export interface Settings {
    project: string;
    stack: string;
    autoscaler: Autoscaler;
    /** Replicas of the model when `autoscaler` is `none`. */
    replicas: number;
    minReplicas: number;
    maxReplicas: number;
    modelRepository: ModelRepositorySettings;
}

/** Every problem found in the stack configuration, reported together. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** Where relative paths in the configuration start: the project folder, next to Pulumi.yaml. */
export const PROJECT_ROOT = __dirname;

/** Reads and validates the configuration of the current stack. Throws ConfigError when it is invalid. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const read = new ConfigReader(project);

    const autoscaler = read.choice("autoscaler", AUTOSCALERS, DEFAULTS.autoscaler);
    const replicas = read.integer("replicas", DEFAULTS.replicas, 1);
    const minReplicas = read.integer("minReplicas", DEFAULTS.minReplicas, 1);
    const maxReplicas = read.integer("maxReplicas", DEFAULTS.maxReplicas, 1);
    if (minReplicas !== undefined && maxReplicas !== undefined && maxReplicas < minReplicas) {
        read.problem(`${project}:maxReplicas = ${maxReplicas} is less than ${project}:minReplicas = ${minReplicas}: ` +
            "maxReplicas must be at least minReplicas");
    }

    const prefix = read.string("modelPrefix", DEFAULTS.modelPrefix);
    const prefixProblem = checkS3Prefix(prefix);
    if (prefixProblem) {
        read.problem(`${project}:modelPrefix = ${JSON.stringify(prefix)} is not a valid key prefix: ${prefixProblem}`);
    }

    const bucketSetting = read.string("bucketName", DEFAULTS.bucketName);
    let bucketName: string | undefined;
    if (bucketSetting !== "") {
        const problem = checkBucketName(bucketSetting);
        if (problem) {
            read.problem(`${project}:bucketName = ${JSON.stringify(bucketSetting)} is not a valid S3 bucket name: ${problem}`);
        }
        bucketName = bucketSetting;
    } else {
        // The derived name must be valid for any account id: check it with a placeholder of the same length.
        const problem = checkBucketName(derivedBucketName(project, stack, "000000000000"));
        if (problem) {
            read.problem(`${project}:bucketName is unset and the name derived from project and stack ` +
                `(${derivedBucketName(project, stack, "<account id>")}) is not a valid S3 bucket name: ${problem}; ` +
                "set a bucket name with `pulumi config set bucketName <name>`");
        }
    }

    const region = new pulumi.Config("aws").get("region");
    if (region === undefined || region === "") {
        read.problem("aws:region is not set: the model repository bucket needs a region " +
            "(`pulumi config set aws:region eu-west-1`)");
    } else if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/.test(region)) {
        read.problem(`aws:region = ${JSON.stringify(region)} is not an AWS region name (like eu-west-1 or us-east-2)`);
    }

    const readerMode = read.choice("readerCredentials", READER_CREDENTIALS, DEFAULTS.readerCredentials);
    let readerCredentials: ReaderCredentials = { mode: "iam-user" };
    if (readerMode === "iam-user" && readerUserName(project, stack).length > IAM_USER_NAME_MAX) {
        read.problem(`the stack name ${JSON.stringify(stack)} is too long for the reader's IAM user name ` +
            `(${readerUserName(project, stack)}, over ${IAM_USER_NAME_MAX} characters): use a shorter stack name ` +
            "or readerCredentials = existing");
    }
    if (readerMode === "existing") {
        for (const key of SECRET_KEYS) {
            if (pulumi.runtime.getConfig(`${project}:${key}`) === undefined) {
                read.problem(`${project}:${key} is not set: readerCredentials = "existing" needs it ` +
                    `(\`pulumi config set --secret ${key} <value>\`)`);
            } else if (!isConfigSecret(`${project}:${key}`)) {
                read.problem(`${project}:${key} is stored in plain text: set it again with ` +
                    `\`pulumi config set --secret ${key} <value>\``);
            }
        }
    }

    const modelPath = path.resolve(PROJECT_ROOT, read.string("modelRepositoryPath", DEFAULTS.modelRepositoryPath));
    let files: RepositoryFile[] = [];
    try {
        files = scanModelRepository(modelPath, prefix);
    } catch (e) {
        if (!(e instanceof ModelRepositoryError)) {
            throw e;
        }
        read.problem(`${project}:modelRepositoryPath = ${JSON.stringify(modelPath)}: ${e.message}`);
    }

    read.throwIfProblems();

    if (readerMode === "existing") {
        const config = new pulumi.Config();
        readerCredentials = {
            mode: "existing",
            accessKeyId: config.requireSecret("readerAccessKeyId"),
            secretAccessKey: config.requireSecret("readerSecretAccessKey"),
        };
    }

    return {
        project,
        stack,
        autoscaler: autoscaler!,
        replicas: replicas!,
        minReplicas: minReplicas!,
        maxReplicas: maxReplicas!,
        modelRepository: { path: modelPath, prefix, files, bucketName, region: region!, readerCredentials },
    };
}

/** Returns why `name` is not a valid general-purpose S3 bucket name, or undefined when it is. */
export function checkBucketName(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) {
        return `it must be 3 to 63 characters long (it has ${name.length})`;
    }
    if (!/^[a-z0-9.-]+$/.test(name)) {
        return "only lowercase letters, digits, dots and hyphens are allowed";
    }
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
        return "it must begin and end with a letter or a digit";
    }
    if (name.includes("..")) {
        return "it must not contain two adjacent dots";
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        return "it must not look like an IP address";
    }
    for (const reserved of ["xn--", "sthree-", "amzn-s3-demo-"]) {
        if (name.startsWith(reserved)) {
            return `the prefix ${reserved} is reserved`;
        }
    }
    for (const reserved of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
        if (name.endsWith(reserved)) {
            return `the suffix ${reserved} is reserved`;
        }
    }
    return undefined;
}

/** Returns why `prefix` is not a usable key prefix for the model repository, or undefined when it is. */
export function checkS3Prefix(prefix: string): string | undefined {
    if (prefix === "") {
        return "it must not be empty (Triton needs the repository in a folder of the bucket)";
    }
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
        return "it must not begin or end with '/'";
    }
    const segments = prefix.split("/");
    if (segments.some(s => s === "" || s === "." || s === "..")) {
        return "its segments must not be empty, '.' or '..'";
    }
    if (!/^[A-Za-z0-9._\-/]+$/.test(prefix)) {
        return "only letters, digits, '.', '_', '-' and '/' are allowed";
    }
    if (prefix.length > 512) {
        return `it must be at most 512 characters long (it has ${prefix.length})`;
    }
    return undefined;
}

function isConfigSecret(key: string): boolean {
    // Exported by the SDK's runtime but missing from its type declarations.
    return (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);
}

/** Reads raw config strings, applies defaults and collects every problem instead of stopping at the first. */
class ConfigReader {
    private readonly problems: string[] = [];
    private readonly config = new pulumi.Config();

    constructor(private readonly project: string) {}

    problem(message: string): void {
        this.problems.push(message);
    }

    throwIfProblems(): void {
        if (this.problems.length > 0) {
            throw new ConfigError(this.problems);
        }
    }

    string(key: string, fallback: string): string {
        return this.config.get(key) ?? fallback;
    }

    choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T | undefined {
        const value = this.config.get(key) ?? fallback;
        if (!(allowed as readonly string[]).includes(value)) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(value)} is not allowed: use one of ${allowed.join(" | ")}`);
            return undefined;
        }
        return value as T;
    }

    integer(key: string, fallback: number, min: number): number | undefined {
        const raw = this.config.get(key);
        if (raw === undefined) {
            return fallback;
        }
        if (!/^-?[0-9]+$/.test(raw.trim())) {
            this.problem(`${this.project}:${key} = ${JSON.stringify(raw)} is not a whole number: use an integer ≥ ${min}`);
            return undefined;
        }
        const value = Number(raw.trim());
        if (value < min) {
            this.problem(`${this.project}:${key} = ${value} is too small: use an integer ≥ ${min}`);
            return undefined;
        }
        return value;
    }
}
