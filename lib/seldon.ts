// Seldon Core v1's naming rules, defined once (seldon-core operator, v1.17.1): what it names the
// objects it creates for a SeldonDeployment, and the route Istio serves it on.

/** The only predictor this project deploys, and so part of every name Seldon derives. */
export const PREDICTOR = "default";

/**
 * The Deployment Seldon creates for a predictor's first component, and its HPA or ScaledObject:
 * `<sdep>-<predictor>-<index>-<container>`. It is also a label value, so at most 63 characters.
 */
export function seldonWorkloadName(deployment: string, container: string): string {
    return `${deployment}-${PREDICTOR}-0-${container}`;
}

/** Label values, and so Seldon's workload names, have at most 63 characters. */
export const WORKLOAD_NAME_MAX = 63;

/**
 * The executor's V2 route through Istio: the operator's VirtualService matches `/seldon/<ns>/<sdep>/`
 * and strips it. No `/versions/{v}`: that path answers 404 (the tutorial's defect).
 */
export function inferencePath(namespace: string, deployment: string, model: string): string {
    return `/seldon/${namespace}/${deployment}/v2/models/${model}/infer`;
}

/**
 * Seldon Core 1.18.0 and later are under the Business Source License 1.1 (production use needs a
 * commercial licence); 1.17.1 is the last Apache-2.0 release.
 */
export const FIRST_BSL_VERSION = "1.18.0";
