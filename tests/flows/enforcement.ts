// Evaluates a flow of lib/flows.ts against NetworkPolicies, under two sets of rules:
//
// - kind: kube-network-policies v0.8.0, which kindnetd runs in kind v0.29.0's node image
//   (kind v0.29.0 images/kindnetd/go.mod: `sigs.k8s.io/kube-network-policies v0.8.0`; main.go builds
//   its Controller with FailOpen, queue 101). Line numbers below are of that tag's
//   pkg/networkpolicy/controller.go (C) and pkg/networkpolicy/networkpolicy.go (N).
// - standard: the NetworkPolicy API as documented (k8s.io/api v0.33.1 networking/v1/types.go, T), with
//   what it leaves to each CNI evaluated every way it can go: a flow must get the same verdict in all.
//
// Written from those sources; no code of theirs is copied.
import { BlockList, isIPv4 } from "net";
import { Flow, FlowTarget, Labels } from "../../lib/flows";

export interface LabelSelector {
    matchLabels?: Labels;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
export interface PolicyPeer { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string; except?: string[] } }
export interface PolicyPort { port?: number | string; protocol?: string; endPort?: number }
export interface PolicyRule { from?: PolicyPeer[]; to?: PolicyPeer[]; ports?: PolicyPort[] }
export interface NetworkPolicyObject {
    metadata: { name: string; namespace?: string };
    spec: { podSelector: LabelSelector; ingress?: PolicyRule[]; egress?: PolicyRule[]; policyTypes?: string[] };
}

/** The cluster a flow runs in: its namespaces' labels, its policies, its addresses. */
export interface Cluster {
    namespaces: Record<string, Labels>;
    policies: NetworkPolicyObject[];
    /** The pods' range (kind/cluster.yaml's podSubnet). */
    podSubnet: string;
    /** The kind node's address on Docker's network. */
    nodeAddress: string;
    /** Where the host's traffic through a published port comes from: Docker's bridge gateways. */
    hostAddresses: string[];
}

export interface Verdict {
    allowed: boolean;
    /** Which packet, and the rule that decided. */
    why: string;
}

interface Pod { namespace: string; labels: Labels; ip: string; portName?: string; port?: number }
interface Packet { label: string; srcIp: string; srcPod?: Pod; rootSocket: boolean; fromLocalNode: boolean; dst: Pod; port: number; protocol: string }

/** A label selector against labels; empty selects everything (T: "standard label selector semantics"). */
export function selects(selector: LabelSelector, labels: Labels): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every(e => {
        switch (e.operator) {
            case "In": return k(e.key) && (e.values ?? []).includes(labels[e.key]);
            case "NotIn": return !k(e.key) || !(e.values ?? []).includes(labels[e.key]);
            case "Exists": return k(e.key);
            case "DoesNotExist": return !k(e.key);
            default: throw new Error(`unknown selector operator ${e.operator}`);
        }
    });
    return byLabels && byExpressions;
    function k(key: string) { return Object.prototype.hasOwnProperty.call(labels, key); }
}

function inBlock(block: { cidr: string; except?: string[] }, ip: string): boolean {
    const list = (cidrs: string[]) => {
        const b = new BlockList();
        for (const c of cidrs) {
            const [net, bits] = c.split("/");
            b.addSubnet(net, Number(bits), isIPv4(net) ? "ipv4" : "ipv6");
        }
        return b;
    };
    const family = isIPv4(ip) ? "ipv4" : "ipv6";
    return list([block.cidr]).check(ip, family) && !list(block.except ?? []).check(ip, family);
}

/** API defaulting: no policyTypes means Ingress, plus Egress when egress rules exist (T lines 92-101). */
function policyTypes(p: NetworkPolicyObject): string[] {
    return p.spec.policyTypes?.length ? p.spec.policyTypes : ["Ingress", ...(p.spec.egress ? ["Egress"] : [])];
}

/** The port list matches the destination port (N 353-396; T: an unset protocol defaults to TCP, line 155). */
function portsMatch(ports: PolicyPort[] | undefined, dst: Pod, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) {
        return true;
    }
    return ports.some(p => {
        if ((p.protocol ?? "TCP") !== protocol) {
            return false;
        }
        if (p.port === undefined) {
            return true;
        }
        if (typeof p.port === "string") {
            return dst.portName === p.port && dst.port === port;
        }
        return port === p.port || (p.endPort !== undefined && port > p.port && port <= p.endPort);
    });
}

