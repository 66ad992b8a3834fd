// rclone (Debian's, as the storage initializer runs it) reads the model repository from a real S3
// server that checks request signatures (@20minutes/s3rver), with nothing but the environment of the
// rclone Secret the program builds. The uploads and the Secret are taken from the program itself,
// evaluated as the offline plan does; only the store's address is this test's local server.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { baseConfig, ProgramRun, ROOT, runProcess, runProgram } from "../harness";
import { requireTool } from "./tools";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("@20minutes/s3rver");
const { DUMMY_ACCOUNT } = require("@20minutes/s3rver/lib/models/account");

const RCLONE_INSTALL = "apt-get install rclone (Debian's rclone 1.60; the storage initializer ships 1.59)";

describe("rclone reads the model repository through the Secret the program builds (s3rver)", function () {
    this.timeout(60000);
    let run: ProgramRun;
    let server: { close(): Promise<void> };
    let endpoint: string;
    let secretEnv: Record<string, string>;
    let bucket: string;
    let prefix: string;
    let uploads: Array<{ key: string; file: string }>;

    before(async () => {
        requireTool("rclone", RCLONE_INSTALL, "version");
        run = await runProgram(baseConfig({ modelStore: "in-cluster" }));
        assert.ifError(run.error);
        const provider = run.get("pulumi:providers:aws", "model-store-s3").inputs;
        assert.strictEqual(String(provider.s3UsePathStyle), "true", "the program uploads with path-style addressing");
        const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(run.outputs.modelUri.value as string)!;
        [bucket, prefix] = [uri[1], uri[2]];
        uploads = run.ofType("aws:s3/bucketObjectv2:BucketObjectv2").map(o => ({ key: o.inputs.key, file: path.resolve(ROOT, o.inputs.source.path) }));
        secretEnv = run.get("kubernetes:core/v1:Secret", "cifar10-rclone").inputs.stringData;

        // The store's two identities, with the keys the program generated (mocked here).
        DUMMY_ACCOUNT.createKeyPair(provider.accessKey, provider.secretKey);
        DUMMY_ACCOUNT.createKeyPair(secretEnv.RCLONE_CONFIG_S3_ACCESS_KEY_ID, secretEnv.RCLONE_CONFIG_S3_SECRET_ACCESS_KEY);
        const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-")),
            configureBuckets: [{ name: bucket }] });
        const address: AddressInfo = await s3.run();
        server = s3;
        endpoint = `http://127.0.0.1:${address.port}`;

        // Upload as the program configures it: its provider's region, keys and path-style addressing, its keys per file.
        for (const u of uploads) {
            const up = await runProcess("rclone", ["copyto", u.file, `up:${bucket}/${u.key}`], { env: {
                PATH: process.env.PATH, RCLONE_CONFIG: emptyConfig(),
                RCLONE_CONFIG_UP_TYPE: "s3", RCLONE_CONFIG_UP_PROVIDER: "Other", RCLONE_CONFIG_UP_ENV_AUTH: "false",
                RCLONE_CONFIG_UP_ACCESS_KEY_ID: provider.accessKey, RCLONE_CONFIG_UP_SECRET_ACCESS_KEY: provider.secretKey,
                RCLONE_CONFIG_UP_REGION: provider.region, RCLONE_CONFIG_UP_ENDPOINT: endpoint, RCLONE_CONFIG_UP_FORCE_PATH_STYLE: "true",
            } });
            assert.strictEqual(up.status, 0, up.stderr);
        }
    });

    after(async () => {
        await server?.close();
    });

    /** `rclone copy s3:<bucket>/<prefix> <dir>` as the storage initializer runs it, with only `env`. */
    async function initializerCopy(env: Record<string, string>) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mnt-models-"));
        const result = await runProcess("rclone", ["copy", `s3:${bucket}/${prefix}`, dir, "--retries", "1", "--low-level-retries", "1"],
            { env: { ...env, PATH: process.env.PATH, RCLONE_CONFIG: emptyConfig() }, timeoutMs: 30000 });
        return { dir, result };
    }

    /** The Secret's environment, pointed at this test's server instead of the in-cluster Service. */
    const local = (env: Record<string, string>) => ({ ...env, RCLONE_CONFIG_S3_ENDPOINT: endpoint });

    it("the Secret is rclone's s3 remote for the in-cluster store", () => {
        assert.deepStrictEqual(Object.keys(secretEnv).sort(), ["RCLONE_CONFIG_S3_ACCESS_KEY_ID", "RCLONE_CONFIG_S3_ENDPOINT", "RCLONE_CONFIG_S3_ENV_AUTH",
            "RCLONE_CONFIG_S3_PROVIDER", "RCLONE_CONFIG_S3_REGION", "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY", "RCLONE_CONFIG_S3_TYPE"]);
        assert.strictEqual(secretEnv.RCLONE_CONFIG_S3_ENDPOINT, "http://model-store-s3.seaweedfs.svc.cluster.local:8333");
    });

    it("every file lands byte-identical, in the Triton layout", async () => {
        const { dir, result } = await initializerCopy(local(secretEnv));
        assert.strictEqual(result.status, 0, result.stderr);
        for (const u of uploads) {
            const relative = u.key.slice(prefix.length + 1);
            assert.ok(fs.readFileSync(path.join(dir, relative)).equals(fs.readFileSync(u.file)), `${relative} differs`);
        }
        assert.deepStrictEqual(fs.readdirSync(path.join(dir, "cifar10-pytorch")).sort(), ["1", "config.pbtxt"]);
        assert.deepStrictEqual(fs.readdirSync(path.join(dir, "cifar10-pytorch", "1")), ["model.ts"]);
    });

    it("a wrong secret key is refused by the server's signature check", async () => {
        const { result } = await initializerCopy(local({ ...secretEnv, RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: "not-the-key" }));
        assert.notStrictEqual(result.status, 0);
        assert.match(result.stderr, /SignatureDoesNotMatch|403/);
    });

    it("provider AWS with a custom endpoint fails, as the program's rule says (virtual-host addressing)", async () => {
        const { result } = await initializerCopy(local({ ...secretEnv, RCLONE_CONFIG_S3_PROVIDER: "AWS" }));
        assert.notStrictEqual(result.status, 0, "rclone with provider AWS reached the path-style store");
    });
});

/** An empty rclone config file: everything comes from the environment, as in the initializer. */
function emptyConfig(): string {
    const file = path.join(os.tmpdir(), "rclone-empty.conf");
    fs.writeFileSync(file, "");
    return file;
}
