// `npm run up:kind` (after the preflight and the model build) and `npm run down:kind`: the steps
// around `pulumi up` and `pulumi destroy` on the laptop. Decisions are the pure functions next to
// this file; every command goes through a Proc (the process boundary, scripted in tests).
import * as fs from "fs";
import * as path from "path";
import { DEV_STACK } from "./devStack";
import { checkAnswer, CIFAR10_CLASSES } from "../../lib/v2Protocol";
import { criSnapshotter, devStackImages, imageDisk, nodeImages, planImageLoads, NODE_PLATFORM, saveHasPlatform, streamLoadCommands } from "./images";
import { clusterPresence, listedClusters } from "./cluster";
import { Proc } from "./proc";
import { liveNamespaces, reconcilePlan, StateResource, stateResources, stateVerdict } from "./state";
import { keptAfterTeardown, teardownSteps } from "./teardown";

/** How long each kind of step may take before it is stopped. */
export const DEADLINES_MS = {
    query: 60_000,
    buildModel: 60 * 60_000,
    firstRequest: 60_000,
    createCluster: 10 * 60_000,
    pull: 60 * 60_000,
    load: 30 * 60_000,
    refresh: 15 * 60_000,
    forget: 2 * 60_000,
    up: 90 * 60_000,
    destroy: 45 * 60_000,
    deleteCluster: 5 * 60_000,
};

/** What each slow step usually takes, said as it starts (docs/kind.md, "The first `npm run up:kind`"). */
export const EXPECTED = {
    buildModel: "5 to 15 min on a laptop CPU, downloads CIFAR-10 (FAKE_DATA=512: seconds)",
    createCluster: "about 1 min",
    pull: (gb: number) => `about ${gb} GB to download: ${gb >= 2 ? "10 to 30 min on a home connection" : "under a minute"}`,
    load: (gb: number) => `${gb} GB unpacked: ${gb >= 2 ? "2 to 5 min" : "seconds"}`,
    up: "5 to 10 min once the images are in the node",
};

export interface Lifecycle {
    proc: Proc;
    log: (line: string) => void;
    /** The project folder. */
    root: string;
    /** Remove the host's copy of each image once it is in the node (`npm run up:kind -- --drop-host-images`). */
    dropHostImages?: boolean;
}

/** A step failed: what, and what to do about it. */
export class StepFailed extends Error {}

const S = DEV_STACK;

/**
 * Whether the kind cluster exists, on positive evidence only (cluster.ts): anything unexpected stops
 * the run before it changes anything.
 */
async function clusterExists(l: Lifecycle): Promise<boolean> {
    const kind = await l.proc.capture("kind", ["get", "clusters"], { timeoutMs: DEADLINES_MS.query });
    const listed = listedClusters(kind);
    const inspect = "names" in listed && !listed.names.includes(S.cluster)
        ? await l.proc.capture("docker", ["container", "inspect", "--format", "{{.Id}}", S.nodeContainer], { timeoutMs: DEADLINES_MS.query })
        : undefined;
    const presence = clusterPresence(S.cluster, S.nodeContainer, kind, inspect);
    if (presence.state === "unknown") {
        throw new StepFailed(`cannot tell whether the kind cluster ${S.cluster} exists, so nothing was changed: ${presence.why} (is Docker running?)`);
    }
    return presence.state === "present";
}

/** Parses a tool's JSON answer, or stops naming the command and what came back (never a stack trace). */
function parsed<T>(command: string, text: string, read: (json: string) => T): T {
    try {
        return read(text);
    } catch (e) {
        throw new StepFailed(`\`${command}\` answered something unreadable (${(e as Error).message.split("\n")[0]}): ` +
            `${JSON.stringify(text.slice(0, 200))}; nothing was changed`);
    }
}

async function pulumi(l: Lifecycle, args: string[]): Promise<string> {
    const r = await l.proc.capture(S.cli, args, { timeoutMs: DEADLINES_MS.query });
    if (r.status !== 0) {
        throw new StepFailed(`\`${S.cli} ${args.join(" ")}\` failed: ${r.stderr.trim() || "no answer"}`);
    }
    return r.stdout;
}

/** A failed command's step error: its exit status, or that it was stopped or ran past its deadline. */
function failed(what: string, status: number | null, timeoutMs: number): string {
    return `${what} failed (${status === null ? `stopped, or no result within ${timeoutMs / 60_000} min` : `exit ${status}`})`;
}