/**
 * Whether a peer matches the other end of the connection. The address is checked against ipBlock;
 * selectors match pods only (N 186-188: "traffic coming from external does not match selectors"); a
 * podSelector alone means the policy's own namespace (N 286-289); an empty namespaceSelector every
 * namespace (N 298-300).
 */
function peerMatches(peer: PolicyPeer, policyNamespace: string, other: { ip: string; pod?: Pod }, cluster: Cluster, ipBlockMatchesPods: boolean): boolean {
    if (peer.ipBlock) {
        return (ipBlockMatchesPods || !other.pod) && inBlock(peer.ipBlock, other.ip); // N 176-184
    }
    if (!other.pod) {
        return false;
    }
    if (peer.podSelector && !selects(peer.podSelector, other.pod.labels)) {
        return false;
    }
    if (!peer.namespaceSelector) {
        return other.pod.namespace === policyNamespace;
    }
    return selects(peer.namespaceSelector, cluster.namespaces[other.pod.namespace] ?? {});
}

interface Direction { type: "Ingress" | "Egress"; subject: Pod; other: { ip: string; pod?: Pod } }

/**
 * The verdict of the policies selecting `subject` for one direction (N 69-137): none selecting it, or
 * none of that type, allows; otherwise some rule of some policy must match (ports, then peers; an
 * empty peer list matches all, N 166-171; a policy with no rules of that type allows nothing, N 122).
 */
function directionAllows(cluster: Cluster, d: Direction, packet: Packet, ipBlockMatchesPods: boolean): { allowed: boolean; why: string } {
    const policies = cluster.policies.filter(p => (p.metadata.namespace ?? "default") === d.subject.namespace
        && selects(p.spec.podSelector, d.subject.labels) && policyTypes(p).includes(d.type));
    if (policies.length === 0) {
        return { allowed: true, why: `no ${d.type} policy selects ${d.subject.namespace} pod` };
    }
    for (const p of policies) {
        const rules = (d.type === "Ingress" ? p.spec.ingress : p.spec.egress) ?? [];
        for (const [i, rule] of rules.entries()) {
            if (!portsMatch(rule.ports, packet.dst, packet.port, packet.protocol)) {
                continue;
            }
            const peers = (d.type === "Ingress" ? rule.from : rule.to) ?? [];
            if (peers.length === 0 || peers.some(peer => peerMatches(peer, d.subject.namespace, d.other, cluster, ipBlockMatchesPods))) {
                return { allowed: true, why: `${d.type.toLowerCase()} rule ${i} of ${p.metadata.name}` };
            }
        }
    }
    return { allowed: false, why: `no ${d.type.toLowerCase()} rule of ${policies.map(p => p.metadata.name).join(", ")} matches` };
}

/** Pod addresses for the evaluation, inside the pod subnet. */
function podAddress(subnet: string, n: number): string {
    const [a, b] = subnet.split("/")[0].split(".");
    return `${a}.${b}.${1 + Math.floor(n / 200)}.${10 + (n % 200)}`;
}

function destination(cluster: Cluster, to: FlowTarget): Pod {
    return { namespace: to.namespace, labels: to.labels, ip: podAddress(cluster.podSubnet, 1), portName: to.portName, port: to.port };
}

/** The packets a flow makes, as the policy engine sees them; `snat` adds the forms after a masquerade. */
function packets(cluster: Cluster, flow: Flow, snat: boolean): Packet[] {
    const dst = destination(cluster, flow.to);
    const base = { dst, port: flow.to.port, protocol: "TCP" };
    const from = flow.from;
    if (from.kind === "kubelet") {
        return [{ ...base, label: "from the kubelet", srcIp: cluster.nodeAddress, rootSocket: true, fromLocalNode: true }];
    }
    if (from.kind === "host") {
        const direct = cluster.hostAddresses.map(ip => ({ ...base, label: `from the host via ${ip}`, srcIp: ip, rootSocket: false, fromLocalNode: false }));
        return snat ? [...direct, { ...base, label: "from the host, masqueraded as the node", srcIp: cluster.nodeAddress, rootSocket: false, fromLocalNode: true }] : direct;
    }
    const pod: Pod = { namespace: from.namespace, labels: from.labels, ip: podAddress(cluster.podSubnet, 2) };
    const direct = { ...base, label: `from ${from.what} (${pod.ip})`, srcIp: pod.ip, srcPod: pod, rootSocket: false, fromLocalNode: false };
    const masqueraded = snat && flow.to.viaNodePort !== undefined
        ? [{ ...base, label: `from ${from.what} through the node port, masqueraded as the node`, srcIp: cluster.nodeAddress, rootSocket: false, fromLocalNode: true }]
        : [];
    return [direct, ...masqueraded];
}

