// Settings and profiles the twin's tests share: the dev stack's own settings (read by the program's
// readers from Pulumi.dev.yaml), with overrides, and a model slow enough to saturate.
import { applyOverrides, readStackConfig } from "../tools/offlinePlan";
import { PROJECT } from "../tools/evaluate";
import { Autoscaler } from "../config/types";
import { ModelProfile, profileOf } from "../twin/profile";
import { twinSettings, TwinSettings } from "../twin/settings";

/** The dev stack's settings for `mode`, with `key=value` overrides as `npm run plan --set` takes them. */
export function devSettings(mode: Autoscaler, sets: string[] = []): TwinSettings {
    const values = applyOverrides(readStackConfig("dev"), sets).values;
    const { settings, problems } = twinSettings(PROJECT, "dev", values, mode);
    if (!settings) {
        throw new Error(problems.join("\n"));
    }
    return settings;
}

/** A replica that serves 150 requests/s at most, 5 ms each unqueued, burning one core at capacity: the tutorial's load saturates it. */
export const SLOW_MODEL: ModelProfile = profileOf(150, 5, 1, { kind: "estimate", text: "test model: 150 requests/s per replica" });

export const READY_30S = { seconds: 30, source: "test" };
