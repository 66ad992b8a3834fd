// Configurations that cover every branch of the program (flavours, autoscalers, model stores, add-on
// modes), and each one's Helm releases rendered by real Helm with exactly what the program passes:
// the program is evaluated under mocks as the offline plan does, never a second copy of its values.
import { isKubernetesObject } from "../../lib/resourceTypes";
import { baseConfig, ProgramRun, runProgram } from "../harness";
import { chartPackage, RenderedObject, template } from "./helm";

export const CONFIGURATIONS: Record<string, Record<string, string>> = {
    "kind, in-cluster store, hpa": { modelStore: "in-cluster" },
    "kind, in-cluster store, keda on the queue, Grafana, no store policy": { modelStore: "in-cluster", autoscaler: "keda", kedaSignal: "queue", grafanaOnKind: "true", modelStoreNetworkPolicy: "false" },
    "kind, aws-s3, none, optional add-ons absent": { autoscaler: "none", metricsServer: "none", monitoring: "none", keda: "none" },
    "cloud, aws-s3, keda, restricted ingress": { clusterFlavour: "cloud", ingressExposure: "public", autoscaler: "keda", ingressSourceRanges: "203.0.113.0/24", ingressTlsSecret: "models-example-com-tls" },
    "cloud, every add-on existing, keda": {
        clusterFlavour: "cloud", ingressExposure: "internal", autoscaler: "keda", istio: "existing", seldonCore: "existing", metricsServer: "existing",
        monitoring: "existing", prometheusUrl: "http://prometheus.monitoring.svc.cluster.local:9090", keda: "existing",
    },
    "cloud, aws-s3, hpa, load test": { clusterFlavour: "cloud", ingressExposure: "internal", loadTestEnabled: "true" },
};

export interface RenderedRelease {
    name: string;
    chart: string;
    version: string;
    namespace: string;
    values: Record<string, unknown>;
    /** The packaged chart that was rendered. */
    chartFile: string;
    objects: RenderedObject[];
}

export interface RenderedConfiguration {
    run: ProgramRun;
    releases: RenderedRelease[];
}

/** The API groups a configuration's cluster serves beyond Kubernetes' own (charts branch on them). */
function apiVersions(config: Record<string, string>): string[] {
    const versions = ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3", "security.istio.io/v1"];
    if (config.monitoring !== "none") {
        versions.push("monitoring.coreos.com/v1");
    }
    if (config.keda !== "none") {
        versions.push("keda.sh/v1alpha1");
    }
    return versions;
}

const cache = new Map<string, Promise<RenderedObject[]>>();

/** Evaluates the program for each configuration (one at a time: the mock runtime is global), then renders every release. */
export async function renderAll(): Promise<Record<string, RenderedConfiguration>> {
    const runs: Array<[string, Record<string, string>, ProgramRun]> = [];
    for (const [name, overrides] of Object.entries(CONFIGURATIONS)) {
        const run = await runProgram(baseConfig(overrides));
        if (run.error) {
            throw new Error(`configuration ${name}: ${run.error.message}`);
        }
        runs.push([name, overrides, run]);
    }
    const result: Record<string, RenderedConfiguration> = {};
    for (const [name, overrides, run] of runs) {
        const releases = await Promise.all(run.ofType("kubernetes:helm.sh/v3:Release").map(async r => {
            const { name: release, chart, version, namespace, values, repositoryOpts } = r.inputs;
            const chartName = String(chart).split("/").pop()!;
            const chartFile = await chartPackage(chartName, version, repositoryOpts?.repo ?? String(chart).slice(0, -chartName.length - 1));
            const key = JSON.stringify([release, chartFile, namespace, values, apiVersions(overrides)]);
            if (!cache.has(key)) {
                cache.set(key, template({ name: release, chartFile, namespace, values }, apiVersions(overrides)));
            }
            return { name: release, chart: chartName, version, namespace, values: values ?? {}, chartFile, objects: await cache.get(key)! };
        }));
        result[name] = { run, releases };
    }
    return result;
}

/** The Kubernetes objects the program registers itself, as the provider sends them (no Helm releases). */
export function programObjects(config: RenderedConfiguration): RenderedObject[] {
    const clean = (v: any): any => Array.isArray(v) ? v.map(clean)
        : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("__")).map(([k, x]) => [k, clean(x)])) : v;
    return config.run.resources.filter(r => r.custom && isKubernetesObject(r.type)).map(r => clean(r.inputs));
}
