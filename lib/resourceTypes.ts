// Pulumi resource type tokens the project's tools classify (the policy pack, the offline plan, tests).

/**
 * Whether a resource type is one Kubernetes object (`kubernetes:core/v1:Secret`, a custom resource),
 * as opposed to a Helm release, which installs many.
 */
export function isKubernetesObject(type: string): boolean {
    return type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/");
}
