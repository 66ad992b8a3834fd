import * as assert from "assert";
import { DEV_STACK_SIZING, devStackSizing, sizingForStackConfig } from "../sizing";
import { HostFacts, preflightProblems } from "./checks";

const READY: HostFacts = {
    node: "v20.20.2", pulumi: "v3.200.0", kind: "v0.29.0", kubectl: true, hostArchitecture: "x64", curl: true,
    docker: { reachable: true, cpus: 8, memoryBytes: 16 * 2 ** 30, architecture: "x86_64" },
    clusterExists: false, busyPorts: [], modelBuilt: false, python: "python3",
};

describe("preflight verdicts", () => {
    it("a ready machine has no problem", () => {
        assert.deepStrictEqual(preflightProblems(READY), []);
    });

    it("reports every problem at once, each with its fix", () => {
        const problems = preflightProblems({
            node: "v18.19.0", pulumi: undefined, kind: "v0.27.0", kubectl: false, docker: { reachable: false, why: "docker info failed" },
            hostArchitecture: "arm64", curl: false, clusterExists: false, busyPorts: [8080], modelBuilt: false, python: undefined,
        });
        assert.strictEqual(problems.length, 9, problems.join("\n"));
        for (const expected of [/Node\.js 18\.19\.0 is too old: 20\.19\.0/, /Pulumi CLI is not installed: see https/, /kind 0\.27\.0 is too old: 0\.29\.0/,
            /kubectl is not installed/, /Docker's daemon cannot be reached/, /host port 8080 is in use.*lsof -i :8080/, /model is not built and no Python with torch/,
            /curl is not installed/, /this machine is arm64, but Seldon Core 1\.17\.1's .* amd64 only/]) {
            assert.ok(problems.some(p => expected.test(p)), `${expected}\n${problems.join("\n")}`);
        }
    });

    it("an arm64 Docker is refused before anything is created: Seldon 1.17.1's images are amd64 only", () => {
        const problems = preflightProblems({ ...READY, docker: { reachable: true, cpus: 8, memoryBytes: 16 * 2 ** 30, architecture: "aarch64" } });
        assert.match(problems.join("\n"), /aarch64 containers.*amd64 only \(SeldonIO\/seldon-core#3295\).*Use an amd64 machine/);
    });

    it("an arm64 machine learns it without Docker; an amd64 one without Docker only hears about Docker", () => {
        const noDocker = { ...READY, docker: { reachable: false as const, why: "docker is not installed" } };
        assert.strictEqual(preflightProblems({ ...noDocker, hostArchitecture: "arm64" }).length, 2);
        assert.deepStrictEqual(preflightProblems({ ...noDocker, hostArchitecture: "x64" }).map(p => p.split(" (")[0]), ["Docker's daemon cannot be reached"]);
    });

    it("free disk where Docker keeps its data: just enough passes, a tenth of a GB less names the shortfall and the fix", () => {
        const need = { gb: 31, detail: "Triton alone is about 5 GB downloaded and 10 GB unpacked" };
        assert.deepStrictEqual(preflightProblems({ ...READY, preloadNeed: need, dockerDisk: { freeGB: 31, where: "Docker's data root (/var/lib/docker)" } }), []);
        const short = preflightProblems({ ...READY, preloadNeed: need, dockerDisk: { freeGB: 30.9, where: "Docker's data root (/var/lib/docker)" } });
        assert.strictEqual(short.length, 1);
        assert.match(short[0], /^Docker's data root \(\/var\/lib\/docker\) has 30\.9 GB free, the images need 31 GB more there \(Triton alone .*\): free 0\.1 GB \(`docker system df`/);
        // Nothing left to load: no disk needed; unmeasurable: a note, not a problem.
        assert.deepStrictEqual(preflightProblems({ ...READY, preloadNeed: { gb: 0, detail: "" }, dockerDisk: { freeGB: 1, where: "x" } }), []);
        assert.deepStrictEqual(preflightProblems({ ...READY, preloadNeed: need, dockerDisk: { unknown: "Docker Desktop" } }), []);
    });

    it("Docker smaller than the stack's sizing is reported with the numbers", () => {
        const problems = preflightProblems({ ...READY, docker: { reachable: true, cpus: 2, memoryBytes: 4 * 2 ** 30, architecture: "x86_64" } });
        assert.match(problems[0], new RegExp(`Docker has 2 CPUs, the dev stack needs ${DEV_STACK_SIZING.dockerCpus}`));
        assert.match(problems[1], new RegExp(`Docker has 4\\.0 GiB of memory, the dev stack needs ${DEV_STACK_SIZING.dockerMemoryGiB} GiB`));
    });

    it("busy ports matter only before the cluster exists (then it holds them), and Python only when the model is not built", () => {
        assert.deepStrictEqual(preflightProblems({ ...READY, clusterExists: true, busyPorts: [8080, 8333] }), []);
        assert.deepStrictEqual(preflightProblems({ ...READY, modelBuilt: true, python: undefined }), []);
    });
});

describe("the dev stack's sizing (scripts/sizing.ts)", () => {
    it("follows maxReplicas and the load-test Job in the stack config; the written-down default is 3 replicas with the Job", () => {
        assert.deepStrictEqual(devStackSizing(3, true), DEV_STACK_SIZING);
        assert.deepStrictEqual(sizingForStackConfig('config:\n  scalable-serving:maxReplicas: "3"\n  scalable-serving:loadTestEnabled: "true"\n'), DEV_STACK_SIZING);
        const small = sizingForStackConfig('config:\n  scalable-serving:maxReplicas: "2"\n');
        assert.ok(small.cpuRequestMillis < DEV_STACK_SIZING.cpuRequestMillis && small.dockerCpus < DEV_STACK_SIZING.dockerCpus);
        assert.deepStrictEqual(sizingForStackConfig("config: {}\n"), devStackSizing(3, false));
        const withGrafana = sizingForStackConfig('config:\n  scalable-serving:grafanaOnKind: "true"\n');
        assert.strictEqual(withGrafana.memoryRequestMiB, devStackSizing(3, false).memoryRequestMiB + 128);
    });

    it("a 4-CPU, 16 GiB machine (a hosted CI runner) fits two replicas without the Job, not the default", () => {
        const runner = { ...READY, docker: { reachable: true as const, cpus: 4, memoryBytes: 16 * 2 ** 30, architecture: "x86_64" } };
        assert.deepStrictEqual(preflightProblems(runner, devStackSizing(2, false)), []);
        assert.strictEqual(preflightProblems(runner, DEV_STACK_SIZING).length, 1);
    });
});
