// `npm run plan` without the process around it: arguments in, exit status out, the plan written to
// `out` (or to --output), problems to `err`. tools/plan.ts runs it as the command.
import * as fs from "fs";
import { parseArgs } from "util";
import type * as OfflinePlan from "./offlinePlan";

/** Bad arguments: said before the program and the SDK are loaded (seconds). */
class UsageError extends Error {}

export const USAGE = "Usage: npm run plan -- --stack NAME [--set key=value ...] [--output FILE]";

export interface PlanIO {
    out(text: string): void;
    err(line: string): void;
}

/** 0: planned; 2: bad arguments or settings (said, with the usage); 1: the program failed otherwise. */
export async function planCommand(argv: string[], io: PlanIO): Promise<number> {
    let offline: typeof OfflinePlan | undefined;
    try {
        let values: { stack?: string; set?: string[]; output?: string };
        try {
            ({ values } = parseArgs({
                args: argv,
                options: { stack: { type: "string" }, set: { type: "string", multiple: true }, output: { type: "string" } },
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
        offline = require("./offlinePlan") as typeof OfflinePlan;
        const { config, note } = offline.withBuildableModel(offline.applyOverrides(offline.readStackConfig(stack), values.set ?? []));
        const text = await offline.plan(stack, config, note);
        if (output) {
            fs.writeFileSync(output, text);
        } else {
            io.out(text);
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
