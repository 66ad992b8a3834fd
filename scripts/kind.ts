// `node --import tsx scripts/kind.ts up|down`: the dev stack's lifecycle on kind (scripts/up-kind.sh
// and scripts/down-kind.sh call it after their checks). Exit 0 only when every step succeeded.
// Ctrl-C or SIGTERM is passed on to the step that runs (pulumi cancels its update cleanly), which then
// stops; a second one stops everything at once.
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
const EXIT_ON = { SIGINT: 130, SIGTERM: 143 } as const;
const proc = hostProc(ROOT, log);
let stoppedBy: keyof typeof EXIT_ON | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
        if (stoppedBy) {
            proc.interrupt("SIGKILL");
            process.exit(EXIT_ON[signal]);
        }
        stoppedBy = signal;
        const n = proc.interrupt(signal);
        console.error(`\n${command}-kind: ${signal}: passed on to ${n} running step(s); they stop, then so does this (again to stop at once)`);
    });
}
run({ proc, log, root: ROOT, dropHostImages: flags.includes("--drop-host-images") }).then(() => process.exit(stoppedBy ? EXIT_ON[stoppedBy] : 0), e => {
    console.error(`${command}-kind ${stoppedBy ? `STOPPED by ${stoppedBy}` : "FAILED"}: ${e instanceof StepFailed ? e.message : (e as Error).stack}`);
    process.exit(stoppedBy ? EXIT_ON[stoppedBy] : 1);
});
