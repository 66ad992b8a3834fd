// The preflight's verdicts: from facts about this machine to every problem at once, each with its
// fix. Pure: the facts are gathered at the process boundary (scripts/preflight.ts).
import * as semver from "semver";
import { DEV_STACK_SIZING, DevStackSizing } from "../sizing";

export interface HostFacts {
    /** `node --version`, e.g. v20.20.2. */
    node: string;
    /** `pulumi version`, or undefined when not installed. */
    pulumi?: string;
    /** `kind version`'s version, or undefined when not installed. */
    kind?: string;
    kubectl: boolean;
    /** This machine's processor (`process.arch`: x64, arm64, …): checked even when Docker cannot be asked. */
    hostArchitecture: string;
    /** `curl`, which sends the first request after `up` (the command the stack prints). */
    curl: boolean;
    /** Docker's daemon as `docker info` reports it, or why it could not be asked. */
    docker: { reachable: true; cpus: number; memoryBytes: number; architecture: string } | { reachable: false; why: string };
    /**
     * Free disk where Docker keeps its data (the host's images and the kind node's containerd, which
     * lives in a Docker volume there), or why it could not be measured.
     */
    dockerDisk?: { freeGB: number; where: string } | { unknown: string };
    /** Disk the image preload still needs there (scripts/lifecycle/images.ts, preloadDiskGB), in GB, with what it is made of. */
    preloadNeed?: { gb: number; detail: string };
    /** Whether the kind cluster exists already (then it holds the host ports itself). */
    clusterExists: boolean;
    /** Host ports the cluster maps, and whether something else listens there. */
    busyPorts: number[];
    /** Whether the model still has to be built, and a Python with torch to build it, if one was found. */
    modelBuilt: boolean;
    python?: string;
}

/** Minimum versions: the README's prerequisites and docs/kind.md. */
export const MINIMUM = {
    node: "20.19.0",
    pulumi: "3.140.0",
    // kind v0.29.0 is the first release whose node images include kindest/node:v1.33.1 (kind/cluster.yaml).
    kind: "0.29.0",
};

/** Every problem, each with its fix; empty when the bring-up can go ahead. */
export function preflightProblems(f: HostFacts, sizing: DevStackSizing = DEV_STACK_SIZING): string[] {
    const problems: string[] = [];
    const atLeast = (what: string, version: string | undefined, minimum: string, install: string) => {
        const v = version ? semver.coerce(version)?.version : undefined;
        if (!v) {
            problems.push(`${what} is not installed: ${install}`);
        } else if (semver.lt(v, minimum)) {
            problems.push(`${what} ${v} is too old: ${minimum} or later is needed (${install})`);
        }
    };
    atLeast("Node.js", f.node, MINIMUM.node, "install Node.js 20.19 or later");
    atLeast("the Pulumi CLI", f.pulumi, MINIMUM.pulumi, "see https://www.pulumi.com/docs/install/");
    atLeast("kind", f.kind, MINIMUM.kind, "see https://kind.sigs.k8s.io/docs/user/quick-start/#installation");
    if (!f.kubectl) {
        problems.push("kubectl is not installed: see https://kubernetes.io/docs/tasks/tools/");
    }
    if (!f.curl) {
        problems.push("curl is not installed: it sends the first request after `up` (Debian/Ubuntu: apt-get install curl; macOS has it)");
    }
    const amd64Only = (what: string) => `${what}, but Seldon Core 1.17.1's operator, executor and storage-initializer ` +
        "images are published for amd64 only (SeldonIO/seldon-core#3295): the model pods cannot run on this machine. " +
        "Use an amd64 machine (a cloud VM, a CI runner) for the dev stack, or a cloud cluster with amd64 nodes (clusterFlavour: cloud)";
    if (!f.docker.reachable) {
        problems.push(`Docker's daemon cannot be reached (${f.docker.why}): install Docker and start it (Docker Desktop, or \`sudo systemctl start docker\`)`);
        // Said now, so that an arm64 laptop learns it in this run and not after installing Docker.
        if (f.hostArchitecture !== "x64") {
            problems.push(amd64Only(`this machine is ${f.hostArchitecture}`));
        }
    } else {
        if (!/^(x86_64|amd64)$/.test(f.docker.architecture)) {
            problems.push(amd64Only(`Docker runs ${f.docker.architecture} containers`));
        }
        if (f.docker.cpus < sizing.dockerCpus) {
            problems.push(`Docker has ${f.docker.cpus} CPUs, the dev stack needs ${sizing.dockerCpus} ` +
                `(its pods request ${sizing.cpuRequestMillis / 1000} CPUs): give Docker more (Docker Desktop: Settings → Resources)`);
        }
        const gib = f.docker.memoryBytes / 2 ** 30;
        if (gib < sizing.dockerMemoryGiB * 0.95) {
            problems.push(`Docker has ${gib.toFixed(1)} GiB of memory, the dev stack needs ${sizing.dockerMemoryGiB} GiB ` +
                `(its pods request ${(sizing.memoryRequestMiB / 1024).toFixed(1)} GiB): give Docker more (Docker Desktop: Settings → Resources)`);
        }
    }
    if (f.dockerDisk && f.preloadNeed && f.preloadNeed.gb > 0) {
        const need = Math.ceil(f.preloadNeed.gb);
        if ("freeGB" in f.dockerDisk) {
            if (f.dockerDisk.freeGB < need) {
                problems.push(`${f.dockerDisk.where} has ${f.dockerDisk.freeGB.toFixed(1)} GB free, the images need ${need} GB more there ` +
                    `(${f.preloadNeed.detail}): free ${(need - f.dockerDisk.freeGB).toFixed(1)} GB (\`docker system df\` shows what Docker holds, ` +
                    "`docker image prune -a` and `docker builder prune` free it; Docker Desktop: Settings → Resources → Disk usage limit), " +
                    "or point tritonImage at a smaller image in Pulumi.dev.yaml");
            }
        }
    }
    if (!f.clusterExists) {
        for (const port of f.busyPorts) {
            problems.push(`host port ${port} is in use, and kind/cluster.yaml maps the cluster onto it: stop what listens there ` +
                `(\`lsof -i :${port}\` shows it)`);
        }
    }
    if (!f.modelBuilt && !f.python) {
        problems.push("the model is not built and no Python with torch and torchvision was found to build it: install them " +
            "(Debian: apt-get install python3-torch python3-torchvision) or set PYTHON, or build it elsewhere and copy model/cifar10-model");
    }
    return problems;
}
