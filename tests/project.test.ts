// The project's own files agree with the code: Pulumi.yaml declares what config.ts reads, the dev
// stack is valid, the docs document every setting and the sizing the preflight asks for, the README
// stays a landing page whose links resolve, and every dependency is pinned.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parse } from "yaml";
import { DEFAULTS, SECRET_KEYS } from "../config";
import { checkAnswer } from "../lib/v2Protocol";
import { devStackImages, preloadDiskGB } from "../scripts/lifecycle/images";
import { sizingForStackConfig } from "../scripts/sizing";
import { baseConfig, PROJECT, ROOT, runProgram } from "./harness";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
const headingAnchors = (text: string) => [...text.matchAll(/^#+ (.*)$/gm)].map(m => m[1].trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-"));

/**
 * What a module does as it loads that could carry state from one evaluation of the program to the
 * next: a top-level `let` or `var`, a top-level statement that runs code, a top-level collection.
 */
function loadTimeState(file: string, text: string): string[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const found: string[] = [];
    const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
    for (const statement of source.statements) {
        if (ts.isVariableStatement(statement)) {
            if (!(statement.declarationList.flags & ts.NodeFlags.Const)) {
                found.push(`${file}:${line(statement)}: a top-level let or var`);
            }
            for (const d of statement.declarationList.declarations) {
                if (d.initializer && ts.isNewExpression(d.initializer) && /^(Map|Set|WeakMap|WeakSet)$/.test(d.initializer.expression.getText(source))) {
                    found.push(`${file}:${line(statement)}: a top-level ${d.initializer.expression.getText(source)}`);
                }
            }
        } else if (!(ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || ts.isExportDeclaration(statement) ||
            ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
            ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement))) {
            found.push(`${file}:${line(statement)}: a top-level statement that runs as the module loads`);
        }
    }
    return found;
}

describe("the program's modules", () => {
    it("only index.ts acts as it loads: the others hold no state, so one evaluation cannot leak into the next (tools/evaluate.ts loads them once)", async () => {
        assert.ifError((await runProgram(baseConfig())).error);
        // The project's modules the program loads: index.ts's imports, and theirs.
        const modules = new Set<string>();
        const visit = (m: NodeJS.Module) => {
            for (const child of m.children) {
                if (!child.filename.includes(`${path.sep}node_modules${path.sep}`) && !modules.has(child.filename)) {
                    modules.add(child.filename);
                    visit(child);
                }
            }
        };
        visit(require.cache[path.join(ROOT, "index.ts")]!);
        assert.ok(modules.has(path.join(ROOT, "config/index.ts")) && modules.has(path.join(ROOT, "components/serving/modelDeployment.ts")), [...modules].join("\n"));
        assert.deepStrictEqual([...modules].flatMap(f => loadTimeState(path.relative(ROOT, f), fs.readFileSync(f, "utf8"))), []);
    });

    it("the check finds each kind of load-time state", () => {
        assert.deepStrictEqual(loadTimeState("a.ts", [
            "import * as x from \"x\";",
            "export const A = new RegExp(\"a\");",
            "export function f() { let n = 0; return n; }",
            "let counter = 0;",
            "const seen = new Map<string, number>();",
            "x.register();",
        ].join("\n")), ["a.ts:4: a top-level let or var", "a.ts:5: a top-level Map", "a.ts:6: a top-level statement that runs as the module loads"]);
    });
});

describe("project files", () => {
    const project = parse(read("Pulumi.yaml"));

    it("Pulumi.yaml names the project and the TypeScript runtime", () => {
        assert.strictEqual(project.name, PROJECT);
        assert.strictEqual(project.runtime.name, "nodejs");
        assert.strictEqual(project.runtime.options.typescript, true);
        assert.strictEqual(project.main, "index.ts");
    });

    it("Pulumi.yaml declares every setting with the program's default, a type and a description", () => {
        assert.deepStrictEqual(Object.keys(project.config).sort(), Object.keys(DEFAULTS).sort());
        for (const [key, fallback] of Object.entries(DEFAULTS)) {
            const declared = project.config[key];
            assert.strictEqual(declared.default, fallback, `${key}: Pulumi.yaml default differs from config.ts`);
            assert.strictEqual(declared.type, typeof fallback === "number" ? "integer" : typeof fallback, `${key}: type`);
            assert.ok(typeof declared.description === "string" && declared.description.length > 20, `${key}: description`);
        }
    });

    it("the dev stack is complete, valid and holds no secret", async () => {
        const stack = parse(read("Pulumi.dev.yaml")).config as Record<string, string>;
        assert.ok(!JSON.stringify(stack).includes("secure:"), "no secrets committed in Pulumi.dev.yaml");
        for (const key of SECRET_KEYS) {
            assert.ok(!(`${PROJECT}:${key}` in stack));
        }
        // Validate it as the program would, with a built model in place of the committed (unbuilt) one.
        const config = { ...stack, [`${PROJECT}:modelRepositoryPath`]: baseConfig().modelRepositoryPath };
        const warned: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (m: string) => { warned.push(m); };
        try {
            const run = await runProgram(config, { stack: "dev" });
            assert.ifError(run.error);
            assert.ok(run.resources.length > 0);
        } finally {
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = original;
        }
        // A newcomer's first up is quiet: no setting the dev stack sets goes unused.
        assert.deepStrictEqual(warned, []);
    });

    it("the config reference (docs/configuration.md) lists every setting with its default", () => {
        const page = read("docs/configuration.md");
        const section = page.slice(page.indexOf("\n## Configuration\n"));
        assert.ok(section.length > 100, "docs/configuration.md has a Configuration section");
        for (const [key, fallback] of Object.entries(DEFAULTS)) {
            const row = section.split("\n").find(line => line.startsWith(`| \`${key}\``));
            assert.ok(row, `the config reference has no row for ${key}`);
            const shown = fallback === "" ? "(empty)" : `\`${fallback}\``;
            assert.ok(row.includes(shown), `the config reference's row for ${key} does not show the default ${shown}: ${row}`);
        }
        for (const key of SECRET_KEYS) {
            assert.ok(section.includes(`| \`${key}\``), `the config reference has no row for ${key}`);
        }
    });

    it("the README is a landing page of at most 250 lines that links every docs page, and every link in the docs resolves", () => {
        const readme = read("README.md");
        assert.ok(readme.split("\n").length <= 250, `README.md has ${readme.split("\n").length} lines`);
        const pages = fs.readdirSync(path.join(ROOT, "docs")).filter(f => f.endsWith(".md"));
        assert.ok(pages.length >= 8);
        for (const page of pages) {
            assert.ok(readme.includes(`](docs/${page})`), `README.md does not link docs/${page}`);
        }
        const problems: string[] = [];
        for (const file of ["README.md", ...pages.map(p => `docs/${p}`)]) {
            for (const [, target, anchor] of read(file).matchAll(/\]\(((?:\.\.\/)?[\w./-]*\.md)?(?:#([\w-]+))?\)/g)) {
                const resolved = target ? path.normalize(path.join(path.dirname(file), target)) : file;
                if (!fs.existsSync(path.join(ROOT, resolved))) {
                    problems.push(`${file}: ${target} does not exist`);
                } else if (anchor && !headingAnchors(read(resolved)).includes(anchor)) {
                    problems.push(`${file}: ${resolved} has no heading #${anchor}`);
                }
            }
        }
        assert.deepStrictEqual(problems, []);
    });

    it("the sizing the docs state is what the preflight asks for the dev stack as committed", () => {
        const sizing = sizingForStackConfig(read("Pulumi.dev.yaml"));
        const kind = read("docs/kind.md");
        const row = (label: string) => kind.split("\n").find(l => l.startsWith(`| **${label}**`)) ?? "";
        assert.ok(row("requested").includes(`**${sizing.cpuRequestMillis / 1000}**`) && row("requested").includes(`**${sizing.memoryRequestMiB.toLocaleString("en-US")} MiB**`), row("requested"));
        assert.ok(row("Docker needs").includes(`**${sizing.dockerCpus}**`) && row("Docker needs").includes(`**${sizing.dockerMemoryGiB} GiB**`), row("Docker needs"));
        assert.ok(read("README.md").includes(`${sizing.dockerCpus} CPUs, ${sizing.dockerMemoryGiB} GiB of memory`), "the README's prerequisites state the same");
        const need = Math.ceil(preloadDiskGB(devStackImages(read("Pulumi.dev.yaml")), () => false, new Set()));
        assert.ok(kind.includes(`about ${need} GB free`) && read("README.md").includes(`about ${need} GB of free disk`), `a first run needs ${need} GB`);
    });

    it("the README's example answer is one the checks accept, and its request path is the stack's", () => {
        const readme = read("README.md");
        const answer = readme.split("\n").find(l => l.startsWith('{"model_name"'))!;
        assert.deepStrictEqual(checkAnswer(answer).ok, true);
        assert.ok(readme.includes("/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer"));
    });

    it("the type-check covers every TypeScript file of the project (tsconfig.json's include)", () => {
        const include = (JSON.parse(read("tsconfig.json")) as { include: string[] }).include;
        const covered = (file: string) => include.some(pattern => pattern === "*.ts"
            ? !file.includes("/") && file.endsWith(".ts")
            : file.startsWith(pattern.replace(/\*\*\/\*\.ts$/, "")) && file.endsWith(".ts"));
        const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: ROOT, encoding: "utf8", timeout: 10_000 }).split("\n").filter(Boolean);
        assert.ok(files.length > 100);
        assert.deepStrictEqual(files.filter(f => !covered(f)), []);
        assert.ok(!covered("elsewhere/x.ts"), "the check itself refuses a folder left out");
    });

    it("pins every npm dependency to an exact version, with a lockfile", () => {
        const pkg = JSON.parse(read("package.json"));
        for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
            assert.match(version as string, /^\d+\.\d+\.\d+$/, `${name} is not pinned exactly`);
        }
        // kubernetesx 0.1.6 asks for @pulumi/kubernetes ^3: it must share the project's SDK instead.
        assert.deepStrictEqual(pkg.overrides, { "@pulumi/kubernetesx": { "@pulumi/kubernetes": "$@pulumi/kubernetes" } });
        const lock = JSON.parse(read("package-lock.json"));
        assert.ok(!lock.packages["node_modules/@pulumi/kubernetesx/node_modules/@pulumi/kubernetes"], "a second Kubernetes SDK is installed");
        assert.strictEqual(lock.packages["node_modules/@pulumi/pulumi"].version, pkg.dependencies["@pulumi/pulumi"]);
    });
});

