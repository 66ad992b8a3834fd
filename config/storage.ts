// Where the model repository comes from (the local folder) and where it is kept (the model store).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { derivedBucketName, IAM_USER_NAME_MAX, readerUserName } from "../lib/names";
import { ModelRepositoryError, RepositoryFile, scanModelRepository } from "../lib/tritonRepository";
import { DEFAULTS, IN_CLUSTER_BUCKET, SECRET_KEYS } from "./defaults";
import { ConfigReader } from "./reader";
import { checkBucketName, checkS3Prefix } from "./rules";
import { ClusterFlavour, MODEL_STORES, ModelRepositorySettings, ModelStoreSettings, READER_CREDENTIALS } from "./types";
import { pulumiCli } from "../lib/cli";
import { parseQuantity } from "../lib/quantity";

/** Where relative paths in the configuration start: the project folder, next to Pulumi.yaml. */
const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The local Triton repository: its folder, validated and hashed, and its key prefix in the bucket. */
export function readModelRepository(read: ConfigReader): ModelRepositorySettings {
    const prefix = read.string("modelPrefix", DEFAULTS.modelPrefix);
    const prefixProblem = checkS3Prefix(prefix);
    if (prefixProblem) {
        read.problem(`${read.key("modelPrefix")} = ${JSON.stringify(prefix)} is not a valid key prefix: ${prefixProblem}`);
    }
    const modelPath = path.resolve(PROJECT_ROOT, read.string("modelRepositoryPath", DEFAULTS.modelRepositoryPath));
    let files: RepositoryFile[] = [];
    try {
        files = scanModelRepository(modelPath, prefix);
    } catch (e) {
        if (!(e instanceof ModelRepositoryError)) {
            throw e;
        }
        read.problem(`${read.key("modelRepositoryPath")} = ${JSON.stringify(modelPath)}: ${e.message}`);
    }
    return { path: modelPath, prefix, files };
}

/**
 * Where the model repository is kept. Secret config is read only once the whole configuration is
 * known to be valid, through the returned function.
 */
