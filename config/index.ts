// The stack configuration: read once, defaults applied, every setting validated and every problem
// reported together before any resource is registered; then one typed value per consumer.
//   types.ts     the settings the components receive
//   defaults.ts  every default and bound, with its upstream source
//   reader.ts    reads raw values, records problems, returns usable fallbacks
//   rules.ts     pure validation rules (tested directly)
//   storage.ts, platform.ts, serving.ts   one reader per area
import * as pulumi from "@pulumi/pulumi";
import { pulumiCli } from "../lib/cli";
import { ConfigReader } from "./reader";
import { unknownKeyProblems, unusedSettings } from "./rules";
import { readPlatform } from "./platform";
import { readAlerts, readAutoscaler, readAutoscaling, readDeployment, readLoadTest, readSignalTargets } from "./serving";
import { readModelRepository, readModelStore } from "./storage";
import { Settings } from "./types";

export * from "./types";
export { DEFAULTS, SECRET_KEYS } from "./defaults";
export { ConfigError } from "./reader";

/** Reads and validates the configuration of the current stack. Throws ConfigError when it is invalid. */
export function loadSettings(): Settings {
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const read = new ConfigReader(project);
    for (const problem of unknownKeyProblems(project, Object.keys(pulumi.runtime.allConfig()))) {
        read.problem(problem);
    }

    const autoscaler = readAutoscaler(read);
    const platform = readPlatform(read, autoscaler, stack);
    const modelRepository = readModelRepository(read);
    const modelStore = readModelStore(read, { stack, flavour: platform.flavour, prefix: modelRepository.prefix, modelNamespace: platform.modelNamespace });
    const signalTargets = readSignalTargets(read);
    const autoscaling = readAutoscaling(read, autoscaler, platform.prometheusUrl, signalTargets);
    const deployment = readDeployment(read, modelRepository.files, modelStore.kind, signalTargets);
    const alerts = readAlerts(read, platform.monitoring.mode === "install");
    const loadTest = readLoadTest(read, deployment.smokeTest.enabled);

    read.throwIfProblems();
    // An explicit choice of anyone on the internet: allowed, and said at every up.
    const open = (platform.ingressSourceRanges ?? []).filter(r => /\/0$/.test(r));
    if (platform.ingressExposure === "public" && open.length > 0) {
        pulumi.log.warn(`${project}:ingressSourceRanges has ${open.join(", ")}: the models' endpoint is open to the whole internet, ` +
            "plain HTTP, without authentication (docs/security.md)");
    }
    // Valid but not used by the modes in force: said at every preview and up, never silently dropped.
    const installs = (addon: "istio" | "seldonCore" | "metricsServer" | "monitoring" | "keda") => platform[addon].mode === "install";
    for (const warning of unusedSettings({
        autoscaler, modelStore: modelStore.kind, grafana: platform.grafana, smokeTest: deployment.smokeTest.enabled, loadTest: loadTest.enabled,
        installs: { istio: installs("istio"), seldonCore: installs("seldonCore"), metricsServer: installs("metricsServer"), monitoring: installs("monitoring"), keda: installs("keda") },
    }, key => read.isSet(key))) {
        pulumi.log.warn(`${project}:${warning} (\`${pulumiCli()} config rm ${warning.split(" ")[0]}\` if it is not meant for a later swap)`);
    }
    return { project, stack, modelStore: modelStore.settings(), modelRepository, platform, autoscaling, deployment, alerts, loadTest };
}
