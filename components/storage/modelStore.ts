import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * What the model repository needs from the object store it is kept in, whichever store that is
 * (AWS S3, or the in-cluster SeaweedFS of the local stack).
 */
export interface ModelStore {
    /** The bucket the repository is uploaded to. */
    readonly bucketName: pulumi.Output<string>;
    /** The AWS provider the uploads go through; undefined for the stack's default AWS provider. */
    readonly uploadProvider?: aws.Provider;
    /** What must be in place before the first upload (encryption settings, a health check). */
    readonly uploadsAfter: pulumi.Resource[];
    /** Read-only credentials for the cluster (secrets). */
    readonly reader: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    /** How rclone reaches the store: its provider name (case-sensitive), region and endpoint. */
    readonly rclone: { provider: string; region: string; endpoint?: string };
}
