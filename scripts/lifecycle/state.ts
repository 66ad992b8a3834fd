// Whether the dev stack's state still describes the kind cluster that is running, and what to do
// when it does not (the cluster was deleted or recreated by hand). Pure: works on `pulumi stack
// export` and the live namespaces, both gathered at the process boundary.

/** One resource of `pulumi stack export` (deployment.resources[]), as far as we read it. */
export interface StateResource {
    urn: string;
    type: string;
    custom?: boolean;
    provider?: string;
    outputs?: Record<string, unknown>;
}

/** The resources of a `pulumi stack export`, in the state's order (dependencies before dependents). */
export function stateResources(exportJson: string): StateResource[] {
    const parsed = JSON.parse(exportJson) as { deployment?: { resources?: unknown } } | null;
    const deployment = parsed?.deployment;
    if (!deployment || typeof deployment !== "object") {
        throw new Error("no deployment in the export");
    }
    // A stack with nothing in it has no resources key at all.
    const resources = deployment.resources ?? [];
    if (!Array.isArray(resources) || !resources.every(r => r && typeof r === "object" && typeof r.urn === "string" && typeof r.type === "string")) {
        throw new Error("deployment.resources is not a list of resources with urn and type");
    }
    return resources as StateResource[];
}

/** The namespaces the stack created, with the uid each had when it was created. */
export function recordedNamespaces(resources: StateResource[]): Array<{ name: string; uid: string }> {
    return resources.filter(r => r.type === "kubernetes:core/v1:Namespace").flatMap(r => {
        const metadata = (r.outputs?.metadata ?? {}) as { name?: unknown; uid?: unknown };
        return typeof metadata.name === "string" && typeof metadata.uid === "string" ? [{ name: metadata.name, uid: metadata.uid }] : [];
    });
}

/** The live namespaces' uids from `kubectl get namespaces -o json`. */
export function liveNamespaces(kubectlJson: string): Map<string, string> {
    const items = (JSON.parse(kubectlJson) as { items?: Array<{ metadata?: { name?: string; uid?: string } }> } | null)?.items;
    if (!Array.isArray(items)) {
        throw new Error("no items list");
    }
    return new Map(items.flatMap(i => (i.metadata?.name && i.metadata.uid ? [[i.metadata.name, i.metadata.uid] as [string, string]] : [])));
}

export type StateVerdict =
    | { kind: "empty" }
    | { kind: "matches" }
    | { kind: "stale"; why: string };

/**
 * Does the state describe this cluster? A namespace the stack created is identified by its uid: a
 * cluster deleted and created again has the same names but new uids.
 */
export function stateVerdict(resources: StateResource[], live: Map<string, string>): StateVerdict {
    if (!resources.some(r => r.custom)) {
        return { kind: "empty" };
    }
    const recorded = recordedNamespaces(resources);
    for (const ns of recorded) {
        const uid = live.get(ns.name);
        if (uid === undefined) {
            return { kind: "stale", why: `the state lists namespace ${ns.name}, which this cluster does not have` };
        }
        if (uid !== ns.uid) {
            return { kind: "stale", why: `namespace ${ns.name} in this cluster is not the one the state recorded (uid ${uid}, recorded ${ns.uid}): the cluster was recreated` };
        }
    }
    return { kind: "matches" };
}

const IN_CLUSTER_STORE = "scalable-serving:storage:InClusterModelStore";

/** A Kubernetes object or Helm release (refresh can ask the cluster about it). */
function isKubernetes(r: StateResource): boolean {
    return r.custom === true && r.type.startsWith("kubernetes:");
}

/**
 * Resources whose truth lived in the cluster but which the cluster cannot be asked about: the
 * commands that proved something of it (store health, webhook, smoke test, uploads' gate) and the
 * objects uploaded into the in-cluster store (its S3 endpoint is gone with the cluster).
 */
function provedInCluster(r: StateResource): boolean {
    if (r.custom !== true) {
        return false;
    }
    if (r.type === "command:local:Command") {
        return true;
    }
    return r.type.startsWith("aws:s3/") && (r.provider ?? "").includes(`${IN_CLUSTER_STORE}$pulumi:providers:aws`);
}

export interface ReconcilePlan {
    /** Refresh these: the cluster answers that they are gone. */
    refresh: string[];
    /** Remove these from the state (dependents first): nothing can answer for them any more. */
    forget: string[];
}

/** After the cluster was recreated: refresh what the cluster can answer for, forget the rest that lived there. */
export function reconcilePlan(resources: StateResource[]): ReconcilePlan {
    return {
        refresh: resources.filter(isKubernetes).map(r => r.urn),
        forget: resources.filter(provedInCluster).map(r => r.urn).reverse(),
    };
}

/** With no cluster at all: everything that lived in it leaves the state (dependents first), nothing to ask. */
export function forgetWithCluster(resources: StateResource[]): string[] {
    return resources.filter(r => isKubernetes(r) || provedInCluster(r)).map(r => r.urn).reverse();
}
