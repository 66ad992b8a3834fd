// How the load generator sends one request: a LoadClient, one per run, keeping one keep-alive
// connection per user. Two implement it with the same outcomes and causes: this one on Node's own
// `http` (built-ins only: the in-cluster Job's script stays small), and undiciClient.ts on undici's
// Pool (the local CLI: about 60% more requests per CPU-second, docs/benchmarks.md).
import * as http from "node:http";
import * as https from "node:https";
import { httpRequest, HttpFailure } from "../lib/httpRequest";

export interface Outcome {
    ok: boolean;
    cause?: string;
}

export interface LoadClient {
    /** POSTs `body` to the target; resolves with the outcome, never rejects. */
    send(body: Buffer): Promise<Outcome>;
    /** Cuts every connection; exchanges in flight end with a failure the caller does not count. */
    destroy(): Promise<void>;
}

export interface LoadClientOptions {
    /** Connections kept open at most: one per user, so no request waits for another's. */
    connections: number;
    /** Deadline of one exchange (connect, send, status, body), in ms. */
    timeoutMs: number;
    /** Largest reply read; a longer one fails the exchange and is not read further. */
    maxBytes: number;
    /** The outcome of a complete reply. */
    check(status: number, body: string): Outcome;
}

export type MakeLoadClient = (url: URL, opts: LoadClientOptions) => LoadClient;

/** The client on Node's `http` and lib/httpRequest.ts (the probes' client). */
export const httpLoadClient: MakeLoadClient = (url, opts) => {
    const agent = new (url.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: opts.connections });
    const headers = { "Content-Type": "application/json" };
    return {
        async send(body) {
            try {
                const res = await httpRequest(url, { method: "POST", agent, headers, body, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes });
                return opts.check(res.status, res.body);
            } catch (e) {
                if (e instanceof HttpFailure) {
                    return { ok: false, cause: e.cause };
                }
                throw e;
            }
        },
        destroy: async () => agent.destroy(),
    };
};
