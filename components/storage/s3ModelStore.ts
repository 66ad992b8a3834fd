import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ModelStoreSettings } from "../../config";
import { ModelStore } from "./modelStore";
import { derivedBucketName, readerUserName } from "../../lib/names";

/** The AWS store's settings (config/types.ts): bucket, region, the prefix the cluster may read, the reader's credentials. */
export type S3ModelStoreArgs = Omit<Extract<ModelStoreSettings, { kind: "aws-s3" }>, "kind">;

/**
 * The model store on AWS S3: a private, encrypted, versioned, TLS-only bucket, and a read-only
 * identity for the cluster limited to the repository's prefix.
 */
export class S3ModelStore extends pulumi.ComponentResource implements ModelStore {
    public readonly bucketName: pulumi.Output<string>;
    public readonly uploadsAfter: pulumi.Resource[];
    public readonly reader: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    public readonly rclone: { provider: string; region: string };

    constructor(name: string, args: S3ModelStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:storage:S3ModelStore", name, {}, opts);
        const { project, stack } = args;
        const tags = { project, stack, "managed-by": "pulumi" };

        const bucketName = args.bucketName !== undefined
            ? pulumi.output(args.bucketName)
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

        if (args.readerCredentials.mode === "existing") {
            this.reader = {
                accessKeyId: pulumi.secret(args.readerCredentials.accessKeyId),
                secretAccessKey: pulumi.secret(args.readerCredentials.secretAccessKey),
            };
        } else {
            const reader = new aws.iam.User(`${name}-reader`, {
                name: readerUserName(project, stack),
                path: "/scalable-serving/",
                tags,
            }, { parent: this });
            new aws.iam.UserPolicy(`${name}-reader-policy`, {
                user: reader.name,
                name: "read-model-repository",
                policy: bucket.arn.apply(arn => JSON.stringify(readerPolicy(arn, args.prefix))),
            }, { parent: this });
            const key = new aws.iam.AccessKey(`${name}-reader-key`, { user: reader.name }, { parent: this });
            this.reader = { accessKeyId: pulumi.secret(key.id), secretAccessKey: pulumi.secret(key.secret) };
        }

        this.bucketName = bucket.bucket;
        // Upload after encryption and ownership are in place, so every object is stored under them.
        this.uploadsAfter = [encryption, ownership];
        // rclone's provider names are case-sensitive; with AWS it uses virtual-host addressing.
        this.rclone = { provider: "AWS", region: args.region };
        this.registerOutputs({ bucketName: this.bucketName, accessKeyId: this.reader.accessKeyId, secretAccessKey: this.reader.secretAccessKey });
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
