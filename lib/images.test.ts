import * as assert from "assert";
import { imagePinProblem } from "./images";

describe("image pins", () => {
    it("image pins: real tags and sha256 digests, with registry ports", () => {
        for (const good of ["node:22.20.0-alpine3.22", "localhost:5000/team/triton:25.01", `nvcr.io/nvidia/tritonserver:25.01-py3@sha256:${"0".repeat(64)}`,
            `busybox@sha256:${"f".repeat(64)}`, "[::1]:5000/x:1"]) {
            assert.strictEqual(imagePinProblem(good), undefined, good);
        }
        for (const bad of ["node", "node:latest", "localhost:5000/team/triton", "node:", "node:1.0:2", `x@sha256:${"0".repeat(63)}`, "registry.example.com/UPPER:1"]) {
            assert.ok(imagePinProblem(bad), bad);
        }
    });
});
