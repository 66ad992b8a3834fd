import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ModelRepositoryError, scanModelRepository } from "./tritonRepository";
import { makeRepository } from "../tests/harness";

describe("scanModelRepository", () => {
    it("lists every file sorted by key, with prefix, relative path and SHA-256", () => {
        const dir = makeRepository({
            "b-model/config.pbtxt": "b",
            "b-model/2/model.onnx": "b2",
            "a-model/config.pbtxt": "a",
            "a-model/1/model.ts": "a1",
            "a-model/1/labels/classes.txt": "cat",
        });
        const files = scanModelRepository(dir, "repo/v1");
        assert.deepStrictEqual(files.map(f => f.key), [
            "repo/v1/a-model/1/labels/classes.txt",
            "repo/v1/a-model/1/model.ts",
            "repo/v1/a-model/config.pbtxt",
            "repo/v1/b-model/2/model.onnx",
            "repo/v1/b-model/config.pbtxt",
        ]);
        const model = files.find(f => f.relativePath === "a-model/1/model.ts")!;
        assert.strictEqual(model.path, path.join(dir, "a-model/1/model.ts"));
        assert.strictEqual(model.sha256, crypto.createHash("sha256").update("a1").digest("hex"));
    });

    it("skips hidden files and folders", () => {
        const dir = makeRepository({
            "m/config.pbtxt": "m",
            "m/1/model.ts": "x",
            "m/.DS_Store": "x",
            ".git/config": "x",
            "m/1/.ipynb_checkpoints/model.ts": "x",
        });
        assert.deepStrictEqual(scanModelRepository(dir, "p").map(f => f.relativePath), ["m/1/model.ts", "m/config.pbtxt"]);
    });

    it("rejects a model whose version folders are empty or missing", () => {
        const dir = makeRepository({ "m/config.pbtxt": "m", "m/1/.gitkeep": "" });
        assert.throws(() => scanModelRepository(dir, "p"), (e: Error) =>
            e instanceof ModelRepositoryError && e.message.includes("m/1/model.ts") && e.message.includes("npm run build:model"));
    });

    it("ignores non-numeric folders when looking for a version", () => {
        const dir = makeRepository({ "m/config.pbtxt": "m", "m/latest/model.ts": "x" });
        assert.throws(() => scanModelRepository(dir, "p"), ModelRepositoryError);
    });

    it("rejects a missing folder and a file in place of a folder", () => {
        assert.throws(() => scanModelRepository("/nonexistent", "p"), /does not exist/);
        const dir = makeRepository({ "file": "x" });
        assert.throws(() => scanModelRepository(path.join(dir, "file"), "p"), /does not exist/);
    });

    it("checks the committed cifar10 repository layout: config only, no model committed", () => {
        const committed = path.join(__dirname, "../model/cifar10-model/cifar10-pytorch");
        assert.ok(fs.existsSync(path.join(committed, "config.pbtxt")));
        const ignore = fs.readFileSync(path.join(__dirname, "../model/.gitignore"), "utf8");
        assert.match(ignore, /^cifar10-model\/\*\/\[0-9\]\*\/$/m);
    });
});
