// The preflight's fact gathering with the commands stubbed at the process boundary.
import * as assert from "assert";
import { gatherFacts, Run } from "../scripts/preflight";

describe("preflight facts (scripts/preflight.ts)", () => {
    it("reads versions, Docker's daemon, the cluster and the ports", async () => {
        const answers: Record<string, string | undefined> = {
            "pulumi version": "v3.205.0",
            "kind version": "kind v0.30.0 go1.24.2 linux/amd64",
            "kubectl version --client": "Client Version: v1.33.1",
            "docker info --format {{json .}}": JSON.stringify({ NCPU: 8, MemTotal: 16 * 2 ** 30, Architecture: "x86_64" }),
            "kind get clusters": "other\nscalable-serving",
        };
        const run: Run = (command, args) => answers[[command, ...args].join(" ")];
        const facts = await gatherFacts(run, async port => port === 8333);
        assert.strictEqual(facts.pulumi, "v3.205.0");
        assert.strictEqual(facts.kind, "v0.30.0");
        assert.strictEqual(facts.kubectl, true);
        assert.deepStrictEqual(facts.docker, { reachable: true, cpus: 8, memoryBytes: 16 * 2 ** 30, architecture: "x86_64" });
        assert.strictEqual(facts.clusterExists, true);
        assert.deepStrictEqual(facts.busyPorts, [8333]);
    });

    it("tells a missing Docker from a stopped daemon", async () => {
        const missing = await gatherFacts(() => undefined, async () => false);
        assert.deepStrictEqual(missing.docker, { reachable: false, why: "docker is not installed" });
        const stopped = await gatherFacts((c, a) => (c === "docker" && a[0] === "--version" ? "Docker version 28.2.2" : undefined), async () => false);
        assert.deepStrictEqual(stopped.docker, { reachable: false, why: "docker info failed: is the daemon running?" });
        assert.strictEqual(stopped.pulumi, undefined);
        assert.strictEqual(stopped.clusterExists, false);
    });
});
