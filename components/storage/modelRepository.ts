import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ModelStore } from "./modelStore";
import { repositoryFingerprint, RepositoryFile } from "../../lib/tritonRepository";

export interface ModelRepositoryArgs {
    /** The object store the repository is kept in. */
    store: ModelStore;
    /** Key prefix of the repository in the bucket. */
    prefix: string;
    /** The validated, hashed files of the local repository folder. */
    files: RepositoryFile[];
}

/**
 * The Triton model repository in the object store: every file of the local repository folder
 * uploaded under a prefix, one object per file, whichever store holds them.
 */
export class ModelRepository extends pulumi.ComponentResource {
    /** The repository as Seldon's `modelUri`: `s3://<bucket>/<prefix>`. */
    public readonly modelUri: pulumi.Output<string>;
    /** A hash of every file's key and content: changes exactly when the served model does. */
    public readonly fingerprint: string;

    constructor(name: string, args: ModelRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:storage:ModelRepository", name, {}, opts);
        const { store } = args;
        for (const file of args.files) {
            new aws.s3.BucketObjectv2(`${name}/${file.relativePath}`, repositoryObjectArgs(store.bucketName, file), {
                parent: this,
                dependsOn: store.uploadsAfter,
                ...(store.uploadProvider ? { provider: store.uploadProvider } : {}),
            });
        }
        this.modelUri = pulumi.interpolate`s3://${store.bucketName}/${args.prefix}`;
        this.fingerprint = repositoryFingerprint(args.files);
        this.registerOutputs({ modelUri: this.modelUri });
    }
}

/** The upload of one repository file: its key keeps the Triton layout, its hash drives re-uploads. */
export function repositoryObjectArgs(bucket: pulumi.Input<string>, file: RepositoryFile): aws.s3.BucketObjectv2Args {
    return {
        bucket,
        key: file.key,
        // Relative to the project folder (Pulumi's working directory), so the asset reads the same on every machine.
        source: new pulumi.asset.FileAsset(path.relative(process.cwd(), file.path)),
        sourceHash: file.sha256,
        contentType: file.relativePath.endsWith(".pbtxt") ? "text/plain" : "application/octet-stream",
    };
}
