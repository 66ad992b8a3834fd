import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHARTS } from "../lib/charts";
import { ROOT, runProcess } from "../tests/harness";
import { installCommands, missingPrerequisites, PROGRAMS, PYTHON, report } from "./testPrerequisites";

/** A chart mirror folder holding the pinned chart names (the check looks for the files, not inside them). */
function mirror(except: string[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-"));
    for (const c of Object.values(CHARTS)) {
        const file = `${c.chart}-${c.version}.tgz`;
        if (!except.includes(file)) {
            fs.writeFileSync(path.join(dir, file), "");
        }
    }
    return dir;
}

describe("npm test's prerequisites (tools/testPrerequisites.ts)", () => {
    it("lists every missing program, Python and the charts at once, with one install command per platform", async () => {
        const absent = new Set(["promtool", "prometheus", "rclone", "shellcheck", PROGRAMS.find(p => p.name === "chromium")!.probe[0]]);
        const missing = await missingPrerequisites({ SCALABLE_SERVING_CHART_MIRROR: mirror(["keda-2.20.2.tgz"]) },
            (command) => !absent.has(command) && command !== "sh");
        assert.deepStrictEqual(missing.map(m => m.what.name), ["shellcheck", "promtool", "prometheus", "rclone", "chromium", PYTHON.name, "the pinned Helm charts"]);
        const text = report(missing);
        assert.match(text, /^npm test needs 7 thing\(s\) this machine lacks:/);
        assert.match(text, /lacks keda-2\.20\.2\.tgz/);
        assert.match(text, /Debian\/Ubuntu: sudo apt-get update && sudo apt-get install -y shellcheck prometheus rclone chromium-headless-shell python3-torch python3-torchvision python3-pytest {4}\(or: npm run test:setup\)/);
        assert.match(text, /macOS: +brew install shellcheck prometheus rclone && python3 -m pip install -r model\/requirements\.txt pytest/);
    });

    it("nothing missing: an empty list; only charts missing: no install command, the mirror named instead", async () => {
        assert.deepStrictEqual(await missingPrerequisites({ SCALABLE_SERVING_CHART_MIRROR: mirror() }, () => true), []);
        const charts = await missingPrerequisites({ SCALABLE_SERVING_CHART_MIRROR: mirror(["seaweedfs-4.44.0.tgz"]) }, () => true);
        assert.deepStrictEqual(installCommands(charts), { debian: undefined, macos: undefined });
        assert.ok(!report(charts).includes("Install them all"));
    });

    it("every program it checks is one the suites run, with a Debian package", () => {
        assert.deepStrictEqual(PROGRAMS.map(p => p.name), ["shellcheck", "promtool", "prometheus", "rclone", "tar", "chromium"]);
        assert.ok(PROGRAMS.every(p => p.debian.length > 0));
    });

    it("run for real with promtool, rclone and shellcheck off PATH and a PYTHON that is not there: exit 1 in one pass, naming them all and how to install them", async () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "path-"));
        for (const tool of ["sh", "tar", "node", "dirname"]) {
            const found = ["/usr/bin", "/bin", "/usr/local/bin", path.dirname(process.execPath)].map(d => path.join(d, tool)).find(f => fs.existsSync(f));
            if (found) {
                fs.symlinkSync(found, path.join(bin, tool));
            }
        }
        const r = await runProcess(process.execPath, ["--import", "tsx", "tools/testPrerequisites.ts"], {
            cwd: ROOT, env: { PATH: bin, HOME: os.tmpdir(), SCALABLE_SERVING_CHART_MIRROR: mirror(), PYTHON: path.join(bin, "no-such-python") }, timeoutMs: 60_000,
        });
        assert.strictEqual(r.status, 1, r.stderr);
        for (const name of ["shellcheck", "promtool", "prometheus", "rclone", "chromium", PYTHON.name]) {
            assert.match(r.stderr, new RegExp(`^  - ${name}: for `, "m"));
        }
        assert.match(r.stderr, /Debian\/Ubuntu: sudo apt-get update && sudo apt-get install -y shellcheck prometheus rclone chromium-headless-shell python3-torch python3-torchvision python3-pytest/);
        assert.ok(!r.stderr.includes("  - tar:"), "tar is on that PATH");
    });
});
