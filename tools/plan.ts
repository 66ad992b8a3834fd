// `npm run plan -- --stack dev [--set key=value ...] [--output FILE]`
// Prints what the program would create for a stack, without a backend, a cluster or a cloud account.
import * as fs from "fs";
import { applyOverrides, plan, PlanError, readStackConfig, withBuildableModel } from "./offlinePlan";

const USAGE = "Usage: npm run plan -- --stack NAME [--set key=value ...] [--output FILE]";

async function main(argv: string[]): Promise<number> {
    let stack: string | undefined;
    let output: string | undefined;
    const sets: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        const value = () => {
            const v = inline ?? argv[++i];
            if (v === undefined) {
                throw new PlanError(`${flag} needs a value`);
            }
            return v;
        };
        if (flag === "--stack") {
            stack = value();
        } else if (flag === "--set") {
            sets.push(value());
        } else if (flag === "--output") {
            output = value();
        } else {
            throw new PlanError(`unknown argument ${JSON.stringify(argv[i])}`);
        }
    }
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
