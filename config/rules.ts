// Pure validation rules of the stack configuration: each takes values and returns what is wrong, so
// they are tested directly (rules.test.ts). The readers (storage.ts, platform.ts, serving.ts) apply them.
import * as net from "net";
import { CHARTS } from "../lib/charts";
import { editDistance } from "../lib/editDistance";
import { DECLARED_KEYS } from "./defaults";
import { pulumiCli } from "../lib/cli";

/**
 * Namespaces the models may not share, each with whom it belongs to: Kubernetes' own, `default`
 * (everything lands there by accident), and the add-ons' (their Pod Security level and Istio
 * injection differ from the models').
 */
export const RESERVED_NAMESPACES: Record<string, string> = {
    "default": "Kubernetes (the namespace anything without one lands in)",
    "kube-system": "Kubernetes (and metricsServer)",
    "kube-public": "Kubernetes",
    "kube-node-lease": "Kubernetes",
    [CHARTS.istioBase.namespace]: "istio",
    [CHARTS.seldonCore.namespace]: "seldonCore",
    [CHARTS.monitoring.namespace]: "monitoring",
    [CHARTS.keda.namespace]: "keda",
    [CHARTS.modelStore.namespace]: "modelStore in-cluster",
};

/** Kubernetes object names that are DNS labels (namespaces, SeldonDeployments, containers). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Kubernetes object name (DNS-1123 subdomain): a Secret's, for instance. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `range` is not an IPv4 or IPv6 CIDR, or undefined when it is one. */
export function cidrProblem(range: string): string | undefined {
    const m = /^([^/]+)\/([0-9]{1,3})$/.exec(range);
    if (!m) {
        return "is not a CIDR (address/prefix length)";
    }
    // Node's own parser (net.isIP): no regex guesses at IPv6 (`:::`, nine groups) or leading zeros.
    const family = net.isIP(m[1]);
    if (family === 0) {
        return "has no valid IPv4 or IPv6 address";
    }
    const bits = family === 4 ? 32 : 128;
    return Number(m[2]) <= bits ? undefined : `has a prefix longer than ${bits}`;
}

/**
 * One problem per key of the project's namespace that the program does not read (a misspelling,
 * a wrong case), naming the nearest declared key. Other namespaces (aws:, kubernetes:) are not ours.
 */
/** Config namespaces of the providers and the CLI: settings there are theirs, never a slip of the project's name. */
const PROVIDER_NAMESPACES = ["aws", "kubernetes", "pulumi", "command", "random", "kubernetesx"];

export function unknownKeyProblems(project: string, keys: string[]): string[] {
    // A namespace that is a slip of the project's name (`scalable_serving:`, `scalable-servng:`) would
    // leave the stack running on defaults: name it, with the key it was meant for.
    const misspelt = keys.filter(k => {
        const ns = k.split(":")[0];
        const distance = editDistance(ns.toLowerCase(), project.toLowerCase());
        // A few characters of a long name; the providers' own namespaces are never ours.
        return ns !== project && k.includes(":") && !PROVIDER_NAMESPACES.includes(ns) && distance <= Math.floor(project.length / 5);
    }).sort().map(k => {
        const key = k.slice(k.indexOf(":") + 1);
        return `${k} is set, but this project's settings are ${project}:<key>: did you mean ${project}:${key}? ` +
            `(\`${pulumiCli()} config rm ${JSON.stringify(k)}\` and set it under the project's name)`;
    });
    return [...misspelt, ...keys.filter(k => k.startsWith(`${project}:`)).map(k => k.slice(project.length + 1))
        .filter(k => !DECLARED_KEYS.includes(k)).sort()
        .map(k => {
            const nearest = nearestKey(k);
            return `${project}:${k} is not a setting of this project` + (nearest ? `: did you mean ${nearest}?` : "") +
                ` (\`${pulumiCli()} config rm ${k}\`; docs/configuration.md lists every setting)`;
        })];
}

/** The declared key closest to `key` (case-insensitive edit distance), if it is close enough to be a slip. */
export function nearestKey(key: string): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of DECLARED_KEYS) {
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        // Close enough: a third of the longer name may differ (a dropped word, a slip of the hand).
        if (distance <= Math.max(2, Math.floor(Math.max(key.length, candidate.length) / 3)) && (!best || distance < best.distance)) {
            best = { key: candidate, distance };
        }
    }
    return best?.key;
}