async function stream(l: Lifecycle, what: string, command: string, args: string[], timeoutMs: number, expected?: string): Promise<void> {
    l.log(`${what}${expected ? `, ${expected}` : ""}: ${command} ${args.join(" ")}`);
    const status = await l.proc.stream(command, args, { timeoutMs, what });
    if (status !== 0) {
        throw new StepFailed(failed(what, status, timeoutMs));
    }
}

async function stackResources(l: Lifecycle): Promise<StateResource[]> {
    return parsed(`${S.cli} stack export`, await pulumi(l, ["stack", "export", "--stack", S.stack]), stateResources);
}

/** Removes resources from the state, one at a time (dependents first, as given). */
async function forget(l: Lifecycle, urns: string[], why: string): Promise<void> {
    for (const urn of urns) {
        await stream(l, `forgetting ${urn.split("::").pop()} (${why})`, S.cli, ["state", "delete", "--yes", "--stack", S.stack, urn], DEADLINES_MS.forget);
    }
}

/** The images up:kind puts into the node, for the dev stack as configured. */
function wantedImages(l: Lifecycle) {
    return devStackImages(fs.readFileSync(path.join(l.root, S.stackConfig), "utf8"));
}

/** Whether the host's Docker has the image already. */
async function pulledOnHost(l: Lifecycle, image: string): Promise<boolean> {
    return (await l.proc.capture("docker", ["image", "inspect", "--format", "{{.Id}}", image], { timeoutMs: DEADLINES_MS.query })).status === 0;
}

/** The node's CRI snapshotter, which an import must unpack for (as `kind load` finds it). */
async function nodeSnapshotter(l: Lifecycle): Promise<string> {
    const dump = await l.proc.capture("docker", ["exec", S.nodeContainer, "containerd", "config", "dump"], { timeoutMs: DEADLINES_MS.query });
    const snapshotter = dump.status === 0 ? criSnapshotter(dump.stdout) : undefined;
    if (!snapshotter) {
        throw new StepFailed(`cannot tell which snapshotter the kind node's containerd uses (\`docker exec ${S.nodeContainer} containerd config dump\`` +
            `${dump.status === 0 ? " names none" : `: ${dump.stderr.trim() || "no answer"}`}); recreate the cluster with \`npm run down:kind && npm run up:kind\``);
    }
    return snapshotter;
}

/** Whether `docker save` can select a platform (Docker 28, API 1.48). */
async function savePlatform(l: Lifecycle): Promise<boolean> {
    const v = await l.proc.capture("docker", ["version", "--format", "{{.Server.APIVersion}}"], { timeoutMs: DEADLINES_MS.query });
    return v.status === 0 && saveHasPlatform(v.stdout);
}

/**
 * Puts the big images into the node once: pulls on the host when missing (Docker's progress), then
 * streams each from `docker save` into the node's containerd (`ctr import` in the kubelet's k8s.io
 * namespace, one platform): no tar on disk, no `--all-platforms`.
 */
async function preloadImages(l: Lifecycle): Promise<void> {
    const wanted = wantedImages(l);
    const listed = await l.proc.capture("docker", ["exec", S.nodeContainer, "crictl", "images", "-o", "json"], { timeoutMs: DEADLINES_MS.query });
    if (listed.status !== 0) {
        throw new StepFailed(`cannot list the images in the kind node (\`docker exec ${S.nodeContainer} crictl images\`): ${listed.stderr.trim()}`);
    }
    const plan = planImageLoads(wanted, parsed(`docker exec ${S.nodeContainer} crictl images -o json`, listed.stdout, nodeImages));
    l.log(`images: ${plan.load.length} to load into the kind node, ${plan.present.length} already there` +
        (plan.skipped.length ? `, ${plan.skipped.length} left to the node` : ""));
    for (const s of plan.skipped) {
        l.log(`  ${s.image}: ${s.reason}`);
    }
    if (plan.load.length === 0) {
        return;
    }
    const snapshotter = await nodeSnapshotter(l);
    const withPlatform = await savePlatform(l);
    if (!withPlatform) {
        l.log(`  note: this Docker is older than 28, so \`docker save\` cannot pick a platform; it saves the ${NODE_PLATFORM} image it pulled`);
    }
    for (const [i, image] of plan.load.entries()) {
        const step = `[${i + 1}/${plan.load.length}] ${image.image} (${image.why})`;
        const disk = imageDisk(image.image);
        if (!await pulledOnHost(l, image.image)) {
            await stream(l, `pulling ${step}`, "docker", ["pull", "--platform", NODE_PLATFORM, image.image], DEADLINES_MS.pull, EXPECTED.pull(disk.download));
        } else {
            l.log(`${step}: already pulled on the host`);
        }
        const { save, importInto } = streamLoadCommands(image.image, S.nodeContainer, snapshotter, withPlatform);
        const what = `loading ${step} into the node`;
        l.log(`${what}, ${EXPECTED.load(disk.unpacked)}: ${save[0]} ${save[1].join(" ")} | ${importInto[0]} ${importInto[1].join(" ")}`);
        const status = await l.proc.pipe(save, importInto, { timeoutMs: DEADLINES_MS.load, what, quiet: true });
        if (status !== 0) {
            throw new StepFailed(failed(what, status, DEADLINES_MS.load));
        }
        if (l.dropHostImages) {
            await stream(l, `removing the host's copy of ${image.image} (--drop-host-images; the node keeps its own)`, "docker", ["image", "rm", image.image], DEADLINES_MS.query);
        }
    }
}

