// Which images to put into the kind node before `pulumi up`: the large or slow ones every model pod
// waits for (Triton, multi-GB; Seldon's operator, executor and storage initializer). Pulled once on
// the host and streamed into the node's containerd (no tar, one platform), so a first `up` shows the download instead of a
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
    const listed = (JSON.parse(crictlJson) as { images?: Array<{ repoTags?: unknown; repoDigests?: unknown }> } | null)?.images;
    if (!Array.isArray(listed)) {
        throw new Error("no images list");
    }
    const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : []);
    return new Set(listed.flatMap(i => (i && typeof i === "object" ? [...strings(i.repoTags), ...strings(i.repoDigests)] : [])).map(normaliseImage));
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
            // A saved archive names images by tag; a digest-pinned image is pulled by the node itself.
            plan.skipped.push({ ...w, reason: "pinned by digest, which a saved archive cannot carry: the node pulls it during `pulumi up`" });
        } else {
            plan.load.push(w);
        }
    }
    return plan;
}

/**
 * Disk each image takes, in GB, as written down for the preflight (estimates, rounded up: `docker
 * image inspect` and `crictl imagefsinfo` show the real figures). `download` is the compressed layers
 * (what a pull fetches and what containerd keeps in its content store); `unpacked` the layers
 * unpacked into snapshots (what `docker images` calls the size).
 */
const FULL_TRITON = "a full Triton image (every backend)";
export const IMAGE_DISK_GB: Array<{ match: RegExp; download: number; unpacked: number; why: string }> = [
    { match: /\/tritonserver:[^/]*-pyt-python-py3$/, download: 5, unpacked: 10, why: "Triton with the PyTorch and Python backends only" },
    { match: /\/tritonserver:/, download: 8, unpacked: 16, why: FULL_TRITON },
    { match: /\/seldonio\//, download: 0.2, unpacked: 0.5, why: "Seldon's Go and rclone images" },
];

/** The written-down disk of an image; an unknown image counts as a full Triton's, to err on the safe side. */
export function imageDisk(image: string): { download: number; unpacked: number } {
    const { download, unpacked } = IMAGE_DISK_GB.find(s => s.match.test(normaliseImage(image))) ?? IMAGE_DISK_GB.find(s => s.why === FULL_TRITON)!;
    return { download, unpacked };
}

/**
 * The free disk the preload needs where Docker keeps its data (the kind node's containerd lives in a
 * Docker volume there too), in GB: for each image not yet in the node, the host's copy unless Docker
 * has it (downloaded and unpacked: with Docker's containerd image store both are kept), plus the
 * node's copy (containerd keeps the downloaded content and the unpacked snapshot: that pair is the
 * floor). No tar: the image streams from `docker save` into the node's `ctr import`.
 */
export function preloadDiskGB(wanted: PreloadImage[], onHost: (image: string) => boolean, onNode: Set<string>): number {
    const gb = wanted.filter(w => !onNode.has(normaliseImage(w.image))).reduce((total, w) => {
        const { download, unpacked } = imageDisk(w.image);
        return total + (onHost(w.image) ? 0 : download + unpacked) + download + unpacked;
    }, 0);
    return Math.round(gb * 10) / 10;
}

/**
 * The snapshotter the node's CRI unpacks images with, from `containerd config dump` (kind does the same
 * before its own import, kind v0.29.0 pkg/cluster/nodeutils/util.go `parseSnapshotter`): config
 * version 3 keeps it under [plugins."io.containerd.cri.v1.images"], version 2 under
 * [plugins."io.containerd.grpc.v1.cri".containerd]. Undefined when neither says.
 */
export function criSnapshotter(configDump: string): string | undefined {
    const version = /^version\s*=\s*(\d+)/m.exec(configDump)?.[1];
    const section = version === "3" ? '[plugins."io.containerd.cri.v1.images"]' : version === "2" ? '[plugins."io.containerd.grpc.v1.cri".containerd]' : undefined;
    if (!section) {
        return undefined;
    }
    const start = configDump.indexOf(section);
    if (start < 0) {
        return undefined;
    }
    const body = configDump.slice(start + section.length).split(/\n\s*\[/)[0];
    return /^\s*snapshotter\s*=\s*"([^"]+)"/m.exec(body)?.[1];
}

/** The platform every image is loaded for: Seldon 1.17.1's images exist for amd64 only (the preflight checks Docker runs amd64). */
export const NODE_PLATFORM = "linux/amd64";

/**
 * The two ends of the stream that puts an image into the node's containerd, in the `k8s.io` namespace
 * the kubelet uses, for one platform only (an `--all-platforms` import fails on a multi-platform tag
 * pulled for one platform with Docker's containerd image store: kubernetes-sigs/kind#3795, #4224).
 * `docker save --platform` needs Docker 28 (API 1.48); an older Docker saves the one platform it has.
 */
export function streamLoadCommands(image: string, nodeContainer: string, snapshotter: string, savePlatform: boolean): { save: [string, string[]]; importInto: [string, string[]] } {
    return {
        save: ["docker", ["save", ...(savePlatform ? ["--platform", NODE_PLATFORM] : []), image]],
        importInto: ["docker", ["exec", "-i", nodeContainer, "ctr", "--namespace=k8s.io", "images", "import",
            "--platform", NODE_PLATFORM, "--digests", `--snapshotter=${snapshotter}`, "-"]],
    };
}

/** Whether Docker's API version (`docker version --format {{.Server.APIVersion}}`) has `docker save --platform` (1.48, Docker 28). */
export function saveHasPlatform(apiVersion: string): boolean {
    const m = /^(\d+)\.(\d+)/.exec(apiVersion.trim());
    return m !== null && (Number(m[1]) > 1 || Number(m[2]) >= 48);
}
