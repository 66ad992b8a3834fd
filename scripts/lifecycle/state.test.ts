import * as assert from "assert";
import { liveNamespaces, reconcilePlan, forgetWithCluster, StateResource, stateVerdict } from "./state";

const P = "urn:pulumi:dev::scalable-serving::";
const EXAMPLE_STATE: StateResource[] = [
    { urn: `${P}pulumi:providers:kubernetes::kubernetes`, type: "pulumi:providers:kubernetes", custom: true },
    { urn: `${P}random:index/randomPassword:RandomPassword::key`, type: "random:index/randomPassword:RandomPassword", custom: true },
    { urn: `${P}scalable-serving:storage:InClusterModelStore::model-store`, type: "scalable-serving:storage:InClusterModelStore", custom: false },
    { urn: `${P}scalable-serving:storage:InClusterModelStore$kubernetes:core/v1:Namespace::seaweedfs`, type: "kubernetes:core/v1:Namespace", custom: true,
        outputs: { metadata: { name: "seaweedfs", uid: "uid-a" } } },
    { urn: `${P}scalable-serving:storage:InClusterModelStore$kubernetes:helm.sh/v3:Release::seaweedfs`, type: "kubernetes:helm.sh/v3:Release", custom: true },
    { urn: `${P}scalable-serving:storage:InClusterModelStore$command:local:Command::model-store-s3-ready`, type: "command:local:Command", custom: true },
    { urn: `${P}scalable-serving:storage:InClusterModelStore$pulumi:providers:aws::model-store-s3`, type: "pulumi:providers:aws", custom: true },
    { urn: `${P}scalable-serving:storage:ModelRepository$aws:s3/bucketObjectv2:BucketObjectv2::model-repository/a`, type: "aws:s3/bucketObjectv2:BucketObjectv2", custom: true,
        provider: `${P}scalable-serving:storage:InClusterModelStore$pulumi:providers:aws::model-store-s3::0a1b` },
    { urn: `${P}kubernetes:core/v1:Namespace::seldon`, type: "kubernetes:core/v1:Namespace", custom: true, outputs: { metadata: { name: "seldon", uid: "uid-b" } } },
    { urn: `${P}command:local:Command::cifar10-smoke-test`, type: "command:local:Command", custom: true },
];

describe("the state against the cluster (scripts/lifecycle/state.ts)", () => {
    const live = (entries: Record<string, string>) => liveNamespaces(JSON.stringify({ items: Object.entries(entries).map(([name, uid]) => ({ metadata: { name, uid } })) }));

    it("matches when every namespace the stack created is there with its uid", () => {
        assert.deepStrictEqual(stateVerdict(EXAMPLE_STATE, live({ seaweedfs: "uid-a", seldon: "uid-b", default: "x" })), { kind: "matches" });
    });

    it("is stale when a namespace is missing or has another uid (the cluster was recreated)", () => {
        const missing = stateVerdict(EXAMPLE_STATE, live({ seaweedfs: "uid-a" }));
        assert.strictEqual(missing.kind, "stale");
        const recreated = stateVerdict(EXAMPLE_STATE, live({ seaweedfs: "uid-new", seldon: "uid-b" }));
        assert.strictEqual(recreated.kind, "stale");
        assert.match((recreated as { why: string }).why, /seaweedfs.*recreated/);
    });

    it("is empty for a new stack", () => {
        assert.deepStrictEqual(stateVerdict([], live({})), { kind: "empty" });
    });

    it("refreshes Kubernetes resources and forgets, dependents first, what only the old cluster could vouch for", () => {
        const plan = reconcilePlan(EXAMPLE_STATE);
        assert.deepStrictEqual(plan.refresh.map(u => u.split("::").pop()), ["seaweedfs", "seaweedfs", "seldon"]);
        assert.deepStrictEqual(plan.forget.map(u => u.split("::").pop()), ["cifar10-smoke-test", "model-repository/a", "model-store-s3-ready"]);
    });

    it("keeps objects uploaded to AWS S3: the bucket outlives the cluster", () => {
        const s3 = EXAMPLE_STATE.map(r => r.type.startsWith("aws:s3/") ? { ...r, provider: `${P}pulumi:providers:aws::default_7_48_0::0a1b` } : r);
        assert.ok(!reconcilePlan(s3).forget.some(u => u.includes("BucketObjectv2")));
        assert.ok(!forgetWithCluster(s3).some(u => u.includes("BucketObjectv2")));
    });

    it("without a cluster, everything that lived in it is forgotten, dependents first; keys and providers stay for destroy", () => {
        assert.deepStrictEqual(forgetWithCluster(EXAMPLE_STATE).map(u => u.split("::").pop()),
            ["cifar10-smoke-test", "seldon", "model-repository/a", "model-store-s3-ready", "seaweedfs", "seaweedfs"]);
    });
});
