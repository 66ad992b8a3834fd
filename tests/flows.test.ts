// Every runtime flow of lib/flows.ts, evaluated against the NetworkPolicies the program renders for
// the dev stack and its variants, under kind's enforcement (kube-network-policies v0.8.0) and the
// API's standard reading (tests/flows/enforcement.ts cites the upstream lines of each rule).
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { parse } from "yaml";
import { KIND_POD_SUBNET, runtimeFlows } from "../lib/flows";
import { Cluster, NetworkPolicyObject, underKind, underStandardReading } from "./flows/enforcement";
import { clusterOf, DOCKER_HOST_SOURCES, flowProblems, KIND_NODE_ADDRESS } from "./flows/world";
import { baseConfig, PROJECT, ProgramRun, ROOT, runProgram } from "./harness";

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** The dev stack's settings (Pulumi.dev.yaml) with overrides, and a built model in place of the unbuilt one. */
function devStack(overrides: Record<string, string> = {}): Record<string, string> {
    const stack = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, string>;
    const prefixed = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [`${PROJECT}:${k}`, v]));
    return { ...stack, [`${PROJECT}:modelRepositoryPath`]: baseConfig().modelRepositoryPath, ...prefixed };
}

/** The store's policy as it shipped before this table existed: pods only, so nothing from the host. */
const POLICY_BEFORE: NetworkPolicyObject = {
    metadata: { name: "model-store-s3-access", namespace: "seaweedfs" },
    spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "seaweedfs", "app.kubernetes.io/instance": "seaweedfs", "app.kubernetes.io/component": "seaweedfs-all-in-one" } },
        policyTypes: ["Ingress"],
        ingress: [
            { from: [{ podSelector: {} }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "seldon" } } }], ports: [{ port: 8333, protocol: "TCP" }] },
        ],
    },
};

const DEV_FLOWS = runtimeFlows({ modelNamespace: "seldon", deploymentName: "cifar10", inClusterStore: true, loadTest: true, keda: true });

