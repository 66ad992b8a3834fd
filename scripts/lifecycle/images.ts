// Which images to put into the kind node before `pulumi up`: the large or slow ones every model pod
// waits for (Triton, multi-GB; Seldon's operator, executor and storage initializer). Pulled once on
// the host and loaded with `kind load docker-image`, so a first `up` shows the download instead of a
// pod sitting in ContainerCreating, and a second run skips what the node already has. Pure.
import { CHARTS } from "../../lib/charts";
import { parseImageReference } from "../../lib/images";
import { devStackSetting } from "./devStack";

export interface PreloadImage {
    /** As the pods name it. */
    image: string;
    why: string;
}

/**
 * Seldon Core's images at the pinned chart version (seldon-core-operator values.yaml: `image`,
 * `executor.image`, `storageInitializer.image`, all tagged with the chart's version; checked against
 * `helm template` in tests/upstream/charts.test.ts).
 */
export function seldonImages(version: string = CHARTS.seldonCore.version): PreloadImage[] {
    return [
        { image: `docker.io/seldonio/seldon-core-operator:${version}`, why: "Seldon's operator" },
        { image: `docker.io/seldonio/seldon-core-executor:${version}`, why: "Seldon's executor, in every model pod" },
        { image: `docker.io/seldonio/rclone-storage-initializer:${version}`, why: "downloads the model in every model pod" },
    ];
}

/** The images to preload for the dev stack, from its stack config file (Triton's may be overridden there). */
export function devStackImages(stackConfigYaml: string): PreloadImage[] {
    return [
        { image: devStackSetting(stackConfigYaml, "tritonImage"), why: "Triton, the model server (about 10 GB)" },
        ...seldonImages(devStackSetting(stackConfigYaml, "seldonCoreVersion")),
    ];
}

/** The fully qualified form containerd lists: `seldonio/x:1` → `docker.io/seldonio/x:1`, `node:22` → `docker.io/library/node:22`. */
export function normaliseImage(image: string): string {
    const ref = parseImageReference(image);
    if (!ref) {
        return image;
    }
    const [first, ...rest] = ref.name.split("/");
    const hasRegistry = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    const name = hasRegistry ? ref.name : rest.length === 0 ? `docker.io/library/${first}` : `docker.io/${ref.name}`;
    return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** The images the node has, from `crictl images -o json` run in it: tags and digests, normalised. */
export function nodeImages(crictlJson: string): Set<string> {
    const listed = (JSON.parse(crictlJson) as { images?: Array<{ repoTags?: string[]; repoDigests?: string[] }> }).images ?? [];
    return new Set(listed.flatMap(i => [...(i.repoTags ?? []), ...(i.repoDigests ?? [])]).map(normaliseImage));
}

export interface LoadPlan {
    /** To pull on the host (when missing there) and load into the node. */
    load: PreloadImage[];
    /** Already in the node: nothing to do. */
    present: PreloadImage[];
    /** Left to the node to pull itself, with the reason. */
    skipped: Array<PreloadImage & { reason: string }>;
}

/** What to do with each wanted image, given what the node has. */
export function planImageLoads(wanted: PreloadImage[], onNode: Set<string>): LoadPlan {
    const plan: LoadPlan = { load: [], present: [], skipped: [] };
    for (const w of wanted) {
        const ref = parseImageReference(w.image);
        if (!ref) {
            plan.skipped.push({ ...w, reason: "not a valid image reference (the program's settings check will say more)" });
        } else if (onNode.has(normaliseImage(w.image))) {
            plan.present.push(w);
        } else if (ref.digest !== undefined) {
            // `kind load docker-image` loads by tag; a digest-pinned image is pulled by the node itself.
            plan.skipped.push({ ...w, reason: "pinned by digest, which kind load cannot load: the node pulls it during `pulumi up`" });
        } else {
            plan.load.push(w);
        }
    }
    return plan;
}
