// Waits until Seldon's admission webhook answers, by creating the SeldonDeployment in dry-run: the API
// server then calls the webhook exactly as for the real create. Seldon's operator has no readiness
// probe and its webhook fails closed, so a create in its first seconds is refused ("failed calling
// webhook"), and Pulumi retries only not-found errors: without this gate a first `up` on a new
// cluster could need a second run.
import * as k8s from "@kubernetes/client-node";
import { kubeConfigFor, statusOf, withDeadline } from "../lib/kubernetesApi";
import { positiveSeconds } from "./env";
import { Attempt, pollUntil } from "./poll";

export interface WebhookGateOptions {
    /** The SeldonDeployment to create in dry-run (what will be created for real). */
    object: { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: unknown };
    kubeConfig: k8s.KubeConfig;
    timeoutMs: number;
    intervalMs?: number;
    requestTimeoutMs?: number;
    log?: (line: string) => void;
}

/** What one dry-run create says: admitted, still starting (retry), or refused for good. */
export function classify(e: unknown): Attempt<void> {
    if (e === undefined) {
        return { done: true, value: undefined };
    }
    const status = statusOf(e);
    const body = (e as { body?: unknown }).body;
    const message = `${typeof body === "string" ? body : JSON.stringify(body ?? "")} ${(e as Error).message ?? ""}`;
    if (/answered a redirect|not an API server's answer/.test(message)) {
        // lib/kubernetesApi.ts refused it: no retry makes the kubeconfig's server an API server.
        return { done: false, fatal: firstLine((e as Error).message) };
    }
    if (status === 409) {
        return { done: true, value: undefined }; // it exists: admission already passed for this name
    }
    if (/failed calling webhook|no endpoints available|connection refused|context deadline exceeded|did not answer/i.test(message) ||
        status === undefined || status === 404 || status === 429 || status >= 500) {
        // The webhook (or the CRD, 404) is not there yet.
        return { done: false, waiting: `${status ?? "no answer"}: ${firstLine(message)}` };
    }
    return { done: false, fatal: `the API server refused the SeldonDeployment (HTTP ${status}): ${firstLine(message)}` };
}

function firstLine(text: string): string {
    return text.trim().split("\n")[0].slice(0, 400);
}

/** Resolves once a dry-run create of the object is admitted; rejects with a PollError otherwise. */
export function waitForWebhook(opts: WebhookGateOptions): Promise<void> {
    const api = opts.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    const [group, version] = opts.object.apiVersion.split("/");
    return pollUntil<void>(async budgetMs => {
        let admitted: unknown;
        try {
            admitted = await withDeadline(options => api.createNamespacedCustomObject({
                group, version, namespace: opts.object.metadata.namespace, plural: "seldondeployments", body: opts.object, dryRun: "All",
            }, options), Math.min(opts.requestTimeoutMs ?? 10000, budgetMs));
        } catch (e) {
            return classify(e);
        }
        // An admission answers with the object as it would be created: anything else is not one.
        const o = admitted as { kind?: unknown; metadata?: { name?: unknown } } | undefined;
        if (o?.kind !== opts.object.kind || o?.metadata?.name !== opts.object.metadata.name) {
            return { done: false, waiting: `answered without the ${opts.object.kind} it was sent (${JSON.stringify(admitted).slice(0, 120)}): not an admission` };
        }
        return classify(undefined);
    }, { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs ?? 3000, log: opts.log, what: "Seldon's admission webhook" });
}

/**
 * probes/wait-for-webhook.ts without the process around it: reads its settings from `env` (see that
 * file), resolves once the webhook admitted the dry run, rejects saying why not.
 */
export async function webhookGateCommand(env: NodeJS.ProcessEnv,
    opts: { log: (line: string) => void; kubeConfig?: (context: string | undefined) => k8s.KubeConfig; intervalMs?: number }): Promise<void> {
    let object: any;
    try {
        object = JSON.parse(env.WEBHOOK_OBJECT ?? "");
    } catch {
        object = undefined;
    }
    if (!object?.metadata?.name || !object?.metadata?.namespace) {
        throw new Error("WEBHOOK_OBJECT must be a SeldonDeployment with a name and a namespace, as JSON");
    }
    const timeout = positiveSeconds("WEBHOOK_TIMEOUT_SECONDS", "300", env);
    const kubeConfig = (opts.kubeConfig ?? kubeConfigFor)(env.KUBE_CONTEXT || undefined);
    opts.log(`webhook gate: dry-run create of SeldonDeployment ${object.metadata.namespace}/${object.metadata.name} ` +
        `through ${kubeConfig.getCurrentContext()} (waiting up to ${timeout} s)`);
    await waitForWebhook({ object, kubeConfig, timeoutMs: timeout * 1000, intervalMs: opts.intervalMs, log: opts.log });
}