describe("runtime flows against the rendered NetworkPolicies (lib/flows.ts)", () => {
    const runs: Record<string, ProgramRun> = {};
    const variants: Record<string, Record<string, string>> = {
        "dev stack (hpa)": {},
        "dev stack, keda on the queue, load test": { autoscaler: "keda", kedaSignal: "queue", loadTestEnabled: "true" },
        "dev stack, models in another namespace": { modelNamespace: "models" },
    };

    before(async () => {
        for (const [name, overrides] of Object.entries(variants)) {
            runs[name] = await runProgram(devStack(overrides), { stack: "dev" });
            assert.ifError(runs[name].error);
        }
    });

    for (const name of Object.keys(variants)) {
        it(`${name}: every flow gets its verdict under kind's CNI and under the standard reading`, () => {
            const run = runs[name];
            const cluster = clusterOf(run);
            assert.ok(cluster.policies.length > 0, "the dev stack renders the store's NetworkPolicy");
            const flows = runtimeFlows({
                modelNamespace: variants[name].modelNamespace ?? "seldon", deploymentName: "cifar10", inClusterStore: true,
                loadTest: variants[name].loadTestEnabled === "true", keda: variants[name].autoscaler === "keda",
            });
            assert.deepStrictEqual(flowProblems(cluster, flows), []);
        });
    }

    it("every flow to the ingress gateway's pods uses the port its Envoy listens on: the Gateway's HTTP server, where the Service forwards", () => {
        const run = runs["dev stack (hpa)"];
        const gatewayRelease = run.ofType("kubernetes:helm.sh/v3:Release").find(r => r.name === "istio-ingressgateway")!;
        const http = gatewayRelease.inputs.values.service.ports.find((p: { name: string }) => p.name === "http2");
        const gateway = run.ofType("kubernetes:networking.istio.io/v1:Gateway")[0];
        const server = gateway.inputs.spec.servers.find((sv: { port: { protocol: string } }) => sv.port.protocol === "HTTP");
        assert.strictEqual(http.targetPort, server.port.number, "the Service forwards to the Gateway's HTTP server");
        // Found by what they target (the gateway's pods), not by their names.
        const toGateway = DEV_FLOWS.filter(f => f.to.namespace === "istio-system" && f.to.labels.istio === "ingressgateway");
        assert.ok(toGateway.length >= 3);
        assert.deepStrictEqual([...new Set(toGateway.map(f => f.to.port))], [server.port.number]);
    });

    it("the policy as it shipped before fails, naming the host's uploads it drops on kind (the check can fail)", () => {
        const cluster = { ...clusterOf(runs["dev stack (hpa)"]), policies: [POLICY_BEFORE] };
        const problems = flowProblems(cluster, DEV_FLOWS);
        assert.ok(problems.length > 0);
        assert.ok(problems.every(p => /^(kind|standard): host → store S3 \(pulumi up's uploads and its \/healthz gate\): must be allowed, but dropped from the host via /.test(p)),
            problems.join("\n"));
        assert.strictEqual(problems.filter(p => p.startsWith("kind: ")).length, DOCKER_HOST_SOURCES.length, "dropped from every Docker gateway on kind");
        assert.match(problems[0], /no ingress rule of model-store-s3-access matches/);
        // Only a CNI that masquerades the host as the node before evaluating lets it through (the local node is always allowed).
        assert.ok(!problems.some(p => p.includes("masqueraded as the node")));
    });

    it("an ipBlock without the pod subnet excepted lets every pod reach S3 (the check can fail the other way)", () => {
        const cluster = clusterOf(runs["dev stack (hpa)"]);
        const open: NetworkPolicyObject[] = cluster.policies.map(p => JSON.parse(JSON.stringify(p)));
        for (const rule of open[0].spec.ingress!) {
            for (const peer of rule.from ?? []) {
                if (peer.ipBlock) {
                    delete peer.ipBlock.except;
                }
            }
        }
        const problems = flowProblems({ ...cluster, policies: open }, DEV_FLOWS);
        assert.ok(problems.some(p => p.startsWith("kind: another namespace → store s3 (8333): must be refused, but allowed from a pod in another namespace")), problems.join("\n"));
        assert.ok(problems.some(p => p.startsWith("kind: another namespace → store S3 through the node port: must be refused")), problems.join("\n"));
        assert.ok(!problems.some(p => p.includes("store filer")), "the other ports stay closed: the ipBlock rule is for S3 only");
    });

    it("with the policy switched off, the flows that must be refused are not (what modelStoreNetworkPolicy false costs)", async () => {
        const off = await runProgram(devStack({ modelStoreNetworkPolicy: "false" }), { stack: "dev" });
        const cluster = clusterOf(off);
        assert.deepStrictEqual(off.ofType(POLICY), []);
        const refusals = DEV_FLOWS.filter(f => f.expect === "refuse");
        assert.ok(refusals.length >= 10);
        assert.ok(refusals.every(f => underKind(cluster, f).every(v => v.allowed)));
    });

    it("kind/cluster.yaml pins the pod subnet the policy excepts, IPv4 only", () => {
        const config = parse(fs.readFileSync(path.join(ROOT, "kind/cluster.yaml"), "utf8"));
        assert.deepStrictEqual(config.networking, { ipFamily: "ipv4", podSubnet: KIND_POD_SUBNET });
        const policy = runs["dev stack (hpa)"].get(POLICY, "model-store-s3-access").inputs;
        assert.deepStrictEqual(policy.spec.ingress[2].from, [{ ipBlock: { cidr: "0.0.0.0/0", except: [KIND_POD_SUBNET] } }]);
    });

    it("the host's sources and the node are in Docker's default address pools, none inside the pod subnet", () => {
        // Docker's default pools (172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/16 in /20s).
        const dockerPools = new net.BlockList();
        dockerPools.addSubnet("172.16.0.0", 12);
        dockerPools.addSubnet("192.168.0.0", 16);
        const [podNetwork, podPrefix] = KIND_POD_SUBNET.split("/");
        const pods = new net.BlockList();
        pods.addSubnet(podNetwork, Number(podPrefix));
        const addresses = [...DOCKER_HOST_SOURCES, KIND_NODE_ADDRESS];
        assert.ok(DOCKER_HOST_SOURCES.length >= 2, "more than one Docker network is covered");
        assert.deepStrictEqual(addresses.filter(a => !dockerPools.check(a)), [], "outside Docker's pools");
        assert.deepStrictEqual(addresses.filter(a => pods.check(a)), [], "inside the pod subnet the store's policy excepts");
        assert.ok(pods.check("10.244.0.5") && !pods.check("10.245.0.1"), "the pod subnet reads as kind's 10.244.0.0/16");
    });
});

describe("the enforcement rules themselves (tests/flows/enforcement.ts), at their boundaries", () => {
    const store = DEV_FLOWS.find(f => f.name.startsWith("storage initializer"))!;
    const host = DEV_FLOWS.find(f => f.name.startsWith("host → store"))!;
    const kubelet = DEV_FLOWS.find(f => f.name.startsWith("kubelet → store"))!;
    const cluster = (policies: NetworkPolicyObject[]): Cluster => ({
        namespaces: { seldon: { "kubernetes.io/metadata.name": "seldon" }, seaweedfs: { "kubernetes.io/metadata.name": "seaweedfs" } },
        policies, podSubnet: KIND_POD_SUBNET, nodeAddress: KIND_NODE_ADDRESS, hostAddresses: ["172.18.0.1"],
    });
    const denyAll: NetworkPolicyObject = { metadata: { name: "deny", namespace: "seaweedfs" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };

    it("a policy that selects the pod with no rules drops pods and the host, but not the kubelet on kind", () => {
        const c = cluster([denyAll]);
        assert.deepStrictEqual(underKind(c, store).map(v => v.allowed), [false]);
        assert.deepStrictEqual(underKind(c, host).map(v => v.allowed), [false]);
        assert.deepStrictEqual(underKind(c, kubelet).map(v => v.allowed), [true]);
        assert.match(underKind(c, kubelet)[0].why, /root-owned socket/);
    });

    it("a policy in another namespace, or selecting other pods, does not apply", () => {
        assert.ok(underKind(cluster([{ ...denyAll, metadata: { name: "deny", namespace: "seldon" } }]), store).every(v => v.allowed));
        assert.ok(underKind(cluster([{ ...denyAll, spec: { ...denyAll.spec, podSelector: { matchLabels: { app: "other" } } } }]), store).every(v => v.allowed));
    });

    it("ipBlock: the host's address just inside the range is allowed, just outside (or excepted) is not", () => {
        const block = (cidr: string, except?: string[]): NetworkPolicyObject =>
            ({ metadata: { name: "b", namespace: "seaweedfs" }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr, except } }] }] } });
        assert.ok(underKind(cluster([block("172.18.0.1/32")]), host).every(v => v.allowed));
        assert.ok(underKind(cluster([block("172.18.0.2/32")]), host).every(v => !v.allowed));
        assert.ok(underKind(cluster([block("172.18.0.0/16", ["172.18.0.1/32"])]), host).every(v => !v.allowed));
    });

    it("ports: the S3 port just matches, the next port does not, and an unset protocol means TCP", () => {
        const ports = (port: number, protocol?: string): NetworkPolicyObject =>
            ({ metadata: { name: "p", namespace: "seaweedfs" }, spec: { podSelector: {}, ingress: [{ ports: [{ port, protocol }] }] } });
        assert.ok(underKind(cluster([ports(8333)]), store).every(v => v.allowed));
        assert.ok(underKind(cluster([ports(8334, "TCP")]), store).every(v => !v.allowed));
        assert.ok(underKind(cluster([ports(8333, "UDP")]), store).every(v => !v.allowed));
    });

    it("selectors match pods only: a namespaceSelector for every namespace admits a pod, never the host", () => {
        const any: NetworkPolicyObject = { metadata: { name: "a", namespace: "seaweedfs" }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] } };
        assert.ok(underKind(cluster([any]), store).every(v => v.allowed));
        assert.ok(underKind(cluster([any]), host).every(v => !v.allowed));
        // The standard reading: the same host packet, masqueraded as the node, is the local node's and passes.
        const standard = underStandardReading(cluster([any]), host);
        assert.ok(standard.some(v => v.allowed && /local node/.test(v.why)) && standard.some(v => !v.allowed));
    });

    it("a podSelector alone means the policy's own namespace", () => {
        const same: NetworkPolicyObject = { metadata: { name: "s", namespace: "seaweedfs" }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } };
        assert.ok(underKind(cluster([same]), store).every(v => !v.allowed), "a pod of seldon is not in seaweedfs");
    });
});
