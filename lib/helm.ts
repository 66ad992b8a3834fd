import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartPin, ChartSource, PodSecurityLevel } from "./charts";

/**
 * The arguments of a `helm.v3.Release` for one of the platform's charts. A Release (not a client-side
 * Chart) because the charts generate certificates and run hooks at install time.
 */
export function releaseArgs<Values extends object>(
    source: ChartSource, pin: ChartPin, values: Values, namespace: pulumi.Input<string>): k8s.helm.v3.ReleaseArgs {
    // An OCI registry names the chart by URL; a classic repository by name within the repository.
    const oci = pin.repository.startsWith("oci://");
    return {
        // An explicit name: without it Pulumi appends a random suffix, and names derived from the
        // release (gateway labels, the Prometheus service) would change.
        name: source.release,
        chart: oci ? `${pin.repository.replace(/\/+$/, "")}/${source.chart}` : source.chart,
        version: pin.version,
        ...(oci ? {} : { repositoryOpts: { repo: pin.repository } }),
        namespace,
        values,
        // Helm waits for the workloads to become ready; a failed install leaves nothing behind.
        timeout: 600,
        cleanupOnFail: true,
    };
}

/**
 * A namespace with an explicit name (no auto-naming suffix) that enforces the Pod Security level its
 * pods meet, and reports (audit, warn) what keeps them from the next level up.
 */
export function namespaceArgs(name: string, podSecurity: PodSecurityLevel, labels: Record<string, string> = {}): k8s.core.v1.NamespaceArgs {
    return { metadata: { name, labels: { "app.kubernetes.io/part-of": "scalable-serving", ...podSecurityLabels(podSecurity), ...labels } } };
}

/** Pod Security admission labels: enforce `level`; audit and warn at the level above it. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const next = level === "privileged" ? "baseline" : "restricted";
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/audit": next,
        "pod-security.kubernetes.io/warn": next,
    };
}

/** An add-on's own namespace and its release in it, both children of `parent`. */
export function namespacedRelease<Values extends object>(parent: pulumi.Resource, source: ChartSource, pin: ChartPin,
    values: Values, podSecurity: PodSecurityLevel, dependsOn: pulumi.Input<pulumi.Resource>[] = []): k8s.helm.v3.Release {
    const ns = new k8s.core.v1.Namespace(source.namespace, namespaceArgs(source.namespace, podSecurity), { parent });
    return new k8s.helm.v3.Release(source.release, releaseArgs(source, pin, values, ns.metadata.name), { parent, dependsOn });
}
