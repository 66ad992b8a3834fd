import * as assert from "assert";
import { DEFAULTS } from "../../config/defaults";
import { devStackImages, nodeImages, normaliseImage, planImageLoads } from "./images";

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
});
