// `npm run plan -- --stack dev [--set key=value ...] [--output FILE]`
// Prints what the program would create for a stack, without a backend, a cluster or a cloud account.
import * as fs from "fs";
import { parseArgs } from "util";
import { applyOverrides, plan, PlanError, readStackConfig, withBuildableModel } from "./offlinePlan";

const USAGE = "Usage: npm run plan -- --stack NAME [--set key=value ...] [--output FILE]";

async function main(argv: string[]): Promise<number> {
    let values: { stack?: string; set?: string[]; output?: string };
    try {
        ({ values } = parseArgs({
            args: argv,
            options: { stack: { type: "string" }, set: { type: "string", multiple: true }, output: { type: "string" } },
            strict: true,
            allowPositionals: false,
        }));
    } catch (e) {
        throw new PlanError((e as Error).message.replace(/\. To specify .*$/s, ""));
    }
    const { stack, output } = values;
    const sets = values.set ?? [];
    if (!stack) {
        throw new PlanError("--stack is required");
    }
    const { config, note } = withBuildableModel(applyOverrides(readStackConfig(stack), sets));
    const text = await plan(stack, config, note);
    if (output) {
        fs.writeFileSync(output, text);
    } else {
        process.stdout.write(text);
    }
    return 0;
}

main(process.argv.slice(2)).then(code => { process.exitCode = code; }, e => {
    if (e instanceof PlanError) {
        console.error(`plan: ${e.message}`);
        console.error(USAGE);
        process.exitCode = 2;
    } else {
        console.error(`plan: ${(e as Error).stack ?? e}`);
        process.exitCode = 1;
    }
});
