// Deterministic names for cloud resources whose names are global or user-visible. Pulumi's
// auto-naming would add a random suffix; these stay the same on every run of the same stack.

/** Lowercases and replaces anything but letters, digits and hyphens, for use inside resource names. */
export function slug(s: string): string {
    return s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
}

/** The bucket name used when `bucketName` is unset: stable per project, stack and AWS account. */
export function derivedBucketName(project: string, stack: string, accountId: string): string {
    return `${slug(project)}-${slug(stack)}-${accountId}-models`;
}

/** Name of the IAM user that reads the model repository from the cluster. */
export function readerUserName(project: string, stack: string): string {
    return `${slug(project)}-${slug(stack)}-model-reader`;
}

/** IAM user names: at most 64 characters of letters, digits and `+=,.@_-`. */
export const IAM_USER_NAME_MAX = 64;
