// The cluster the flows run in, as the program registers it: its namespaces (with the label the API
// server adds to every one) and its NetworkPolicies; and the addresses Docker gives the kind node and
// the host's forwarded traffic.
import { Flow, KIND_POD_SUBNET } from "../../lib/flows";
import { Cluster, NetworkPolicyObject, underKind, underStandardReading, violations } from "./enforcement";

/**
 * Where the host's traffic through a published port comes from: the gateway of the Docker network
 * the kind node is on (`kind`), which Docker picks from its default pools (172.17-31.x.x, then
 * 192.168.x.x), whether docker-proxy relays it or iptables masquerades it.
 */
export const DOCKER_HOST_SOURCES = ["172.18.0.1", "172.19.0.1", "192.168.49.1"];
/** The kind node's own address on that network. */
export const KIND_NODE_ADDRESS = "172.18.0.2";

/** Every namespace carries `kubernetes.io/metadata.name: <name>`, set by the API server (GA in Kubernetes 1.22). */
function withNameLabel(name: string, labels: Record<string, string> = {}): Record<string, string> {
    return { ...labels, "kubernetes.io/metadata.name": name };
}

interface Registered { type: string; inputs: any }

/** The cluster the program's resources describe, plus the namespaces the flow table names that it does not create. */
export function clusterOf(run: { resources: Registered[] }, extraNamespaces: string[] = ["default"]): Cluster {
    const namespaces: Record<string, Record<string, string>> = Object.fromEntries(extraNamespaces.map(n => [n, withNameLabel(n)]));
    for (const r of run.resources.filter(r => r.type === "kubernetes:core/v1:Namespace")) {
        namespaces[r.inputs.metadata.name] = withNameLabel(r.inputs.metadata.name, r.inputs.metadata.labels);
    }
    const policies = run.resources.filter(r => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
        .map(r => ({ metadata: r.inputs.metadata, spec: r.inputs.spec }) as NetworkPolicyObject);
    return { namespaces, policies, podSubnet: KIND_POD_SUBNET, nodeAddress: KIND_NODE_ADDRESS, hostAddresses: DOCKER_HOST_SOURCES };
}

/**
 * Every flow that does not get its verdict: under kind's rules always; under the standard reading
 * except the refusals only kind can promise (Flow.guaranteed).
 */
export function flowProblems(cluster: Cluster, flows: Flow[]): string[] {
    return flows.flatMap(f => [
        ...violations(f, underKind(cluster, f)).map(v => `kind: ${v}`),
        ...(f.expect === "refuse" && f.guaranteed === "kind" ? [] : violations(f, underStandardReading(cluster, f)).map(v => `standard: ${v}`)),
    ]);
}
