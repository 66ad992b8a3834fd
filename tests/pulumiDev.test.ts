// ./pulumi-dev, run for real with a stand-in `pulumi` first on PATH that reports what it was given.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEV_CLI, pulumiCli } from "../lib/cli";
import { ROOT, runProcess } from "./harness";

describe("./pulumi-dev (the dev stack's pulumi)", () => {
    let bin: string;
    before(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        const fake = path.join(bin, "pulumi");
        fs.writeFileSync(fake, `#!/bin/sh
"${process.execPath}" -e 'const e = process.env; console.log(JSON.stringify({ args: process.argv.slice(1), backend: e.PULUMI_BACKEND_URL, passphrase: e.PULUMI_CONFIG_PASSPHRASE ?? null, cwd: process.cwd() }))' -- "$@"
exit "\${FAKE_STATUS:-0}"
`);
        fs.chmodSync(fake, 0o755);
    });
    after(() => fs.rmSync(bin, { recursive: true, force: true }));

    const run = async (args: string[], env: Record<string, string> = {}, cwd = ROOT) => {
        const base = { ...process.env };
        delete base.PULUMI_BACKEND_URL;
        delete base.PULUMI_CONFIG_PASSPHRASE;
        delete base.PULUMI_CONFIG_PASSPHRASE_FILE;
        const r = await runProcess("sh", [path.join(ROOT, "pulumi-dev"), ...args], { cwd, env: { ...base, PATH: `${bin}:${process.env.PATH}`, ...env } });
        return { status: r.status, seen: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
    };

    it("runs pulumi on the project's state folder with an empty passphrase, every argument as given", async () => {
        const { status, seen } = await run(["config", "set", "--secret", "note", "two words; $(not run)"]);
        assert.strictEqual(status, 0);
        assert.deepStrictEqual(seen.args, ["config", "set", "--secret", "note", "two words; $(not run)"]);
        assert.strictEqual(seen.backend, `file://${ROOT}/.pulumi-state`);
        assert.strictEqual(seen.passphrase, "");
        // The program prints its commands as ./pulumi-dev for exactly this backend.
        assert.strictEqual(pulumiCli({ PULUMI_BACKEND_URL: seen.backend }, ROOT), DEV_CLI);
    });

    it("finds the state folder from another working directory", async () => {
        const { seen } = await run(["stack", "ls"], {}, os.tmpdir());
        assert.strictEqual(seen.backend, `file://${ROOT}/.pulumi-state`);
    });

    it("keeps a passphrase the user set, and leaves a passphrase file alone", async () => {
        assert.strictEqual((await run(["up"], { PULUMI_CONFIG_PASSPHRASE: "s3cret" })).seen.passphrase, "s3cret");
        assert.strictEqual((await run(["up"], { PULUMI_CONFIG_PASSPHRASE_FILE: "/tmp/pass" })).seen.passphrase, null);
    });

    it("exits with pulumi's status", async () => {
        assert.strictEqual((await run(["up"], { FAKE_STATUS: "3" })).status, 3);
    });
});
