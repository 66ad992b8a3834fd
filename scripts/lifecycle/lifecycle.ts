// `npm run up:kind` (after the preflight and the model build) and `npm run down:kind`: the steps
// around `pulumi up` and `pulumi destroy` on the laptop. Decisions are the pure functions next to
// this file; every command goes through a Proc (the process boundary, scripted in tests).
import * as fs from "fs";
import * as path from "path";
import { DEV_STACK } from "./devStack";
import { devStackImages, nodeImages, planImageLoads } from "./images";
import { Proc } from "./proc";
import { liveNamespaces, reconcilePlan, StateResource, stateResources, stateVerdict } from "./state";
import { keptAfterTeardown, teardownSteps } from "./teardown";

/** How long each kind of step may take before it is stopped. */
export const DEADLINES_MS = {
    query: 60_000,
    createCluster: 10 * 60_000,
    pull: 60 * 60_000,
    load: 30 * 60_000,
    refresh: 15 * 60_000,
    forget: 2 * 60_000,
    up: 90 * 60_000,
    destroy: 45 * 60_000,
    deleteCluster: 5 * 60_000,
};

export interface Lifecycle {
    proc: Proc;
    log: (line: string) => void;
    /** The project folder. */
    root: string;
}

/** A step failed: what, and what to do about it. */
export class StepFailed extends Error {}

const S = DEV_STACK;

async function clusterExists(l: Lifecycle): Promise<boolean> {
    const r = await l.proc.capture("kind", ["get", "clusters"], { timeoutMs: DEADLINES_MS.query });
    if (r.status !== 0) {
        throw new StepFailed(`\`kind get clusters\` failed: ${r.stderr.trim() || "no answer"} (is Docker running?)`);
    }
    return r.stdout.split("\n").map(s => s.trim()).includes(S.cluster);
}

async function pulumi(l: Lifecycle, args: string[]): Promise<string> {
    const r = await l.proc.capture(S.cli, args, { timeoutMs: DEADLINES_MS.query });
    if (r.status !== 0) {
        throw new StepFailed(`\`${S.cli} ${args.join(" ")}\` failed: ${r.stderr.trim() || "no answer"}`);
    }
    return r.stdout;
}

async function stream(l: Lifecycle, what: string, command: string, args: string[], timeoutMs: number, quiet = false): Promise<void> {
    l.log(`${what}: ${command} ${args.join(" ")}`);
    const status = await l.proc.stream(command, args, { timeoutMs, what, quiet });
    if (status !== 0) {
        throw new StepFailed(`${what} failed (${status === null ? `stopped, or no result within ${timeoutMs / 60_000} min` : `exit ${status}`})`);
    }
}

async function stackResources(l: Lifecycle): Promise<StateResource[]> {
    return stateResources(await pulumi(l, ["stack", "export", "--stack", S.stack]));
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

/** Puts the big images into the node once: pulls on the host when missing, then `kind load`. */
async function preloadImages(l: Lifecycle): Promise<void> {
    const wanted = wantedImages(l);
    const listed = await l.proc.capture("docker", ["exec", S.nodeContainer, "crictl", "images", "-o", "json"], { timeoutMs: DEADLINES_MS.query });
    if (listed.status !== 0) {
        throw new StepFailed(`cannot list the images in the kind node (\`docker exec ${S.nodeContainer} crictl images\`): ${listed.stderr.trim()}`);
    }
    const plan = planImageLoads(wanted, nodeImages(listed.stdout));
    l.log(`images: ${plan.load.length} to load into the kind node, ${plan.present.length} already there` +
        (plan.skipped.length ? `, ${plan.skipped.length} left to the node` : ""));
    for (const s of plan.skipped) {
        l.log(`  ${s.image}: ${s.reason}`);
    }
    for (const [i, image] of plan.load.entries()) {
        const step = `[${i + 1}/${plan.load.length}] ${image.image} (${image.why})`;
        if (!await pulledOnHost(l, image.image)) {
            // Seldon's images exist for amd64 only; the preflight has checked that Docker runs amd64.
            await stream(l, `pulling ${step}`, "docker", ["pull", "--platform", "linux/amd64", image.image], DEADLINES_MS.pull);
        } else {
            l.log(`${step}: already pulled on the host`);
        }
        await stream(l, `loading ${step} into the node`, "kind", ["load", "docker-image", "--name", S.cluster, image.image], DEADLINES_MS.load, true);
    }
}

/** When the state describes another cluster (deleted or recreated by hand): refresh, and forget what cannot be refreshed. */
async function reconcile(l: Lifecycle): Promise<void> {
    const resources = await stackResources(l);
    const namespaces = await l.proc.capture("kubectl", ["--context", S.context, "get", "namespaces", "-o", "json"], { timeoutMs: DEADLINES_MS.query });
    if (namespaces.status !== 0) {
        throw new StepFailed(`cannot list the cluster's namespaces: ${namespaces.stderr.trim()}`);
    }
    const verdict = stateVerdict(resources, liveNamespaces(namespaces.stdout));
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

export async function up(l: Lifecycle): Promise<void> {
    if (await clusterExists(l)) {
        l.log(`cluster: kind cluster ${S.cluster} exists`);
    } else {
        await stream(l, "creating the kind cluster", "kind", ["create", "cluster", "--config", S.clusterConfig], DEADLINES_MS.createCluster);
    }
    // So that the kubectl commands the README and the stack outputs print reach this cluster.
    const context = await l.proc.capture("kubectl", ["config", "use-context", S.context], { timeoutMs: DEADLINES_MS.query });
    if (context.status !== 0) {
        l.log(`note: \`kubectl config use-context ${S.context}\` failed (${context.stderr.trim()}); the program deploys through that context ` +
            "anyway, but plain kubectl commands reach another cluster until you switch");
    }
    await preloadImages(l);
    await pulumi(l, ["stack", "select", "--create", S.stack]);
    await reconcile(l);
    await stream(l, "pulumi up", S.cli, ["up", "--yes", "--stack", S.stack], DEADLINES_MS.up);
    l.log("");
    l.log("The dev stack is up. Next:");
    l.log(`  ${S.cli} stack output curlExample      # a request to the model`);
    l.log(`  ${S.cli} stack output loadTestCommand  # load it and watch it scale`);
    l.log(`  ${S.cli} config set autoscaler keda && ${S.cli} up`);
    l.log("  npm run down:kind                       # when you are done");
}

export async function down(l: Lifecycle): Promise<void> {
    const exists = await clusterExists(l);
    const stacks = JSON.parse(await pulumi(l, ["stack", "ls", "--json"])) as Array<{ name: string }>;
    const stackExists = stacks.some(s => s.name === S.stack);
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
