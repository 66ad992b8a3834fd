/**
 * Whether a container image reference pins what runs: a digest, or a tag other than `latest`
 * (a registry port like `registry:5000/image` is not a tag).
 */
export function imageIsPinned(image: string): boolean {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return true;
    }
    const name = image.slice(image.lastIndexOf("/") + 1);
    const colon = name.indexOf(":");
    return colon > 0 && name.slice(colon + 1) !== "" && name.slice(colon + 1) !== "latest";
}
