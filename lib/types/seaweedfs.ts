/** SeaweedFS's S3 identity file (`seaweedfs_s3_config`), as the chart's existingConfigSecret holds it. */
export interface SeaweedfsS3Config {
    identities: SeaweedfsIdentity[];
}

export interface SeaweedfsIdentity {
    name: string;
    credentials: Array<{ accessKey: string; secretKey: string }>;
    /** `Admin`, `Read`, `Write`, `List`, `Tagging`, each optionally limited to a bucket: `Read:<bucket>`. */
    actions: string[];
}