describe("GitHub workflows", () => {
    const workflow = (name: string) => parse(read(`.github/workflows/${name}.yml`));
    const steps = (w: any, job: string) => w.jobs[job].steps as Array<Record<string, any>>;

    it("test: runs the README's test command on pushes and pull requests", () => {
        const w = workflow("test");
        assert.deepStrictEqual(Object.keys(w.on).sort(), ["pull_request", "push"]);
        const runs = steps(w, "test").map(s => s.run);
        const [ci, setup, test] = ["npm ci", "npm run test:setup", "npm test"].map(c => runs.indexOf(c));
        assert.ok(ci >= 0 && ci < setup && setup < test,
            "npm ci, then npm run test:setup, then npm test, as the README says");
    });

    it("preview: pulumi preview per stack with the policy pack, the diff as a PR comment, AWS through OIDC", () => {
        const w = workflow("preview");
        assert.ok("pull_request" in w.on);
        assert.strictEqual(w.permissions["id-token"], "write");
        assert.strictEqual(w.permissions["pull-requests"], "write");
        const job = w.jobs.preview;
        assert.match(job.if, /head\.repo\.full_name == github\.repository/, "forks have no secrets: they get the offline plan");
        assert.strictEqual(job.strategy.matrix.stack, "${{ fromJSON(vars.PREVIEW_STACKS) }}");
        const pulumi = steps(w, "preview").find(s => String(s.uses).startsWith("pulumi/actions@"))!;
        assert.deepStrictEqual([pulumi.with.command, pulumi.with["comment-on-pr"], pulumi.with.policyPacks], ["preview", true, "policy"]);
        assert.strictEqual(pulumi.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
        assert.strictEqual(pulumi.with["cloud-url"], "${{ secrets.PULUMI_BACKEND_URL }}");
        const aws = steps(w, "preview").find(s => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"))!;
        assert.strictEqual(aws.with["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.ok(steps(w, "preview").some(s => /KUBECONFIG=/.test(s.run ?? "") && s.env?.KUBECONFIG_CONTENT === "${{ secrets.KUBECONFIG }}"));
    });

    it("deploy: pulumi up on pushes to main, one stack at a time", () => {
        const w = workflow("deploy");
        assert.deepStrictEqual(w.on, { push: { branches: ["main"] } });
        assert.strictEqual(w.jobs.up.strategy["max-parallel"], 1);
        const pulumi = steps(w, "up").find(s => String(s.uses).startsWith("pulumi/actions@"))!;
        assert.deepStrictEqual([pulumi.with.command, pulumi.with.policyPacks], ["up", "policy"]);
    });

    it("plan: the offline plan of base and pull request, diffed, with no secret at all", () => {
        const text = read(".github/workflows/plan.yml");
        assert.ok(!/secrets\./.test(text), "forks must be able to run it");
        const runs = steps(workflow("plan"), "plan").map(s => s.run ?? "").join("\n");
        assert.match(runs, /npm run --silent plan -- --stack "\$stack" --output "\$RUNNER_TEMP\/head\/\$stack.txt"/);
        assert.match(runs, /git worktree add "\$RUNNER_TEMP\/base-src"/);
        assert.match(runs, /diff -u/);
        assert.match(runs, /GITHUB_STEP_SUMMARY/);
    });

    it("every action is pinned to a version", () => {
        for (const name of ["test", "preview", "deploy", "plan"]) {
            for (const job of Object.values(workflow(name).jobs) as any[]) {
                for (const s of job.steps) {
                    if (s.uses) {
                        assert.match(s.uses, /@v\d+$|@[0-9a-f]{40}$/, `${name}: ${s.uses}`);
                    }
                }
            }
        }
    });
});
