// Container image references (the distribution reference grammar, github.com/distribution/reference):
// [registry[:port]/]path[:tag][@algorithm:digest]. One home for the pin rule that config and the
// policy pack both apply.

export interface ImageReference {
    /** Registry host (with port) and repository path. */
    name: string;
    tag?: string;
    digest?: string;
}

// A path component: lowercase alphanumerics, separated by '.', '_', '__' or any number of '-'.
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
// A registry host: a domain (may have upper case, dots and a port) or an IPv6 literal in brackets.
const DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-zA-Z=_-]+))?$`);
/** The digests that pin: sha256 with 64 lowercase hex digits (what registries serve). */
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** Parses an image reference; undefined when it is malformed. */
export function parseImageReference(image: string): ImageReference | undefined {
    const m = REFERENCE.exec(image);
    if (!m || m[1].length > 255) {
        return undefined;
    }
    return { name: m[1], ...(m[2] !== undefined ? { tag: m[2] } : {}), ...(m[3] !== undefined ? { digest: m[3] } : {}) };
}

/**
 * Why an image reference does not pin what runs, or undefined when it does: a well-formed reference
 * with a sha256 digest of 64 hex digits, or a tag other than `latest`.
 */
export function imagePinProblem(image: string): string | undefined {
    const ref = parseImageReference(image);
    if (ref === undefined) {
        return "it is not a valid image reference";
    }
    if (ref.digest !== undefined) {
        return SHA256.test(ref.digest) ? undefined : `its digest ${ref.digest} is not sha256: and 64 hex digits`;
    }
    if (ref.tag === undefined) {
        return "it has neither a tag nor a digest (it would mean latest)";
    }
    return ref.tag === "latest" ? "its tag is latest" : undefined;
}

/** Whether a container image reference pins what runs (see imagePinProblem). */
export function imageIsPinned(image: string): boolean {
    return imagePinProblem(image) === undefined;
}
