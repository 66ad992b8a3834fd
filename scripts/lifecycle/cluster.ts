// Whether the dev stack's kind cluster exists, decided only on positive evidence: a teardown that
// believed a cluster gone would drop every Kubernetes resource from the state while it still runs.
// Pure: the tools' answers are gathered at the process boundary (lifecycle.ts).
import { Captured } from "./proc";

/**
 * kind's cluster names (kind v0.29.0 pkg/internal/apis/config/validate.go, `validNameRE`); `kind get
 * clusters` prints one per line on standard output, or "No kind clusters found." on standard error
 * (pkg/cmd/kind/get/clusters/clusters.go) and nothing on standard output.
 */
const KIND_NAME = /^[a-z0-9.-]+$/;

export type ClusterPresence =
    | { state: "present" }
    | { state: "absent" }
    | { state: "unknown"; why: string };

/** The cluster names `kind get clusters` listed, or why its answer cannot be trusted. */
export function listedClusters(kind: Captured): { names: string[] } | { why: string } {
    if (kind.status !== 0) {
        return { why: `\`kind get clusters\` failed (${kind.status === null ? "no answer in time" : `exit ${kind.status}`}): ${kind.stderr.trim() || "no message"}` };
    }
    const lines = kind.stdout.split(/\r?\n/).map(l => l.trim()).filter(l => l !== "");
    const odd = lines.filter(l => !KIND_NAME.test(l));
    if (odd.length > 0) {
        return { why: `\`kind get clusters\` printed something that is not a list of cluster names: ${JSON.stringify(odd.slice(0, 3).join(" | ").slice(0, 200))}` };
    }
    return { names: lines };
}

/**
 * Present when kind lists the exact name; absent only when kind's list lacks it AND Docker positively
 * says the node container does not exist (`docker container inspect` failing with "No such
 * container" or "No such object"); anything else is unknown, and nothing may be changed on a guess.
 */
export function clusterPresence(cluster: string, nodeContainer: string, kind: Captured, inspect?: Captured): ClusterPresence {
    const listed = listedClusters(kind);
    if ("why" in listed) {
        return { state: "unknown", why: listed.why };
    }
    if (listed.names.includes(cluster)) {
        return { state: "present" };
    }
    if (!inspect) {
        return { state: "unknown", why: `kind does not list ${cluster}, and its node container was not checked` };
    }
    if (inspect.status === 0) {
        return { state: "unknown", why: `kind does not list ${cluster}, but Docker has its node container ${nodeContainer}: ` +
            "check `kind get clusters` and `docker ps -a` before tearing anything down" };
    }
    if (inspect.status !== null && /No such (container|object)/i.test(inspect.stderr)) {
        return { state: "absent" };
    }
    return { state: "unknown", why: `kind does not list ${cluster}, and Docker could not say whether its node container ${nodeContainer} exists ` +
        `(${inspect.status === null ? "no answer in time" : `exit ${inspect.status}`}: ${inspect.stderr.trim() || "no message"})` };
}
