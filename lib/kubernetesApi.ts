// Calls to the Kubernetes API from the processes around the program (the load generator's --watch,
// the webhook gate, the smoke test's pod-status lines): each call has a deadline, so a slow or hanging
// API server never holds them, and none follows a redirect, so the kubeconfig's credentials never go
// anywhere but the API server and a redirected answer is never taken for the API server's.
import * as http from "http";
import * as https from "https";
import * as k8s from "@kubernetes/client-node";
import { redactedUrl } from "./urls";

/** Most bytes read of one API answer: beyond it the call fails instead of filling memory. */
export const MAX_API_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * The client's HTTP layer without redirects. @kubernetes/client-node 1.4 sends through node-fetch 2.7,
 * which follows redirects and strips `Authorization` only when the host name or protocol changes
 * (FACTS §12): a 307 to another port of the same host would carry the bearer token, and the other
 * server's answer would count as the API server's. Node's http.request never follows one; a 3xx is
 * refused here, and so is a 2xx that is not JSON (an API server answers JSON to this client).
 */
export const noRedirectHttpLibrary: k8s.HttpLibrary = k8s.wrapHttpLibrary({
    send(request: k8s.RequestContext): Promise<k8s.ResponseContext> {
        return new Promise((resolve, reject) => {
            const url = new URL(request.getUrl());
            const client = url.protocol === "https:" ? https : http;
            const body = request.getBody();
            const req = client.request(url, {
                method: request.getHttpMethod().toString(),
                headers: request.getHeaders(),
                agent: request.getAgent(),
                signal: request.getSignal(),
            }, res => {
                const status = res.statusCode ?? 0;
                const headers: Record<string, string> = {};
                for (const [name, value] of Object.entries(res.headers)) {
                    if (value !== undefined) {
                        headers[name] = Array.isArray(value) ? value.join(", ") : value;
                    }
                }
                if (status >= 300 && status < 400) {
                    res.resume();
                    reject(new Error(`the API server answered a redirect (HTTP ${status}${headers.location ? ` to ${redactedUrl(headers.location)}` : ""}): ` +
                        "refused, an API server does not redirect its clients; check the kubeconfig's server address"));
                    return;
                }
                if (status >= 200 && status < 300 && !/^application\/([a-z.+-]*\+)?json\b/i.test(headers["content-type"] ?? "")) {
                    res.resume();
                    reject(new Error(`the API server answered HTTP ${status} with ${JSON.stringify(headers["content-type"] ?? "no content type")}, not JSON: ` +
                        "not an API server's answer; check the kubeconfig's server address"));
                    return;
                }
                const chunks: Buffer[] = [];
                let size = 0;
                res.on("data", (chunk: Buffer) => {
                    size += chunk.length;
                    if (size > MAX_API_ANSWER_BYTES) {
                        res.destroy(new Error(`the API server's answer is larger than ${MAX_API_ANSWER_BYTES} bytes`));
                        return;
                    }
                    chunks.push(chunk);
                });
                res.on("error", reject);
                res.on("end", () => {
                    const data = Buffer.concat(chunks);
                    resolve(new k8s.ResponseContext(status, headers, { text: async () => data.toString("utf8"), binary: async () => data }));
                });
            });
            req.on("error", reject);
            if (body !== undefined && body !== null) {
                req.end(typeof body === "string" || Buffer.isBuffer(body) ? body : String(body));
            } else {
                req.end();
            }
        });
    },
});


/**
 * Runs one API call with a deadline: the request is aborted when it passes (so no socket is left
 * open), and a ref'd timer rejects even if the client ignored the abort. `onAnswer` sees when the
 * request left and its answer came, with the answer's headers (the watch reads the cluster's clock
 * from their Date).
 */
export function withDeadline<T>(what: (options: k8s.ConfigurationOptions) => Promise<T>, timeoutMs: number,
    onAnswer?: (sentMs: number, receivedMs: number, headers: Record<string, string>) => void): Promise<T> {
    const abort = new AbortController();
    let sentMs = Date.now();
    // The object API takes the generated client's Observable middleware (not its promise form).
    const options: k8s.ConfigurationOptions = {
        middleware: [{
            pre: (context: k8s.RequestContext) => {
                context.setSignal(abort.signal);
                sentMs = Date.now();
                return new k8s.Observable(Promise.resolve(context));
            },
            post: (context: k8s.ResponseContext) => {
                onAnswer?.(sentMs, Date.now(), context.headers);
                return new k8s.Observable(Promise.resolve(context));
            },
        }],
        middlewareMergeStrategy: "append",
        httpApi: noRedirectHttpLibrary,
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
 * The kubeconfig of this machine (KUBECONFIG or ~/.kube/config; `file` instead when given), on
 * `context` when one is named, else on its current context;
 * throws saying what is missing (no kubeconfig, no such context, no current context).
 */
export function kubeConfigFor(context?: string, file?: string): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    try {
        if (file) {
            kc.loadFromFile(file);
        } else {
            kc.loadFromDefault();
        }
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