/** One packet under kube-network-policies v0.8.0 as kindnetd runs it. */
function kindPacket(cluster: Cluster, p: Packet): Verdict {
    // C 829-841: root-owned sockets on the node are accepted before anything else (kubelet probes).
    if (p.rootSocket) {
        return { allowed: true, why: `${p.label}: a root-owned socket on the node (controller.go \`meta skuid 0 accept\`)` };
    }
    // C 727-783, 860-900: only packets to or from a pod some policy selects go to the queue.
    const governed = (pod?: Pod) => pod !== undefined && cluster.policies.some(np => (np.metadata.namespace ?? "default") === pod.namespace && selects(np.spec.podSelector, pod.labels));
    if (!governed(p.srcPod) && !governed(p.dst)) {
        return { allowed: true, why: `${p.label}: no policy selects either end` };
    }
    // C 787-797: evaluated at postrouting before source NAT, so the source is the packet's own.
    // C 590-601 then 633-640: the source pod's egress, then the destination pod's ingress.
    if (p.srcPod) {
        const egress = directionAllows(cluster, { type: "Egress", subject: p.srcPod, other: { ip: p.dst.ip, pod: p.dst } }, p, true);
        if (!egress.allowed) {
            return { allowed: false, why: `${p.label}: ${egress.why}` };
        }
    }
    const ingress = directionAllows(cluster, { type: "Ingress", subject: p.dst, other: { ip: p.srcIp, pod: p.srcPod } }, p, true);
    return { allowed: ingress.allowed, why: `${p.label}: ${ingress.why}` };
}

/**
 * One packet under the API's own words. Ingress from the pod's local node is always allowed (T 72-73);
 * whether ipBlock matches pod addresses is up to the CNI (evaluated both ways).
 */
function standardPacket(cluster: Cluster, p: Packet, ipBlockMatchesPods: boolean): Verdict {
    if (p.srcPod) {
        const egress = directionAllows(cluster, { type: "Egress", subject: p.srcPod, other: { ip: p.dst.ip, pod: p.dst } }, p, ipBlockMatchesPods);
        if (!egress.allowed) {
            return { allowed: false, why: `${p.label}: ${egress.why}` };
        }
    }
    if (p.fromLocalNode) {
        return { allowed: true, why: `${p.label}: the pod's local node (types.go: always allowed)` };
    }
    const ingress = directionAllows(cluster, { type: "Ingress", subject: p.dst, other: { ip: p.srcIp, pod: p.srcPod } }, p, ipBlockMatchesPods);
    return { allowed: ingress.allowed, why: `${p.label}: ${ingress.why}` };
}

/** Every packet of the flow under kind's enforcement. */
export function underKind(cluster: Cluster, flow: Flow): Verdict[] {
    return packets(cluster, flow, false).map(p => kindPacket(cluster, p));
}

/** Every packet of the flow under the standard reading, every way a CNI may implement what it leaves open. */
export function underStandardReading(cluster: Cluster, flow: Flow): Verdict[] {
    return packets(cluster, flow, true).flatMap(p => [true, false].map(m => {
        const v = standardPacket(cluster, p, m);
        return { ...v, why: `${v.why}${m ? "" : " (ipBlock not matching pods)"}` };
    }));
}

/** What is wrong with a flow's verdicts: an empty list when every packet got what the table expects. */
export function violations(flow: Flow, verdicts: Verdict[]): string[] {
    const want = flow.expect === "allow";
    return verdicts.filter(v => v.allowed !== want).map(v => `${flow.name}: must be ${flow.expect === "allow" ? "allowed" : "refused"}, ` +
        `but ${v.allowed ? "allowed" : "dropped"} ${v.why}`);
}
