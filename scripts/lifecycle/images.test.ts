import * as assert from "assert";
import { DEFAULTS } from "../../config/defaults";
import { criSnapshotter, devStackImages, imageDisk, nodeImages, normaliseImage, planImageLoads, preloadDiskGB, saveHasPlatform, streamLoadCommands } from "./images";

describe("images to preload into the kind node (scripts/lifecycle/images.ts)", () => {
    it("Triton from the stack config (or the default) and Seldon's three images at the pinned version", () => {
        assert.deepStrictEqual(devStackImages("config:\n  scalable-serving:clusterFlavour: kind\n").map(i => i.image), [
            DEFAULTS.tritonImage,
            "docker.io/seldonio/seldon-core-operator:1.17.1",
            "docker.io/seldonio/seldon-core-executor:1.17.1",
            "docker.io/seldonio/rclone-storage-initializer:1.17.1",
        ]);
        const custom = devStackImages("config:\n  scalable-serving:tritonImage: nvcr.io/nvidia/tritonserver:24.12-py3\n");
        assert.strictEqual(custom[0].image, "nvcr.io/nvidia/tritonserver:24.12-py3");
    });

    it("names images the way containerd lists them", () => {
        assert.strictEqual(normaliseImage("seldonio/seldon-core-executor:1.17.1"), "docker.io/seldonio/seldon-core-executor:1.17.1");
        assert.strictEqual(normaliseImage("node:22"), "docker.io/library/node:22");
        assert.strictEqual(normaliseImage("nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3"), "nvcr.io/nvidia/tritonserver:25.01-pyt-python-py3");
        assert.strictEqual(normaliseImage("localhost:5000/m:1"), "localhost:5000/m:1");
    });

    it("loads what the node lacks, skips what it has and what is pinned by digest", () => {
        const crictl = JSON.stringify({ images: [
            { repoTags: ["docker.io/seldonio/seldon-core-operator:1.17.1"], repoDigests: [] },
            { repoTags: ["docker.io/kindest/kindnetd:v20250512"] },
        ] });
        const digest = `nvcr.io/nvidia/tritonserver@sha256:${"a".repeat(64)}`;
        const plan = planImageLoads([
            { image: digest, why: "Triton" },
            { image: "seldonio/seldon-core-operator:1.17.1", why: "operator" },
            { image: "seldonio/seldon-core-executor:1.17.1", why: "executor" },
        ], nodeImages(crictl));
        assert.deepStrictEqual(plan.load.map(i => i.image), ["seldonio/seldon-core-executor:1.17.1"]);
        assert.deepStrictEqual(plan.present.map(i => i.image), ["seldonio/seldon-core-operator:1.17.1"]);
        assert.deepStrictEqual(plan.skipped.map(i => i.image), [digest]);
        assert.match(plan.skipped[0].reason, /digest/);
    });

    it("finds the CRI snapshotter in containerd's config dump, version 3 (containerd 2) and version 2, as kind does", () => {
        const v3 = 'version = 3\n[plugins]\n  [plugins."io.containerd.cri.v1.images"]\n    snapshotter = "overlayfs"\n  [plugins."io.containerd.cri.v1.runtime"]\n    snapshotter = "wrong"\n';
        assert.strictEqual(criSnapshotter(v3), "overlayfs");
        const v2 = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "fuse-overlayfs"\n[plugins."io.containerd.grpc.v1.cri".registry]\n';
        assert.strictEqual(criSnapshotter(v2), "fuse-overlayfs");
        assert.strictEqual(criSnapshotter('version = 3\n[plugins."io.containerd.cri.v1.images"]\n[plugins."x"]\n  snapshotter = "not-this-section"\n'), undefined);
        assert.strictEqual(criSnapshotter("version = 4\n"), undefined);
        assert.strictEqual(criSnapshotter(""), undefined);
    });

    it("docker save picks a platform from API 1.48 (Docker 28) on, not at 1.47", () => {
        assert.deepStrictEqual(["1.47", "1.48", "1.49", "2.0", "garbage", ""].map(saveHasPlatform), [false, true, true, true, false, false]);
        const { save, importInto } = streamLoadCommands("docker.io/x/y:1", "node", "overlayfs", true);
        assert.deepStrictEqual(save, ["docker", ["save", "--platform", "linux/amd64", "docker.io/x/y:1"]]);
        assert.deepStrictEqual(importInto, ["docker", ["exec", "-i", "node", "ctr", "--namespace=k8s.io", "images", "import", "--platform", "linux/amd64", "--digests", "--snapshotter=overlayfs", "-"]]);
    });

    it("the preload's disk: the host's copy unless Docker has it, plus the node's pair (downloaded and unpacked); nothing for what the node has", () => {
        const wanted = devStackImages("config: {}\n");
        const triton = imageDisk(wanted[0].image);
        assert.deepStrictEqual(triton, { download: 5, unpacked: 10 });
        const seldon = imageDisk(wanted[1].image);
        const all = preloadDiskGB(wanted, () => false, new Set());
        assert.strictEqual(all, Math.round(2 * (15 + 3 * (seldon.download + seldon.unpacked)) * 10) / 10);
        assert.strictEqual(preloadDiskGB(wanted, i => i === wanted[0].image, new Set()), Math.round((all - 15) * 10) / 10);
        assert.strictEqual(preloadDiskGB(wanted, () => true, new Set(wanted.map(w => normaliseImage(w.image)))), 0);
        // An image nobody wrote down counts as a full Triton: the check errs on the safe side.
        assert.deepStrictEqual(imageDisk("example.com/unknown:1"), { download: 8, unpacked: 16 });
    });
});
