// `npm run simulate`: the autoscaling twin from the command line.
//
//   npm run simulate -- --stack dev                      every mode the stack could use, its load test's ramp
//   npm run simulate -- --stack dev --autoscaler keda --set kedaRequestsPerSecond=600 --html twin.html
//   npm run simulate -- --stack dev --load reports/hpa/report.json     a recorded run's users, replayed
//   npm run simulate -- --stack dev --autoscaler hpa --calibrate reports/hpa/report.json
//
// Exit status: 0 predicted (or calibrated); 2 bad arguments or settings, said with the usage.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { AUTOSCALERS } from "../config/types";
import type { LoadResult } from "../loadtest/types";
import { calibrate, CalibrationInputError, describeError, readinessFromReport } from "./calibrate";
import { LoadProfile, rampLoad, replayLoad } from "./load";
import { assumptionsFor } from "./compare";
import { measuredFrom, MEASURED_FILE, MeasuredFileError, readMeasured } from "./measured";
import { ModelProfile, profileFromReport } from "./profile";
import { describePrediction, predictionTable, twinHtml, asLoadResult } from "./report";
import { stackModes, TwinSettingsError } from "./settings";
import { DEFAULT_READY_S, simulate, TwinResult } from "./simulate";
import { ROOT } from "../tools/evaluate";

export const USAGE = `Usage: npm run simulate -- --stack NAME [options]
  --stack NAME          the stack whose settings are simulated (Pulumi.NAME.yaml)
  --set key=value       override a setting (repeatable), as \`npm run plan\` takes it
  --autoscaler MODE     only this mode (${AUTOSCALERS.join(" | ")}); default: every mode the stack could use
  --load REPORT         replay a load test's report.json (its users second by second) instead of the stack's ramp
  --profile REPORT      the model's capacity and latency measured in a report.json (default: ${MEASURED_FILE} if
                        committed, else an estimate, said)
  --ready-seconds N     seconds from a new pod's creation to Ready (default: a report's anatomy, else ${MEASURED_FILE}'s, else ${DEFAULT_READY_S})
  --write-measured FILE write the profile and readiness of --profile REPORT (commit it as ${MEASURED_FILE}: plans use it)
  --calibrate REPORT    replay a watched load test through the twin and print the error against the cluster
                        (needs --autoscaler: the mode the run used)
  --json FILE           write the timelines and predictions as JSON (with --calibrate: the error too)
  --html FILE           write the charts
  --report FILE         write the prediction as a load test report.json (one mode)
  --markdown            print Markdown (for a job summary) instead of plain text`;

class UsageError extends Error {}

export interface SimulateIO {
    out(text: string): void;
    err(line: string): void;
}

function readReport(file: string, option: string): LoadResult {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`${option} ${JSON.stringify(file)} cannot be read: ${(e as Error).message}`);
    }
    try {
        const report = JSON.parse(text) as LoadResult;
        if (!Array.isArray(report.timeline) || typeof report.durationS !== "number" || !report.options) {
            throw new Error("it has no timeline, durationS or options");
        }
        return report;
    } catch (e) {
        throw new UsageError(`${option} ${JSON.stringify(file)} is not a load test report.json: ${(e as Error).message}`);
    }
}