/** When the state describes another cluster (deleted or recreated by hand): refresh, and forget what cannot be refreshed. */
async function reconcile(l: Lifecycle): Promise<void> {
    const resources = await stackResources(l);
    const namespaces = await l.proc.capture("kubectl", ["--context", S.context, "get", "namespaces", "-o", "json"], { timeoutMs: DEADLINES_MS.query });
    if (namespaces.status !== 0) {
        throw new StepFailed(`cannot list the cluster's namespaces: ${namespaces.stderr.trim()}`);
    }
    const verdict = stateVerdict(resources, parsed(`kubectl --context ${S.context} get namespaces -o json`, namespaces.stdout, liveNamespaces));
    if (verdict.kind !== "stale") {
        l.log(verdict.kind === "empty" ? "state: a new stack" : "state: describes this cluster");
        return;
    }
    l.log(`state: describes another cluster (${verdict.why}); reconciling it with this one before \`up\``);
    const plan = reconcilePlan(resources);
    if (plan.refresh.length > 0) {
        await stream(l, `refreshing ${plan.refresh.length} Kubernetes resources`, S.cli,
            ["refresh", "--yes", "--skip-preview", "--stack", S.stack, ...plan.refresh.flatMap(u => ["--target", u])], DEADLINES_MS.refresh);
    }
    await forget(l, plan.forget, "it lived in the old cluster");
}

/**
 * Builds the model when it is not built yet, alongside the image pulls (they do not depend on each
 * other): its output goes to a log file, a line every 30 s says it is still at it.
 */
function buildModel(l: Lifecycle): Promise<void> | undefined {
    if (fs.existsSync(path.join(l.root, S.builtModel))) {
        return undefined;
    }
    const logFile = path.join(l.root, S.modelBuildLog);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const what = `building the model (npm run build:model), ${EXPECTED.buildModel}`;
    l.log(`${what}; alongside the next steps, output in ${S.modelBuildLog}`);
    return l.proc.stream("sh", ["model/build.sh"], { timeoutMs: DEADLINES_MS.buildModel, what: "building the model", logFile }).then(status => {
        if (status !== 0) {
            throw new StepFailed(`${failed("building the model", status, DEADLINES_MS.buildModel)}; ` +
                `see ${S.modelBuildLog}. Without internet: FAKE_DATA=512 npm run up:kind (a throw-away model)`);
        }
        l.log("model: built");
    });
}

/** The first request to the model, sent with the very command the stack prints (`curlExample`), and its answer. */
async function firstRequest(l: Lifecycle): Promise<void> {
    const curl = (await pulumi(l, ["stack", "output", "curlExample", "--stack", S.stack])).trim();
    l.log("");
    l.log("The first request (`./pulumi-dev stack output curlExample` prints it):");
    l.log(`  ${curl}`);
    const r = await l.proc.capture("sh", ["-c", curl], { timeoutMs: DEADLINES_MS.firstRequest });
    const answer = r.status === 0 ? checkAnswer(r.stdout) : { ok: false as const, problem: `curl failed (${r.status === null ? "no answer in time" : `exit ${r.status}`}): ${r.stderr.trim()}` };
    if (!answer.ok) {
        throw new StepFailed(`the first request got no valid answer: ${answer.problem}${r.stdout ? ` (${r.stdout.slice(0, 300)})` : ""}`);
    }
    const best = answer.probabilities.indexOf(Math.max(...answer.probabilities));
    l.log("and its answer (10 class probabilities, summing to 1):");
    l.log(`  ${r.stdout.trim().slice(0, 400)}`);
    l.log(`  → most likely "${CIFAR10_CLASSES[best]}" (p = ${answer.probabilities[best].toFixed(3)}); the sample image is synthetic, so any class is a valid answer`);
}

