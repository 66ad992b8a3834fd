// Calls to the Kubernetes API from the processes around the program (the load generator's --watch,
// the webhook gate): each call has a deadline, so a slow or hanging API server never holds them.
import * as k8s from "@kubernetes/client-node";

/**
 * Runs one API call with a deadline: the request is aborted when it passes (so no socket is left
 * open), and a ref'd timer rejects even if the client ignored the abort.
 */
export function withDeadline<T>(what: (options: k8s.ConfigurationOptions) => Promise<T>, timeoutMs: number): Promise<T> {
    const abort = new AbortController();
    // The object API takes the generated client's Observable middleware (not its promise form).
    const options: k8s.ConfigurationOptions = {
        middleware: [{
            pre: (context: k8s.RequestContext) => {
                context.setSignal(abort.signal);
                return new k8s.Observable(Promise.resolve(context));
            },
            post: (context: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(context)),
        }],
        middlewareMergeStrategy: "append",
    };
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
            abort.abort();
            reject(new Error(`the API server did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        what(options).then(value => {
            clearTimeout(timer);
            resolve(value);
        }, e => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/** The HTTP status of a failed API call, if it got one. */
export function statusOf(e: unknown): number | undefined {
    return (e as { code?: number }).code;
}

/**
 * The kubeconfig of this machine, on `context` when one is named, else on its current context;
 * throws saying what is missing (no kubeconfig, no such context, no current context).
 */
export function kubeConfigFor(context?: string): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    try {
        kc.loadFromDefault();
    } catch (e) {
        throw new Error(`cannot load the kubeconfig: ${(e as Error).message.split("\n")[0]}`);
    }
    if (context) {
        if (!kc.getContexts().some(c => c.name === context)) {
            throw new Error(`no context ${JSON.stringify(context)} in the kubeconfig; contexts: ` +
                `${kc.getContexts().map(c => c.name).join(", ") || "none"} (kind's is kind-scalable-serving)`);
        }
        kc.setCurrentContext(context);
    } else if (!kc.getCurrentContext()) {
        throw new Error("the kubeconfig has no current context: name one");
    }
    return kc;
}
