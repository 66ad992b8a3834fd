import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ModelRepositorySettings } from "../config";
import { derivedBucketName, readerUserName } from "../lib/names";
import { RepositoryFile } from "../lib/tritonRepository";

export interface ModelRepositoryArgs {
    /** Validated settings: folder, prefix, files, bucket name, region and reader credentials. */
    settings: ModelRepositorySettings;
    /** Project and stack, from which the bucket and IAM user names are derived when not configured. */
    project: string;
    stack: string;
}

/**
 * The Triton model repository on S3: a private bucket, every file of the local repository folder
 * uploaded under a prefix, and least-privilege read credentials for the cluster.
 */
export class ModelRepository extends pulumi.ComponentResource {
    /** Name of the bucket. */
    public readonly bucketName: pulumi.Output<string>;
    /** The repository as Seldon's `modelUri`: `s3://<bucket>/<prefix>`. */
    public readonly modelUri: pulumi.Output<string>;
    public readonly region: string;
    /** Access key id of the cluster's read-only identity (secret). */
    public readonly accessKeyId: pulumi.Output<string>;
    /** Secret access key of the cluster's read-only identity (secret). */
    public readonly secretAccessKey: pulumi.Output<string>;

    constructor(name: string, args: ModelRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:storage:ModelRepository", name, {}, opts);
        const { settings, project, stack } = args;
        const tags = { project, stack, "managed-by": "pulumi" };

        const bucketName = settings.bucketName !== undefined
            ? pulumi.output(settings.bucketName)
            : aws.getCallerIdentityOutput({}, { parent: this }).accountId
                .apply(accountId => derivedBucketName(project, stack, accountId));

        // The bucket holds only what this stack uploads, so destroying the stack may empty it
        // (versioning would otherwise keep old objects and block the delete).
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: bucketName, forceDestroy: true, tags }, { parent: this });

        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: this });

        // ACLs off: the bucket owner owns every object.
        const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucket.id,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, { parent: this });

        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        }, { parent: this });

        new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, { parent: this });

        // Wait for the public access block: S3 rejects policy writes that race with it.
        new aws.s3.BucketPolicy(`${name}-tls-only`, {
            bucket: bucket.id,
            policy: bucket.arn.apply(arn => JSON.stringify(tlsOnlyBucketPolicy(arn))),
        }, { parent: this, dependsOn: [publicAccess] });

        // Upload after encryption and ownership are in place, so every object is stored under them.
        for (const file of settings.files) {
            new aws.s3.BucketObjectv2(`${name}/${file.relativePath}`, repositoryObjectArgs(bucket.id, file),
                { parent: this, dependsOn: [encryption, ownership] });
        }

        if (settings.readerCredentials.mode === "existing") {
            this.accessKeyId = pulumi.secret(settings.readerCredentials.accessKeyId);
            this.secretAccessKey = pulumi.secret(settings.readerCredentials.secretAccessKey);
        } else {
            const reader = new aws.iam.User(`${name}-reader`, {
                name: readerUserName(project, stack),
                path: "/scalable-serving/",
                tags,
            }, { parent: this });
            new aws.iam.UserPolicy(`${name}-reader-policy`, {
                user: reader.name,
                name: "read-model-repository",
                policy: bucket.arn.apply(arn => JSON.stringify(readerPolicy(arn, settings.prefix))),
            }, { parent: this });
            const key = new aws.iam.AccessKey(`${name}-reader-key`, { user: reader.name }, { parent: this });
            this.accessKeyId = pulumi.secret(key.id);
            this.secretAccessKey = pulumi.secret(key.secret);
        }

        this.bucketName = bucket.bucket;
        this.modelUri = pulumi.interpolate`s3://${bucket.bucket}/${settings.prefix}`;
        this.region = settings.region;
        this.registerOutputs({
            bucketName: this.bucketName,
            modelUri: this.modelUri,
            region: this.region,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
        });
    }
}

/** An IAM policy document, as plain data (the SDK's own type allows Outputs everywhere). */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: "*";
    Action: string | string[];
    Resource: string | string[];
    /** Operator → condition key → value(s), e.g. `{ Bool: { "aws:SecureTransport": "false" } }`. */
    Condition?: Record<string, Record<string, string | string[]>>;
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

/** Denies every request to the bucket that does not use TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    };
}

/**
 * What the cluster may do with the repository: list the keys under the prefix and read them.
 * Nothing else in the bucket, no writes.
 */
export function readerPolicy(bucketArn: string, prefix: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListModelRepository",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: bucketArn,
                Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } },
            },
            {
                Sid: "ReadModelRepository",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: `${bucketArn}/${prefix}/*`,
            },
        ],
    };
}