export async function up(l: Lifecycle): Promise<void> {
    // Started first, awaited before `pulumi up`: the model trains while the cluster and images come.
    const model = buildModel(l);
    // Do not leave an unobserved rejection while the other steps run; it is awaited below.
    model?.catch(() => undefined);
    try {
        if (await clusterExists(l)) {
            l.log(`cluster: kind cluster ${S.cluster} exists`);
        } else {
            await stream(l, "creating the kind cluster", "kind", ["create", "cluster", "--config", S.clusterConfig], DEADLINES_MS.createCluster, EXPECTED.createCluster);
        }
        // So that the kubectl commands the README and the stack outputs print reach this cluster.
        const context = await l.proc.capture("kubectl", ["config", "use-context", S.context], { timeoutMs: DEADLINES_MS.query });
        if (context.status !== 0) {
            l.log(`note: \`kubectl config use-context ${S.context}\` failed (${context.stderr.trim()}); the program deploys through that context ` +
                "anyway, but plain kubectl commands reach another cluster until you switch");
        }
        await preloadImages(l);
    } catch (e) {
        if (model) {
            // Its result is kept for the next run; its own failure, if any, is in its log.
            l.log(`${e instanceof StepFailed ? e.message : String(e)}; waiting for the model build to finish before stopping`);
            await model.catch(() => undefined);
        }
        throw e;
    }
    if (model) {
        l.log("waiting for the model build to finish");
        await model;
    }
    await pulumi(l, ["stack", "select", "--create", S.stack]);
    await reconcile(l);
    await stream(l, "pulumi up", S.cli, ["up", "--yes", "--stack", S.stack], DEADLINES_MS.up, EXPECTED.up);
    await firstRequest(l);
    l.log("");
    l.log("The dev stack is up. Next:");
    l.log(`  ${S.cli} stack output loadTestCommand  # load it and watch it scale`);
    l.log(`  ${S.cli} config set autoscaler keda && ${S.cli} up`);
    l.log("  npm run down:kind                       # when you are done");
}

/** The stack names of `pulumi stack ls --json`: an array of objects with a string `name`, nothing else. */
export function stackNames(json: string): string[] {
    const list = JSON.parse(json) as unknown;
    if (!Array.isArray(list) || !list.every(s => s && typeof s === "object" && typeof (s as { name?: unknown }).name === "string")) {
        throw new Error("not a list of stacks with names");
    }
    return list.map(s => (s as { name: string }).name);
}

export async function down(l: Lifecycle): Promise<void> {
    const exists = await clusterExists(l);
    const stacks = parsed(`${S.cli} stack ls --json`, await pulumi(l, ["stack", "ls", "--json"]), stackNames);
    const stackExists = stacks.includes(S.stack);
    const resources = stackExists ? await stackResources(l) : [];
    const steps = teardownSteps({ clusterExists: exists, stackExists, resources });
    if (steps.length === 0) {
        l.log(`nothing to tear down: no kind cluster ${S.cluster}, no resources in the dev stack`);
    }
    for (const step of steps) {
        if (step.kind === "forget") {
            l.log(`the kind cluster is gone: ${step.urns.length} resources that lived in it leave the state`);
            await forget(l, step.urns, "its cluster is gone");
        } else if (step.kind === "destroy") {
            await stream(l, "pulumi destroy", S.cli, ["destroy", "--yes", "--skip-preview", "--stack", S.stack], DEADLINES_MS.destroy);
        } else {
            await stream(l, "deleting the kind cluster", "kind", ["delete", "cluster", "--name", S.cluster], DEADLINES_MS.deleteCluster);
        }
    }
    const pulled: string[] = [];
    for (const { image } of wantedImages(l)) {
        if (await pulledOnHost(l, image)) {
            pulled.push(image);
        }
    }
    const kept = keptAfterTeardown({ stackExists, modelBuilt: fs.existsSync(path.join(l.root, S.builtModel)), images: pulled });
    if (kept.length > 0) {
        l.log("");
        l.log("Kept, and how to remove it:");
        kept.forEach(k => l.log(`  - ${k}`));
    }
}
