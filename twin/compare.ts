// The scaling section of a plan: for each autoscaler mode the stack could use, what its settings do
// under the stack's load test, and, when a base (the last commit, or a pull request's base branch)
// has other settings, the change from the base's prediction to this one.
import { Autoscaler } from "../config/types";
import { rampLoad } from "./load";
import { Measured, MEASURED_FILE } from "./measured";
import { ESTIMATED_PROFILE, ModelProfile } from "./profile";
import { compareLine, figures } from "./report";
import { stackModes, TwinSettings, TwinSettingsError } from "./settings";
import { DEFAULT_READY_S, simulate, TwinResult } from "./simulate";

export interface ScalingBase {
    /** The base's stack values (fully qualified keys); undefined when the base has no such stack. */
    values?: Readonly<Record<string, string>>;
    /** What the base is, for the reader: "the last commit", "the base branch". */
    label: string;
}

export interface TwinAssumptions {
    profile: ModelProfile;
    readiness: { seconds: number; source: string };
}

export const PLAN_ASSUMPTIONS: TwinAssumptions = {
    profile: ESTIMATED_PROFILE,
    readiness: { seconds: DEFAULT_READY_S, source: "default: no measured anatomy (docs/autoscaling-twin.md#readiness)" },
};

/** The committed measurements (twin/measured.json) where there are some, else the estimate and the default readiness. */
export function assumptionsFor(measured: Measured | undefined): TwinAssumptions {
    if (!measured) {
        return PLAN_ASSUMPTIONS;
    }
    const where = `${MEASURED_FILE}, from ${measured.from.report} (run of ${measured.from.startedAt})`;
    return {
        profile: { ...measured.profile, source: { ...measured.profile.source, text: `${measured.profile.source.text} (${where})` } },
        readiness: measured.readiness ? { ...measured.readiness, source: `${measured.readiness.source} (${where})` } : PLAN_ASSUMPTIONS.readiness,
    };
}

/** One mode's prediction under the stack's own load test ramp. */
export function predictMode(settings: TwinSettings, assumptions: TwinAssumptions = PLAN_ASSUMPTIONS): TwinResult {
    return simulate({ settings, load: rampLoad(settings.loadTest), profile: assumptions.profile, readiness: assumptions.readiness });
}

/** What decides a prediction: equal inputs, equal predictions (the twin is deterministic). */
const inputsOf = (s: TwinSettings) => JSON.stringify(s);

/** The scaling section, in Markdown (also plain text). */
export function scalingSection(project: string, stack: string, values: Readonly<Record<string, string>>, base?: ScalingBase,
    assumptions: TwinAssumptions = PLAN_ASSUMPTIONS): string {
    const lines = [`### Scaling prediction: stack \`${stack}\``, ""];
    let head: ReturnType<typeof stackModes>;
    try {
        head = stackModes(project, stack, values);
    } catch (e) {
        if (e instanceof TwinSettingsError) {
            return [...lines, `No prediction: ${e.message}`, ""].join("\n");
        }
        throw e;
    }
    let baseModes: Map<Autoscaler, TwinSettings> | undefined;
    let baseOwn: TwinSettings | undefined;
    let baseNote: string | undefined;
    if (base?.values) {
        try {
            const modes = stackModes(project, stack, base.values).modes;
            baseOwn = modes[0];
            baseModes = new Map(modes.map(m => [m.mode, m]));
        } catch (e) {
            if (!(e instanceof TwinSettingsError)) {
                throw e;
            }
            baseNote = `${base.label} has no valid settings for this stack (${e.message.split("\n")[0]})`;
        }
    } else if (base) {
        baseNote = `${base.label} has no stack \`${stack}\``;
    }
    // Equal settings, equal predictions (the twin is deterministic): each is simulated once.
    const predictions = new Map<string, TwinResult["prediction"]>();
    const predict = (m: TwinSettings) => {
        const key = inputsOf(m);
        if (!predictions.has(key)) {
            predictions.set(key, predictMode(m, assumptions).prediction);
        }
        return predictions.get(key)!;
    };
    const own = head.modes[0].mode;
    const swapped = baseOwn !== undefined && baseOwn.mode !== own;
    const changed = swapped || head.modes.some(m => baseModes?.get(m.mode) && inputsOf(baseModes.get(m.mode)!) !== inputsOf(m));
    lines.push(changed
        ? `The scaling settings differ from ${base!.label}: ${base!.label} → this change, under the load test's ramp.`
        : `Under the load test's ramp${base?.values ? ` (scaling settings as in ${base.label})` : ""}:`, "");
    if (swapped) {
        // `pulumi config set autoscaler …`: what the stack will do, before against after.
        lines.push(`- **${baseOwn!.mode} → ${own}** (the stack's autoscaler, swapped): ${compareLine(predict(baseOwn!), predict(head.modes[0]))}`);
    }
    for (const m of head.modes) {
        const after = predict(m);
        const label = `**${m.mode}**${m.mode === own ? " (the stack's autoscaler)" : ""}`;
        const before = baseModes?.get(m.mode);
        if (before && inputsOf(before) !== inputsOf(m)) {
            lines.push(`- ${label}: ${compareLine(predict(before), after)}`);
        } else {
            lines.push(`- ${label}: ${figures(after).map(([name, v]) => `${name} ${v}`).join(", ")}${baseModes && !before ? ` (new: ${base!.label} could not use ${m.mode})` : ""}`);
        }
    }
    for (const s of head.skipped) {
        lines.push(`- ${s.mode}: not available to this stack (${s.why})`);
    }
    lines.push("", `Assumes ${assumptions.profile.source.text}; readiness ${assumptions.readiness.seconds} s (${assumptions.readiness.source}); ` +
        `load ${rampLoad(head.modes[0].loadTest).source}. Scale-up: from the load crossing the target to the first new replica Ready.`);
    if (baseNote) {
        lines.push("", `(${baseNote}: the prediction is shown alone.)`);
    }
    return [...lines, ""].join("\n");
}
