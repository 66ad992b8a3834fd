// `npm run up:kind` runs this first: it checks everything the bring-up needs and reports every
// problem at once, each with its fix, before anything slow (training, creating the cluster, pulls).
// Exit status 0 only when nothing is missing.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { DEV_STACK } from "./lifecycle/devStack";
import { devStackImages, imageDisk, nodeImages, preloadDiskGB } from "./lifecycle/images";
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

/** Available GB from `df -Pk PATH` output (POSIX format: the fourth column, in KiB), or undefined. */
export function dfAvailableGB(dfOutput: string | undefined): number | undefined {
    const fields = dfOutput?.trim().split("\n").pop()?.trim().split(/\s+/);
    const kib = fields && fields.length >= 6 ? Number(fields[3]) : NaN;
    return Number.isFinite(kib) ? (kib * 1024) / 1e9 : undefined;
}

/**
 * Free disk where Docker keeps its data: on the host when Docker's data root is a local folder, else
 * inside the kind node (its /var is a Docker volume under that root; Docker Desktop's VM), else unknown.
 */
function dockerDiskFacts(runCommand: Run, rootDir: string | undefined, clusterExists: boolean, exists: (p: string) => boolean): HostFacts["dockerDisk"] {
    if (rootDir && exists(rootDir)) {
        const free = dfAvailableGB(runCommand("df", ["-Pk", rootDir]));
        if (free !== undefined) {
            return { freeGB: free, where: `Docker's data root (${rootDir})` };
        }
    }
    if (clusterExists) {
        const free = dfAvailableGB(runCommand("docker", ["exec", DEV_STACK.nodeContainer, "df", "-Pk", "/var"]));
        if (free !== undefined) {
            return { freeGB: free, where: "Docker's disk (seen from the kind node)" };
        }
    }
    return { unknown: `Docker keeps its data at ${rootDir ?? "an unknown place"}, which this machine cannot measure (Docker Desktop: Settings → Resources shows it)` };
}

/** What the image preload still needs on Docker's disk: images neither on the host nor in the node. */
function preloadFacts(runCommand: Run, stackConfigYaml: string, clusterExists: boolean): HostFacts["preloadNeed"] {
    const wanted = devStackImages(stackConfigYaml);
    const listed = clusterExists ? runCommand("docker", ["exec", DEV_STACK.nodeContainer, "crictl", "images", "-o", "json"]) : undefined;
    let onNode = new Set<string>();
    try {
        onNode = listed ? nodeImages(listed) : onNode;
    } catch {
        // An unreadable listing counts as an empty node: the estimate errs on the safe side.
    }
    const onHost = new Set(wanted.filter(w => runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", w.image]) !== undefined).map(w => w.image));
    const gb = preloadDiskGB(wanted, i => onHost.has(i), onNode);
    const triton = imageDisk(wanted[0].image);
    return { gb, detail: `Triton alone is about ${triton.download} GB downloaded and ${triton.unpacked} GB unpacked, kept by Docker and again by the kind node's containerd` };
}

/** Gathers the facts through `run` (the process boundary, stubbed in tests) and the ports. */
export async function gatherFacts(runCommand: Run = run, isBusy: (port: number) => Promise<boolean> = portBusy,
    machine: { arch: string; stackConfigYaml: string; exists: (p: string) => boolean } = {
        arch: process.arch, stackConfigYaml: fs.readFileSync(path.join(ROOT, DEV_STACK.stackConfig), "utf8"), exists: fs.existsSync,
    }): Promise<HostFacts> {
    const info = runCommand("docker", ["info", "--format", "{{json .}}"]);
    let docker: HostFacts["docker"] = { reachable: false, why: "docker info failed: is the daemon running?" };
    let rootDir: string | undefined;
    if (info === undefined && runCommand("docker", ["--version"]) === undefined) {
        docker = { reachable: false, why: "docker is not installed" };
    } else if (info !== undefined) {
        try {
            const d = JSON.parse(info);
            docker = { reachable: true, cpus: Number(d.NCPU), memoryBytes: Number(d.MemTotal), architecture: String(d.Architecture) };
            rootDir = typeof d.DockerRootDir === "string" ? d.DockerRootDir : undefined;
        } catch {
            docker = { reachable: false, why: "docker info answered something unexpected" };
        }
    }
    const modelBuilt = machine.exists(path.join(ROOT, DEV_STACK.builtModel));
    const clusterExists = (runCommand("kind", ["get", "clusters"]) ?? "").split("\n").includes(DEV_STACK.cluster);
    return {
        node: process.version,
        hostArchitecture: machine.arch,
        curl: runCommand("curl", ["--version"]) !== undefined,
        dockerDisk: docker.reachable ? dockerDiskFacts(runCommand, rootDir, clusterExists, machine.exists) : undefined,
        preloadNeed: docker.reachable ? preloadFacts(runCommand, machine.stackConfigYaml, clusterExists) : undefined,
        pulumi: runCommand("pulumi", ["version"]),
        kind: runCommand("kind", ["version"])?.match(/v?\d+\.\d+\.\d+/)?.[0],
        kubectl: runCommand("kubectl", ["version", "--client"]) !== undefined,
        docker,
        clusterExists,
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
        if (facts.dockerDisk && "unknown" in facts.dockerDisk && facts.preloadNeed && facts.preloadNeed.gb > 0) {
            console.log(`preflight: note: ${facts.dockerDisk.unknown}; the images need about ${Math.ceil(facts.preloadNeed.gb)} GB free there (${facts.preloadNeed.detail})`);
        }
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
