// `npm run plan` without the process around it: arguments in, exit status out, the plan written to
// `out` (or to --output), problems to `err`. tools/plan.ts runs it as the command.
//
// After the plan comes the scaling prediction of the autoscaling twin (twin/compare.ts): against the
// last commit's stack file when the working tree's differs, or against --scaling-base (the pull
// request workflow passes the base branch's).
import { execFileSync } from "child_process";
import * as fs from "fs";
import { parseArgs } from "util";
import type * as OfflinePlan from "./offlinePlan";
import type * as Compare from "../twin/compare";

/** Bad arguments: said before the program and the SDK are loaded (seconds). */
class UsageError extends Error {}

export const USAGE = "Usage: npm run plan -- --stack NAME [--set key=value ...] [--output FILE] [--scaling-base STACK_FILE] [--scaling-output FILE]";

export interface PlanIO {
    out(text: string): void;
    err(line: string): void;
}

/** A local git answers in milliseconds; one that hangs (a lock, a prompt) must not hang the plan. */
const GIT_TIMEOUT_MS = 10_000;

/** The last commit's Pulumi.<stack>.yaml: its text, null when the commit has no such file, undefined outside a git work tree. */
export function lastCommitStackFile(root: string, stack: string): string | null | undefined {
    const git = (args: string[]) => {
        try {
            return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: GIT_TIMEOUT_MS });
        } catch (e) {
            if ((e as { signal?: string }).signal) {
                throw new Error(`git ${args.join(" ")} did not answer within ${GIT_TIMEOUT_MS / 1000} s (in ${root})`);
            }
            return undefined;
        }
    };
    if (git(["rev-parse", "--verify", "--quiet", "HEAD"]) === undefined) {
        return undefined;
    }
    return git(["show", `HEAD:./Pulumi.${stack}.yaml`]) ?? null;
}

/** 0: planned; 2: bad arguments or settings (said, with the usage); 1: the program failed otherwise. */
export async function planCommand(argv: string[], io: PlanIO): Promise<number> {
    let offline: typeof OfflinePlan | undefined;
    try {
        let values: { stack?: string; set?: string[]; output?: string; "scaling-base"?: string; "scaling-output"?: string };
        try {
            ({ values } = parseArgs({
                args: argv,
                options: {
                    stack: { type: "string" }, set: { type: "string", multiple: true }, output: { type: "string" },
                    "scaling-base": { type: "string" }, "scaling-output": { type: "string" },
                },
                strict: true,
                allowPositionals: false,
            }));
        } catch (e) {
            throw new UsageError((e as Error).message.replace(/\. To specify .*$/s, ""));
        }
        const { stack, output } = values;
        if (!stack) {
            throw new UsageError("--stack is required");
        }
        const baseFile = values["scaling-base"];
        if (baseFile !== undefined && baseFile !== "" && !fs.existsSync(baseFile)) {
            throw new UsageError(`--scaling-base ${JSON.stringify(baseFile)} does not exist: give the base's Pulumi.<stack>.yaml (or an empty string for none)`);
        }
        offline = require("./offlinePlan") as typeof OfflinePlan;
        const stackConfig = offline.applyOverrides(offline.readStackConfig(stack), values.set ?? []);
        const { config, note } = offline.withBuildableModel(stackConfig);
        const text = await offline.plan(stack, config, note);

        const compare = require("../twin/compare") as typeof Compare;
        const { PROJECT, ROOT } = require("./evaluate") as typeof import("./evaluate");
        let base: Compare.ScalingBase | undefined;
        if (baseFile !== undefined) {
            base = { label: "the base branch", ...(baseFile !== "" ? { values: offline.stackConfigFromYaml(fs.readFileSync(baseFile, "utf8")).values } : {}) };
        } else {
            const committed = lastCommitStackFile(ROOT, stack);
            if (committed !== undefined) {
                base = { label: "the last commit", ...(committed !== null ? { values: offline.stackConfigFromYaml(committed).values } : {}) };
            }
        }
        const measured = require("../twin/measured") as typeof import("../twin/measured");
        const scaling = compare.scalingSection(PROJECT, stack, stackConfig.values, base, compare.assumptionsFor(measured.readMeasured(ROOT)));
        if (output) {
            fs.writeFileSync(output, text);
        } else {
            io.out(text);
        }
        if (values["scaling-output"]) {
            fs.writeFileSync(values["scaling-output"], scaling);
        } else {
            io.out(`\n${scaling}`);
        }
        return 0;
    } catch (e) {
        if (e instanceof UsageError || (offline && e instanceof offline.PlanError)) {
            io.err(`plan: ${e.message}`);
            io.err(USAGE);
            return 2;
        }
        io.err(`plan: ${(e as Error).stack ?? e}`);
        return 1;
    }
}