/** Returns why `name` is not a valid general-purpose S3 bucket name, or undefined when it is. */
export function checkBucketName(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) {
        return `it must be 3 to 63 characters long (it has ${name.length})`;
    }
    if (!/^[a-z0-9.-]+$/.test(name)) {
        return "only lowercase letters, digits, dots and hyphens are allowed";
    }
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
        return "it must begin and end with a letter or a digit";
    }
    if (name.includes("..")) {
        return "it must not contain two adjacent dots";
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        return "it must not look like an IP address";
    }
    for (const reserved of ["xn--", "sthree-", "amzn-s3-demo-"]) {
        if (name.startsWith(reserved)) {
            return `the prefix ${reserved} is reserved`;
        }
    }
    for (const reserved of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
        if (name.endsWith(reserved)) {
            return `the suffix ${reserved} is reserved`;
        }
    }
    return undefined;
}

/** Returns why `prefix` is not a usable key prefix for the model repository, or undefined when it is. */
export function checkS3Prefix(prefix: string): string | undefined {
    if (prefix === "") {
        return "it must not be empty (Triton needs the repository in a folder of the bucket)";
    }
    if (prefix.startsWith("/") || prefix.endsWith("/")) {
        return "it must not begin or end with '/'";
    }
    const segments = prefix.split("/");
    if (segments.some(s => s === "" || s === "." || s === "..")) {
        return "its segments must not be empty, '.' or '..'";
    }
    if (!/^[A-Za-z0-9._\-/]+$/.test(prefix)) {
        return "only letters, digits, '.', '_', '-' and '/' are allowed";
    }
    if (prefix.length > 512) {
        return `it must be at most 512 characters long (it has ${prefix.length})`;
    }
    return undefined;
}

/** What decides whether a mode-scoped setting is used. */
export interface ModesInUse {
    autoscaler: "none" | "hpa" | "keda";
    modelStore: "aws-s3" | "in-cluster";
    /** Add-ons this stack installs (their version and repository settings are read only then). */
    installs: { istio: boolean; seldonCore: boolean; metricsServer: boolean; monitoring: boolean; keda: boolean };
    grafana: boolean;
    smokeTest: boolean;
    loadTest: boolean;
}

/**
 * Settings that are valid but not used by the modes in force, each with why: named in a warning at
 * every preview and up, not refused, so that swapping the autoscaler (or the store) back needs no
 * re-typing. Pure: `isSet` says which keys the stack sets explicitly.
 */
export function unusedSettings(m: ModesInUse, isSet: (key: string) => boolean): string[] {
    const scoped: Array<[string[], boolean, string]> = [
        [["replicas"], m.autoscaler !== "none", `autoscaler is ${m.autoscaler}, which sets the replicas itself`],
        [["minReplicas", "maxReplicas"], m.autoscaler === "none", "autoscaler is none (fixed replicas)"],
        [["kedaPollingInterval", "kedaScaleDownStabilizationSeconds", "kedaScaleUpStabilizationSeconds", "kedaSignal", "kedaFallbackReplicas",
            "kedaFallbackFailureThreshold"], m.autoscaler !== "keda", `autoscaler is ${m.autoscaler}, not keda`],
        // The signal targets are also drawn by the dashboard, when there is one.
        [["hpaCpuUtilization"], m.autoscaler !== "hpa" && !m.grafana, `autoscaler is ${m.autoscaler} and there is no dashboard`],
        [["kedaRequestsPerSecond", "kedaQueueTarget"], m.autoscaler !== "keda" && !m.grafana, `autoscaler is ${m.autoscaler} and there is no dashboard`],
        [["modelStoreVersion", "modelStoreRepository", "modelStoreSize", "modelStoreNetworkPolicy"], m.modelStore !== "in-cluster", "modelStore is aws-s3"],
        [["smokeTestTimeoutSeconds"], !m.smokeTest, "smokeTest is false"],
        [["loadTestUsers", "loadTestSpawnRate", "loadTestRunTime", "loadTestImage"], !m.loadTest, "loadTestEnabled is false"],
        [["alertLatencyP99Ms", "alertQueueTimeMs"], !m.installs.monitoring, "this stack installs no monitoring, so no alert rule"],
        ...(Object.keys(m.installs) as Array<keyof ModesInUse["installs"]>).map((addon): [string[], boolean, string] =>
            [[`${addon}Version`, `${addon}Repository`], !m.installs[addon], `${addon} is not installed by this stack`]),
    ];
    return scoped.flatMap(([keys, unused, why]) => (unused ? keys.filter(isSet).map(k => `${k} is set but not used: ${why}`) : []));
}
