import * as assert from "assert";
import { checkBucketName, checkS3Prefix, cidrProblem, ModesInUse, nearestKey, unknownKeyProblems, unusedSettings } from "./rules";

describe("configuration rules", () => {
    it("unknownKeyProblems and nearestKey are pure rules", () => {
        assert.deepStrictEqual(unknownKeyProblems("p", ["p:autoscaler", "aws:region", "other:autoscalr"]), []);
        assert.strictEqual(unknownKeyProblems("p", ["p:replica"]).length, 1);
        assert.strictEqual(nearestKey("modelstore"), "modelStore");
        assert.strictEqual(nearestKey("zzzzzz"), undefined);
    });

    it("CIDRs: IPv4 and IPv6 with a prefix length in range", () => {
        assert.deepStrictEqual(["203.0.113.0/24", "2001:db8::/32", "1.2.3.4", "1.2.3.4/33", "01.2.3.4/8", "2001:db8::/129"].map(cidrProblem),
            [undefined, undefined, "is not a CIDR (address/prefix length)", "has a prefix longer than 32", "has no valid IPv4 or IPv6 address", "has a prefix longer than 128"]);
        // What a regex let through (issue 19): three colons, nine groups, a group too long, an IPv4 tail out of range.
        for (const bad of [":::/64", "1:2:3:4:5:6:7:8:9/64", "2001:db8:12345::/48", "::ffff:1.2.3.256/128", "1.2.3/24"]) {
            assert.strictEqual(cidrProblem(bad), "has no valid IPv4 or IPv6 address", bad);
        }
        // At the bounds: /0, /32 and /128 are prefix lengths; ::/0 and an IPv4-mapped address are addresses.
        assert.deepStrictEqual(["0.0.0.0/0", "203.0.113.7/32", "::/0", "2001:db8::1/128", "::ffff:192.0.2.1/128"].map(cidrProblem), [undefined, undefined, undefined, undefined, undefined]);
    });

    it("bucket names and key prefixes", () => {
        assert.strictEqual(checkBucketName("models-bucket"), undefined);
        assert.match(checkBucketName("UPPER")!, /lowercase/);
        assert.strictEqual(checkS3Prefix("cifar10-model"), undefined);
        assert.match(checkS3Prefix("/x")!, /begin or end/);
    });

    it("settings the modes in force do not use are named, with why; used ones and unset ones are not", () => {
        const all = new Set(["replicas", "minReplicas", "kedaSignal", "kedaFallbackReplicas", "hpaCpuUtilization", "kedaQueueTarget", "modelStoreSize",
            "smokeTestTimeoutSeconds", "loadTestUsers", "alertLatencyP99Ms", "kedaVersion", "monitoringRepository"]);
        const base: ModesInUse = { autoscaler: "hpa", modelStore: "in-cluster", grafana: false, smokeTest: true, loadTest: true,
            installs: { istio: true, seldonCore: true, metricsServer: true, monitoring: true, keda: true } };
        const names = (m: Partial<ModesInUse>) => unusedSettings({ ...base, ...m }, k => all.has(k)).map(w => w.split(" ")[0]);
        assert.deepStrictEqual(names({}), ["replicas", "kedaSignal", "kedaFallbackReplicas", "kedaQueueTarget"]);
        assert.deepStrictEqual(names({ autoscaler: "none" }), ["minReplicas", "kedaSignal", "kedaFallbackReplicas", "hpaCpuUtilization", "kedaQueueTarget"]);
        assert.deepStrictEqual(names({ autoscaler: "keda" }), ["replicas", "hpaCpuUtilization"]);
        // A dashboard draws every signal's target: then none of them is unused.
        assert.deepStrictEqual(names({ autoscaler: "keda", grafana: true }), ["replicas"]);
        assert.deepStrictEqual(names({ modelStore: "aws-s3" }).filter(k => k.startsWith("modelStore")), ["modelStoreSize"]);
        assert.deepStrictEqual(names({ smokeTest: false, loadTest: false }).filter(k => /Test/.test(k)), ["smokeTestTimeoutSeconds", "loadTestUsers"]);
        assert.deepStrictEqual(names({ installs: { ...base.installs, monitoring: false, keda: false } }).filter(k => /alert|Version|Repository/.test(k)),
            ["alertLatencyP99Ms", "monitoringRepository", "kedaVersion"]);
        assert.match(unusedSettings({ ...base, modelStore: "aws-s3" }, k => k === "modelStoreSize")[0], /^modelStoreSize is set but not used: modelStore is aws-s3$/);
        assert.deepStrictEqual(unusedSettings(base, () => false), []);
    });
});