export function readModelStore(read: ConfigReader, context: { stack: string; flavour: ClusterFlavour; prefix: string; modelNamespace: string }):
    { kind: ModelStoreSettings["kind"]; settings: () => ModelStoreSettings } {
    const { project } = read;
    const kind = read.choice("modelStore", MODEL_STORES, DEFAULTS.modelStore);
    const bucketSetting = read.string("bucketName", DEFAULTS.bucketName);
    if (bucketSetting !== "") {
        const problem = checkBucketName(bucketSetting);
        if (problem) {
            read.problem(`${read.key("bucketName")} = ${JSON.stringify(bucketSetting)} is not a valid S3 bucket name: ${problem}`);
        }
    }
    const readerMode = read.choice("readerCredentials", READER_CREDENTIALS, DEFAULTS.readerCredentials);
    // Credentials are never accepted in plain text, whatever the mode: the plan and state would show them.
    for (const key of SECRET_KEYS.filter(k => read.isSet(k))) {
        if (!read.isSecret(key)) {
            read.problem(`${read.key(key)} is stored in plain text: set it again with ` +
                `\`${pulumiCli()} config set --secret ${key} <value>\` (and rotate the key if this config was shared)`);
        } else if (kind === "in-cluster" || readerMode === "iam-user") {
            read.problem(`${read.key(key)} is set but ${kind === "in-cluster" ? `${read.key("modelStore")} = "in-cluster" makes its own identities`
                : `${read.key("readerCredentials")} = "iam-user" creates the reader's key`}: remove it (\`${pulumiCli()} config rm ${key}\`) ` +
                "or set readerCredentials to existing");
        }
    }

    // The in-cluster store's settings are checked whatever the store, so a bad value never waits for a
    // switch of the store to show; set with the aws-s3 store, each is named in a warning (storeWarnings).
    const version = read.chartVersion("modelStoreVersion", DEFAULTS.modelStoreVersion);
    const repository = read.chartRepository("modelStoreRepository", DEFAULTS.modelStoreRepository);
    const size = read.string("modelStoreSize", DEFAULTS.modelStoreSize);
    if (!/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti)$/.test(size)) {
        read.problem(`${read.key("modelStoreSize")} = ${JSON.stringify(size)} is not a storage size (like 5Gi or 500Mi)`);
    } else {
        // The models plus room; beyond 64Ti no local disk (kind's volume is a folder on it) has the room.
        const bytes = parseQuantity(size)!;
        if (bytes < 2 ** 30 || bytes > 64 * 2 ** 40) {
            read.problem(`${read.key("modelStoreSize")} = ${JSON.stringify(size)} is out of range: use 1Gi to 64Ti ` +
                "(the store's volume holds the model repository; the cifar10 model is a few hundred KiB)");
        }
    }
    const networkPolicy = read.boolean("modelStoreNetworkPolicy", DEFAULTS.modelStoreNetworkPolicy);
    if (kind === "in-cluster") {
        if (context.flavour === "cloud") {
            read.problem(`${read.key("modelStore")} = "in-cluster" is for the kind flavour (the host uploads through a kind ` +
                `port mapping) but ${read.key("clusterFlavour")} = "cloud": use modelStore aws-s3 on cloud clusters`);
        }
        if (readerMode === "existing") {
            read.problem(`${read.key("readerCredentials")} = "existing" applies to modelStore aws-s3 only: ` +
                "the in-cluster store makes its own identities");
        }
        return { kind, settings: () => ({
            kind: "in-cluster",
            bucketName: bucketSetting || IN_CLUSTER_BUCKET,
            pin: { version, repository },
            size,
            networkPolicy,
            readerNamespace: context.modelNamespace,
        }) };
    }

    if (bucketSetting === "") {
        // The derived name must be valid for any account id: check it with a placeholder of the same length.
        const problem = checkBucketName(derivedBucketName(project, context.stack, "000000000000"));
        if (problem) {
            read.problem(`${read.key("bucketName")} is unset and the name derived from project and stack ` +
                `(${derivedBucketName(project, context.stack, "<account id>")}) is not a valid S3 bucket name: ${problem}; ` +
                `set a bucket name with \`${pulumiCli()} config set bucketName <name>\``);
        }
    }
    const region = new pulumi.Config("aws").get("region") ?? "";
    if (region === "") {
        read.problem("aws:region is not set: the model repository bucket needs a region " +
            `(\`${pulumiCli()} config set aws:region eu-west-1\`), or use \`modelStore: in-cluster\` on kind`);
    } else if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/.test(region)) {
        read.problem(`aws:region = ${JSON.stringify(region)} is not an AWS region name (like eu-west-1 or us-east-2)`);
    }
    if (readerMode === "iam-user" && readerUserName(project, context.stack).length > IAM_USER_NAME_MAX) {
        read.problem(`the stack name ${JSON.stringify(context.stack)} is too long for the reader's IAM user name ` +
            `(${readerUserName(project, context.stack)}, over ${IAM_USER_NAME_MAX} characters): use a shorter stack name ` +
            "or readerCredentials = existing");
    }
    if (readerMode === "existing") {
        for (const key of SECRET_KEYS.filter(k => !read.isSet(k))) {
            read.problem(`${read.key(key)} is not set: readerCredentials = "existing" needs it ` +
                `(\`${pulumiCli()} config set --secret ${key} <value>\`)`);
        }
        // Set but empty (or blank) is no key at all; read raw, never printed.
        for (const key of SECRET_KEYS.filter(k => read.isSet(k) && (read.raw(read.key(k)) ?? "").trim() === "")) {
            read.problem(`${read.key(key)} is empty: readerCredentials = "existing" needs the key itself ` +
                `(\`${pulumiCli()} config set --secret ${key} <value>\`)`);
        }
    }
    return { kind, settings: () => ({
        kind: "aws-s3",
        bucketName: bucketSetting === "" ? undefined : bucketSetting,
        region,
        prefix: context.prefix,
        readerCredentials: readerMode === "existing"
            ? { mode: "existing", accessKeyId: read.secret("readerAccessKeyId"), secretAccessKey: read.secret("readerSecretAccessKey") }
            : { mode: "iam-user" },
        project,
        stack: context.stack,
    }) };
}
