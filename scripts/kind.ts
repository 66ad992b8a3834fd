// `node --import tsx scripts/kind.ts up|down`: the dev stack's lifecycle on kind (scripts/up-kind.sh
// and scripts/down-kind.sh call it after their checks). Exit 0 only when every step succeeded.
import * as path from "path";
import { down, StepFailed, up } from "./lifecycle/lifecycle";
import { hostProc } from "./lifecycle/proc";

const ROOT = path.resolve(__dirname, "..");
const [command, ...flags] = process.argv.slice(2);
const log = (line: string) => console.log(line);
const run = command === "up" ? up : command === "down" ? down : undefined;
const unknown = flags.filter(f => !(command === "up" && f === "--drop-host-images"));
if (!run || unknown.length > 0) {
    console.error(`${unknown.length ? `unknown option ${unknown.join(" ")}; ` : ""}usage: node --import tsx scripts/kind.ts up [--drop-host-images] | down`);
    process.exit(2);
}
run({ proc: hostProc(ROOT, log), log, root: ROOT, dropHostImages: flags.includes("--drop-host-images") }).then(() => process.exit(0), e => {
    console.error(`${command}-kind FAILED: ${e instanceof StepFailed ? e.message : (e as Error).stack}`);
    process.exit(1);
});