export async function simulateCommand(argv: string[], io: SimulateIO): Promise<number> {
    try {
        let values: Record<string, string | string[] | boolean | undefined>;
        try {
            ({ values } = parseArgs({
                args: argv,
                options: {
                    stack: { type: "string" }, set: { type: "string", multiple: true }, autoscaler: { type: "string" },
                    load: { type: "string" }, profile: { type: "string" }, "ready-seconds": { type: "string" }, calibrate: { type: "string" },
                    "write-measured": { type: "string" },
                    json: { type: "string" }, html: { type: "string" }, report: { type: "string" }, markdown: { type: "boolean" },
                },
                strict: true,
                allowPositionals: false,
            }));
        } catch (e) {
            throw new UsageError((e as Error).message.replace(/\. To specify .*$/s, ""));
        }
        const stack = values.stack as string | undefined;
        if (!stack) {
            throw new UsageError("--stack is required");
        }
        const only = values.autoscaler as string | undefined;
        if (only !== undefined && !(AUTOSCALERS as readonly string[]).includes(only)) {
            throw new UsageError(`--autoscaler ${JSON.stringify(only)} is not allowed: use one of ${AUTOSCALERS.join(" | ")}`);
        }
        const calibrateFile = values.calibrate as string | undefined;
        if (calibrateFile && !only) {
            throw new UsageError("--calibrate needs --autoscaler: the mode the load test ran with");
        }
        if (calibrateFile && values.load) {
            throw new UsageError("--calibrate replays its own report: leave out --load");
        }
        let readySeconds: number | undefined;
        if (values["ready-seconds"] !== undefined) {
            readySeconds = Number(values["ready-seconds"]);
            if (!/^[0-9]+$/.test(values["ready-seconds"] as string) || readySeconds < 1 || readySeconds > 3600) {
                throw new UsageError(`--ready-seconds ${JSON.stringify(values["ready-seconds"])} is not a whole number of seconds from 1 to 3600`);
            }
        }
        const loadReport = values.load ? readReport(values.load as string, "--load") : undefined;
        const calibrationReport = calibrateFile ? readReport(calibrateFile, "--calibrate") : undefined;
        const profileReport = values.profile ? readReport(values.profile as string, "--profile") : undefined;
        if (values["write-measured"] && !profileReport) {
            throw new UsageError("--write-measured needs --profile REPORT: the run whose measurements it writes");
        }
        let committed;
        try {
            committed = assumptionsFor(readMeasured(ROOT));
        } catch (e) {
            if (e instanceof MeasuredFileError) {
                throw new UsageError(e.message);
            }
            throw e;
        }
        let profile: ModelProfile = committed.profile;
        if (profileReport) {
            try {
                profile = profileFromReport(profileReport);
            } catch (e) {
                throw new UsageError(`--profile ${JSON.stringify(values.profile)}: ${(e as Error).message}`);
            }
        }
        const anatomy = [calibrationReport, loadReport, profileReport].map(r => (r ? readinessFromReport(r) : undefined)).find(Boolean);
        const readiness = readySeconds !== undefined ? { seconds: readySeconds, source: "--ready-seconds" } : anatomy ?? committed.readiness;
        if (values["write-measured"]) {
            const file = values["write-measured"] as string;
            fs.writeFileSync(file, JSON.stringify(measuredFrom(profileReport!, path.basename(path.dirname(path.resolve(values.profile as string))) + "/" + path.basename(values.profile as string)), null, 2) + "\n");
        }

        // The stack's values through the offline plan's reader: secrets masked, --set applied.
        const offline = require("../tools/offlinePlan") as typeof import("../tools/offlinePlan");
        const { PROJECT } = require("../tools/evaluate") as typeof import("../tools/evaluate");
        let modes;
        try {
            const config = offline.applyOverrides(offline.readStackConfig(stack), (values.set as string[] | undefined) ?? []);
            modes = stackModes(PROJECT, stack, config.values);
        } catch (e) {
            if (e instanceof offline.PlanError || e instanceof TwinSettingsError) {
                throw new UsageError(e.message);
            }
            throw e;
        }
        const chosen = only ? modes.modes.filter(m => m.mode === only) : modes.modes;
        if (chosen.length === 0) {
            throw new UsageError(`the stack cannot use --autoscaler ${only}: ${modes.skipped.find(s => s.mode === only)?.why}`);
        }
        if (values.report && chosen.length !== 1) {
            throw new UsageError("--report writes one run: choose it with --autoscaler");
        }
        const md = values.markdown === true;

        if (calibrationReport) {
            let out;
            try {
                out = calibrate(calibrationReport, { settings: chosen[0], profile, readiness });
            } catch (e) {
                if (e instanceof CalibrationInputError) {
                    throw new UsageError(`--calibrate ${JSON.stringify(calibrateFile)}: ${e.message}`);
                }
                throw e;
            }
            const lines = describeError(out.error);
            io.out(md
                ? [`### Autoscaling twin against the cluster: ${only}`, "", ...lines.map(l => `- ${l}`), "", `Twin: ${out.predicted.prediction.basis.join("; ")}.`, ""].join("\n")
                : [`Autoscaling twin against the cluster (${only}):`, ...lines.map(l => `  ${l}`), ...out.predicted.prediction.basis.map(b => `  ${b}`), ""].join("\n"));
            if (values.json) {
                fs.writeFileSync(values.json as string, JSON.stringify({ error: out.error, predicted: out.predicted }, null, 2) + "\n");
            }
            if (values.html) {
                fs.writeFileSync(values.html as string, twinHtml(`Autoscaling twin: ${stack}, ${only}, replaying ${calibrateFile}`, [out.predicted]));
            }
            return 0;
        }

        const results: TwinResult[] = [];
        const loads: LoadProfile[] = [];
        for (const settings of chosen) {
            const load = loadReport ? replayLoad(loadReport) : rampLoad(settings.loadTest);
            loads.push(load);
            results.push(simulate({ settings, load, profile, readiness }));
        }
        const table = predictionTable(results);
        const details = results.flatMap(r => [`${r.prediction.mode}:`, ...describePrediction(r)]);
        io.out(md
            ? [`### Autoscaling twin: stack \`${stack}\``, "", "```", table, "```", "", ...details.map(l => (l.startsWith("  ") ? `- ${l.trim()}` : `**${l}**`)), ""].join("\n")
            : [table, "", ...details, ""].join("\n"));
        for (const s of only ? [] : modes.skipped) {
            io.out(`${s.mode}: not available to this stack (${s.why})\n`);
        }
        if (values.json) {
            fs.writeFileSync(values.json as string, JSON.stringify(results, null, 2) + "\n");
        }
        if (values.html) {
            fs.writeFileSync(values.html as string, twinHtml(`Autoscaling twin: stack ${stack}`, results));
        }
        if (values.report) {
            fs.writeFileSync(values.report as string, JSON.stringify(asLoadResult(results[0], loads[0], { namespace: chosen[0].target.namespace, deployment: chosen[0].target.workload }), null, 2) + "\n");
        }
        return 0;
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`simulate: ${e.message}`);
            io.err(USAGE);
            return 2;
        }
        io.err(`simulate: ${(e as Error).stack ?? e}`);
        return 1;
    }
}

