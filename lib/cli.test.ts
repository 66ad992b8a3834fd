import * as assert from "assert";
import { DEV_CLI, pulumiCli } from "./cli";

describe("pulumiCli (lib/cli.ts)", () => {
    it("is ./pulumi-dev for the project's own state folder, with or without a trailing slash", () => {
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: "file:///home/a/scalable-serving/.pulumi-state" }, "/home/a/scalable-serving"), DEV_CLI);
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: "file:///home/a/scalable-serving/.pulumi-state/" }, "/home/a/scalable-serving"), DEV_CLI);
    });

    it("is pulumi for any other backend, or none set (Pulumi Cloud, another folder, S3)", () => {
        assert.strictEqual(pulumiCli({}, "/p"), "pulumi");
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "/p"), "pulumi");
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: "file:///elsewhere/.pulumi-state" }, "/p"), "pulumi");
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: "s3://bucket/state" }, "/p"), "pulumi");
    });
});
