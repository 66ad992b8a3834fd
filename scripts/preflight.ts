// `npm run up:kind` runs this first: it checks everything the bring-up needs and reports every
// problem at once, each with its fix, before anything slow (training, creating the cluster, pulls).
// Exit status 0 only when nothing is missing.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { DEV_STACK } from "./lifecycle/devStack";
import { HostFacts, preflightProblems } from "./preflight/checks";
import { sizingForStackConfig } from "./sizing";

const ROOT = path.resolve(__dirname, "..");
const HOST_PORTS = [8080, 8333];

/** Runs a command with a deadline: its output, or undefined when it is missing or failed. */
export type Run = (command: string, args: string[]) => string | undefined;

const run: Run = (command, args) => {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 20000, cwd: ROOT });
    return r.status === 0 ? r.stdout.trim() : undefined;
};

function portBusy(port: number): Promise<boolean> {
    return new Promise(resolve => {
        const server = net.createServer();
        server.once("error", () => resolve(true));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
    });
}

/** Gathers the facts through `run` (the process boundary, stubbed in tests) and the ports. */
export async function gatherFacts(runCommand: Run = run, isBusy: (port: number) => Promise<boolean> = portBusy): Promise<HostFacts> {
    const info = runCommand("docker", ["info", "--format", "{{json .}}"]);
    let docker: HostFacts["docker"] = { reachable: false, why: "docker info failed: is the daemon running?" };
    if (info === undefined && runCommand("docker", ["--version"]) === undefined) {
        docker = { reachable: false, why: "docker is not installed" };
    } else if (info !== undefined) {
        try {
            const d = JSON.parse(info);
            docker = { reachable: true, cpus: Number(d.NCPU), memoryBytes: Number(d.MemTotal), architecture: String(d.Architecture) };
        } catch {
            docker = { reachable: false, why: "docker info answered something unexpected" };
        }
    }
    const modelBuilt = fs.existsSync(path.join(ROOT, DEV_STACK.builtModel));
    return {
        node: process.version,
        pulumi: runCommand("pulumi", ["version"]),
        kind: runCommand("kind", ["version"])?.match(/v?\d+\.\d+\.\d+/)?.[0],
        kubectl: runCommand("kubectl", ["version", "--client"]) !== undefined,
        docker,
        clusterExists: (runCommand("kind", ["get", "clusters"]) ?? "").split("\n").includes(DEV_STACK.cluster),
        busyPorts: (await Promise.all(HOST_PORTS.map(async p => ((await isBusy(p)) ? p : undefined)))).filter((p): p is number => p !== undefined),
        modelBuilt,
        python: modelBuilt ? undefined : runCommand("sh", ["-c", ". model/python.sh && find_python \"torch, torchvision\" && echo \"$PYTHON\""]),
    };
}

if (require.main === module) {
    // Sized for the dev stack as configured (maxReplicas, loadTestEnabled in Pulumi.dev.yaml).
    const sizing = sizingForStackConfig(fs.readFileSync(path.join(ROOT, DEV_STACK.stackConfig), "utf8"));
    gatherFacts().then(facts => {
        const problems = preflightProblems(facts, sizing);
        if (problems.length > 0) {
            console.error(`preflight: ${problems.length} problem(s) before the dev stack can come up:`);
            problems.forEach(p => console.error(`  - ${p}`));
            process.exit(1);
        }
        console.log(`preflight: ready (node ${facts.node}, pulumi ${facts.pulumi}, kind ${facts.kind}; Docker: ` +
            `${facts.docker.reachable ? `${facts.docker.cpus} CPUs, ${(facts.docker.memoryBytes / 2 ** 30).toFixed(1)} GiB` : "?"}; ` +
            `the stack requests ${sizing.cpuRequestMillis / 1000} CPUs and ${(sizing.memoryRequestMiB / 1024).toFixed(1)} GiB)`);
        process.exit(0);
    }, e => {
        console.error(`preflight FAILED: ${(e as Error).message}`);
        process.exit(1);
    });
}
