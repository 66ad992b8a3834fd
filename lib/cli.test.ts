import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

    it("is ./pulumi-dev when the checkout is reached through a symbolic link (the shell keeps the link, Node resolves it)", () => {
        const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "cli-")));
        const checkout = path.join(base, "checkout");
        fs.mkdirSync(path.join(checkout, ".pulumi-state"), { recursive: true });
        fs.symlinkSync(checkout, path.join(base, "link"));
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: `file://${base}/link/.pulumi-state` }, checkout), DEV_CLI);
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: `file://${checkout}/.pulumi-state` }, path.join(base, "link")), DEV_CLI);
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: `file://${base}/link/.pulumi-state-other` }, checkout), "pulumi");
    });
});
