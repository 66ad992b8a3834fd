// The scaling prediction after the offline plan: every mode the stack could use, compared with the
// base's settings (the last commit locally, the base branch in a pull request), and the plan
// workflow's own Diff script putting it in the pull request's comment.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { lastCommitStackFile, planCommand } from "../tools/planCommand";
import { ROOT, runProcess } from "./harness";

async function planIn(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = "";
    const stderr: string[] = [];
    const status = await planCommand(args, { out: t => (stdout += t), err: l => stderr.push(l) });
    return { status, stdout, stderr: stderr.join("\n") };
}

/** The dev stack file with other settings: what a base branch had. */
function baseStackFile(extra: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-base-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    for (const [k, v] of Object.entries(extra)) {
        doc.config[`scalable-serving:${k}`] = v;
    }
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
}

describe("scaling prediction in the plan", function () {
    this.timeout(60_000);

    it("follows the plan with every mode the dev stack could use, its own first, under its load test's ramp", async () => {
        const r = await planIn(["--stack", "dev"]);
        assert.strictEqual(r.status, 0, r.stderr);
        const section = r.stdout.slice(r.stdout.indexOf("### Scaling prediction: stack `dev`"));
        // The estimated model: 100 users send 1,812 requests/s, 21% of one core's 8,600, 42% of the 500m request; the target is 50%.
        assert.match(section, /\n- \*\*hpa\*\* \(the stack's autoscaler\): scale-up none \(the load peaks at 42 of 50 % CPU\), peak replicas 1,/);
        assert.match(section, /\n- \*\*none\*\*: /);
        assert.match(section, /\n- \*\*keda\*\*: scale-up \d+ s, peak replicas 3, scale-down \d+ s/);
        assert.match(section, /Assumes estimate: the model's compute alone/);
    });

    it("compares with the base's settings: only what changed gets an arrow", async () => {
        const base = baseStackFile({ kedaScaleDownStabilizationSeconds: "300" });
        const r = await planIn(["--stack", "dev", "--scaling-base", base]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /The scaling settings differ from the base branch/);
        const keda = /\n- \*\*keda\*\*: ([^\n]*)/.exec(r.stdout)![1];
        assert.match(keda, /^scale-up \d+ s, peak replicas 3, scale-down (\d+) s → (\d+) s, mean queue/);
        const [, before, after] = /scale-down (\d+) s → (\d+) s/.exec(keda)!;
        assert.strictEqual(Number(before) - Number(after), 180, "300 s → 120 s of window");
        // hpa and none did not change: no arrow.
        assert.ok(!/→/.test(/\n- \*\*hpa\*\*[^\n]*/.exec(r.stdout)![0]));
        // The same settings: the prediction alone.
        const same = await planIn(["--stack", "dev", "--scaling-base", baseStackFile({})]);
        assert.match(same.stdout, /Under the load test's ramp \(scaling settings as in the base branch\):/);
        assert.ok(!same.stdout.slice(same.stdout.indexOf("### Scaling prediction")).includes("→"));
        // The autoscaler swapped (`pulumi config set autoscaler hpa` on a stack that ran keda): the stack's own, before against after.
        const swapped = await planIn(["--stack", "dev", "--scaling-base", baseStackFile({ autoscaler: "keda" })]);
        assert.match(swapped.stdout, /\n- \*\*keda → hpa\*\* \(the stack's autoscaler, swapped\): scale-up \d+ s → none \(the load peaks at 42 of 50 % CPU\), peak replicas 3 → 1, scale-down \d+ s → none,/);
        // A base without the stack.
        const none = await planIn(["--stack", "dev", "--scaling-base", ""]);
        assert.match(none.stdout, /\(the base branch has no stack `dev`: the prediction is shown alone\.\)/);
        const missing = await planIn(["--stack", "dev", "--scaling-base", "/nonexistent/Pulumi.dev.yaml"]);
        assert.strictEqual(missing.status, 2);
        assert.match(missing.stderr, /--scaling-base "\/nonexistent\/Pulumi.dev.yaml" does not exist/);
    });

    it("locally compares the working tree's stack file with the last commit's", () => {
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "plan-git-"));
        const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "pipe" });
        assert.strictEqual(lastCommitStackFile(repo, "dev"), undefined, "not a git work tree");
        git("init", "-q");
        assert.strictEqual(lastCommitStackFile(repo, "dev"), undefined, "no commit yet");
        fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), "config:\n  scalable-serving:maxReplicas: \"3\"\n");
        fs.writeFileSync(path.join(repo, "other"), "");
        git("add", "other");
        git("commit", "-qm", "one");
        assert.strictEqual(lastCommitStackFile(repo, "dev"), null, "the last commit has no such stack");
        git("add", "Pulumi.dev.yaml");
        git("commit", "-qm", "two");
        fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), "config:\n  scalable-serving:maxReplicas: \"5\"\n");
        assert.strictEqual(lastCommitStackFile(repo, "dev"), "config:\n  scalable-serving:maxReplicas: \"3\"\n");
    });

    it("the plan workflow's Diff step puts the comparison in the comment (its own script, run as GitHub runs it)", async () => {
        const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/plan.yml"), "utf8"));
        const steps = workflow.jobs.plan.steps as Array<{ name?: string; run?: string }>;
        const diff = steps.find(s => s.name === "Diff")!.run!;
        const planStep = steps.find(s => s.name === "Plans of the pull request")!.run!;
        assert.match(planStep, /--scaling-base "\$base" --scaling-output "\$RUNNER_TEMP\/head\/\$stack.scaling.md"/);
        const temp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-workflow-"));
        fs.mkdirSync(path.join(temp, "head"));
        fs.mkdirSync(path.join(temp, "base"));
        // What the plans step leaves: the head's plan and scaling prediction, the base's plan.
        const r = await planIn(["--stack", "dev", "--output", path.join(temp, "head/dev.txt"), "--scaling-base", baseStackFile({ maxReplicas: "2" }),
            "--scaling-output", path.join(temp, "head/dev.scaling.md")]);
        assert.strictEqual(r.status, 0, r.stderr);
        fs.copyFileSync(path.join(temp, "head/dev.txt"), path.join(temp, "base/dev.txt"));
        const summary = path.join(temp, "summary.md");
        const run = await runProcess("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", diff], { env: { ...process.env, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary } });
        assert.strictEqual(run.status, 0, run.stderr);
        const comment = fs.readFileSync(path.join(temp, "plan-diff.md"), "utf8");
        assert.match(comment, /### stack `dev`\nNo change\.\n## Scaling prediction \(autoscaling twin, docs\/autoscaling-twin.md\)\n### Scaling prediction: stack `dev`/);
        assert.match(comment, /- \*\*keda\*\*: scale-up \d+ s, peak replicas 2 → 3, /);
        assert.strictEqual(fs.readFileSync(summary, "utf8"), comment);
    });
});
