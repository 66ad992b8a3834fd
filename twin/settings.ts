// What the twin needs of a stack: its autoscaling as the program reads it (the program's own readers
// and defaults, over the stack file's values), for each autoscaler mode the stack could use.
import { readPlatform } from "../config/platform";
import { ConfigReader, valuesSource } from "../config/reader";
import { readAutoscaling, readLoadTestRamp, readSignalTargets } from "../config/serving";
import { DEFAULTS } from "../config/defaults";
import { AUTOSCALERS, Autoscaler, AutoscalingSettings } from "../config/types";
import { parseQuantity } from "../lib/quantity";
import { kedaSignalQuery, QueryTarget, queryTargetFor } from "../lib/queries";

/** Everything one simulation of one mode needs from the stack. */
export interface TwinSettings {
    mode: Autoscaler;
    autoscaling: AutoscalingSettings;
    /** The model's series: namespace, SeldonDeployment, its Kubernetes Deployment and the Triton model. */
    target: QueryTarget;
    /** keda: the trigger's query, exactly as the ScaledObject carries it, and its threshold per replica. */
    kedaTrigger?: { query: string; threshold: number };
    /** The model container's CPU request (hpa's utilisation is a percentage of it), cores. */
    cpuRequestCores: number;
    /** The load test's ramp as the stack configures it (loadTestUsers, loadTestSpawnRate, loadTestRunTime). */
    loadTest: { users: number; spawnRate: number; runTimeS: number };
}

export class TwinSettingsError extends Error {}

/** Reads one mode's settings from fully qualified stack values (`scalable-serving:autoscaler` ...). */
export function twinSettings(project: string, stack: string, values: Readonly<Record<string, string>>, mode: Autoscaler): { settings?: TwinSettings; problems: string[] } {
    const read = new ConfigReader(project, valuesSource({ ...values, [`${project}:autoscaler`]: mode }));
    const platform = readPlatform(read, mode, stack);
    const targets = readSignalTargets(read);
    const autoscaling = readAutoscaling(read, mode, platform.prometheusUrl, targets);
    const cpuRequest = read.string("modelCpuRequest", DEFAULTS.modelCpuRequest);
    const cpuRequestCores = parseQuantity(cpuRequest);
    if (cpuRequestCores === undefined || cpuRequestCores <= 0) {
        read.problem(`${read.key("modelCpuRequest")} = ${JSON.stringify(cpuRequest)} is not a CPU quantity above zero`);
    }
    const { users, spawnRate, runTimeMs } = readLoadTestRamp(read);
    const problems = [...read.found()];
    if (problems.length > 0) {
        return { problems };
    }
    const target = queryTargetFor(platform.modelNamespace, read.string("deploymentName", DEFAULTS.deploymentName), read.string("modelName", DEFAULTS.modelName));
    const kedaTrigger = autoscaling.mode === "keda" ? kedaSignalQuery(target, autoscaling.signal) : undefined;
    return {
        settings: { mode, autoscaling, target, ...(kedaTrigger ? { kedaTrigger } : {}), cpuRequestCores: cpuRequestCores!, loadTest: { users, spawnRate, runTimeS: runTimeMs / 1000 } },
        problems,
    };
}

/**
 * The stack's own mode first, then every other mode it could switch to with `pulumi config set
 * autoscaler` alone (a mode whose add-ons the stack leaves out is skipped, with why). Throws when the
 * stack's own settings are invalid: the plan says why.
 */
export function stackModes(project: string, stack: string, values: Readonly<Record<string, string>>): { modes: TwinSettings[]; skipped: Array<{ mode: Autoscaler; why: string }> } {
    const own = (values[`${project}:autoscaler`] ?? DEFAULTS.autoscaler) as Autoscaler;
    if (!AUTOSCALERS.includes(own)) {
        throw new TwinSettingsError(`${project}:autoscaler = ${JSON.stringify(own)} is not allowed: use one of ${AUTOSCALERS.join(" | ")}`);
    }
    const modes: TwinSettings[] = [];
    const skipped: Array<{ mode: Autoscaler; why: string }> = [];
    for (const mode of [own, ...AUTOSCALERS.filter(m => m !== own)]) {
        const { settings, problems } = twinSettings(project, stack, values, mode);
        if (settings) {
            modes.push(settings);
        } else if (mode === own) {
            throw new TwinSettingsError(`the stack's settings are invalid:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        } else {
            skipped.push({ mode, why: problems[0] });
        }
    }
    return { modes, skipped };
}
