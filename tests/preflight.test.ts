// The preflight's fact gathering with the commands stubbed at the process boundary.
import * as assert from "assert";
import { dfAvailableGB, gatherFacts, Run } from "../scripts/preflight";

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

    const DEV_CONFIG = "config:\n  scalable-serving:clusterFlavour: kind\n";
    const DF = (kib: number) => `Filesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/vda1       263174212 120000000 ${kib}  50% /\n`;

    it("measures free disk at Docker's data root on the host, and what the images still need there", async () => {
        const answers: Record<string, string | undefined> = {
            "docker info --format {{json .}}": JSON.stringify({ NCPU: 8, MemTotal: 16 * 2 ** 30, Architecture: "x86_64", DockerRootDir: "/var/lib/docker" }),
            "df -Pk /var/lib/docker": DF(20_000_000),
            "curl --version": "curl 8.5.0",
        };
        const facts = await gatherFacts((c, a) => answers[[c, ...a].join(" ")], async () => false,
            { arch: "x64", stackConfigYaml: DEV_CONFIG, exists: p => p === "/var/lib/docker" });
        assert.deepStrictEqual(facts.dockerDisk, { freeGB: 20_000_000 * 1024 / 1e9, where: "Docker's data root (/var/lib/docker)" });
        assert.strictEqual(facts.preloadNeed!.gb, 34.2, "nothing pulled, no cluster: Triton and Seldon's three, on the host and in the node");
        assert.strictEqual(facts.curl, true);
        assert.strictEqual(facts.hostArchitecture, "x64");
    });

    it("Docker Desktop: the data root is inside its VM, so the kind node measures it, or a note says it cannot be measured", async () => {
        const info = JSON.stringify({ NCPU: 8, MemTotal: 16 * 2 ** 30, Architecture: "x86_64", DockerRootDir: "/var/lib/docker" });
        const machine = { arch: "x64", stackConfigYaml: DEV_CONFIG, exists: () => false };
        const withNode = await gatherFacts((c, a) => ({
            "docker info --format {{json .}}": info, "kind get clusters": "scalable-serving",
            "docker exec scalable-serving-control-plane df -Pk /var": DF(50_000_000),
            "docker exec scalable-serving-control-plane crictl images -o json": JSON.stringify({ images: [] }),
        } as Record<string, string>)[[c, ...a].join(" ")], async () => false, machine);
        assert.deepStrictEqual(withNode.dockerDisk, { freeGB: 51.2, where: "Docker's disk (seen from the kind node)" });
        const without = await gatherFacts((c, a) => (c === "docker" && a[0] === "info" ? info : undefined), async () => false, machine);
        assert.match((without.dockerDisk as { unknown: string }).unknown, /cannot measure/);
        // Garbage from crictl counts as an empty node, never a crash.
        const garbage = await gatherFacts((c, a) => ({ "docker info --format {{json .}}": info, "kind get clusters": "scalable-serving",
            "docker exec scalable-serving-control-plane crictl images -o json": "{not json" } as Record<string, string>)[[c, ...a].join(" ")], async () => false, machine);
        assert.strictEqual(garbage.preloadNeed!.gb, 34.2);
    });

    it("reads df's available column, and nothing from garbage", () => {
        assert.strictEqual(dfAvailableGB(DF(1_000_000)), 1.024);
        assert.strictEqual(dfAvailableGB("garbage"), undefined);
        assert.strictEqual(dfAvailableGB(undefined), undefined);
    });
});
