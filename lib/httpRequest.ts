// One HTTP exchange with a hard deadline and a bounded body, on Node's built-ins only.
//
// Why not `fetch`: on Node 20 a fetch to a server that accepts the connection and closes it at once can
// stay pending forever, and `AbortSignal.timeout` timers are unref'd, so a probe awaiting it lets the
// process exit with status 0 although no answer ever came. Here the deadline is a ref'd timer that
// destroys the request: every call settles, and the process stays alive until it has.
import * as http from "node:http";
import * as https from "node:https";

export interface HttpAnswer {
    status: number;
    body: string;
}

/** Why an exchange produced no answer; `cause` is short and stable (for counting), `message` says more. */
export class HttpFailure extends Error {
    constructor(readonly cause: string, message: string) {
        super(message);
        this.name = "HttpFailure";
    }
}

export interface HttpRequestOptions {
    method?: "GET" | "POST";
    /** A Buffer is sent as it is (no re-encoding per request: the load generator's bodies are prepared once). */
    body?: string | Buffer;
    headers?: Record<string, string>;
    /** Deadline of the whole exchange (connect, send, status, body), in ms. */
    timeoutMs: number;
    /** Largest body read; a longer one fails the exchange and is not read further. */
    maxBytes: number;
    /** Connection pool (keep-alive) of the caller, if any. */
    agent?: http.Agent;
}

/** Sends one request; resolves with the status and body, or rejects with an HttpFailure. */
export function httpRequest(target: URL, opts: HttpRequestOptions): Promise<HttpAnswer> {
    const client = target.protocol === "https:" ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
        let settled = false;
        const finish = (outcome: { answer: HttpAnswer } | { failure: HttpFailure }) => {
            if (settled) {
                return;
            }
            settled = true;
            clearTimeout(timer);
            if ("answer" in outcome) {
                resolve(outcome.answer);
            } else {
                req.destroy();
                reject(outcome.failure);
            }
        };
        // No error object on the success path: a reply's 'close' after its 'end' lands here and returns at once.
        const fail = (cause: string, message: string) => {
            if (!settled) {
                finish({ failure: new HttpFailure(cause, message) });
            }
        };
        const headers: Record<string, string | number> = { ...opts.headers };
        if (opts.body !== undefined) {
            headers["Content-Length"] = Buffer.byteLength(opts.body);
        }
        const req = client.request(target, { method: opts.method ?? "GET", agent: opts.agent, headers }, res => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
                size += chunk.length;
                if (size > opts.maxBytes) {
                    fail("reply too large", `the reply is larger than ${opts.maxBytes} bytes`);
                    return;
                }
                chunks.push(chunk);
            });
            res.on("end", () => finish({ answer: {
                status: res.statusCode ?? 0,
                body: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString("utf8"),
            } }));
            res.on("error", e => fail(connectionCause(e), `the connection failed during the reply: ${describe(e)}`));
            res.on("close", () => fail("connection closed mid-reply", "the connection closed before the reply was complete"));
        });
        // Ref'd on purpose (see above): the deadline holds even when nothing else keeps the process alive.
        // A request that never got a connected socket (still queued for one, or still connecting) was
        // never sent, which is not an unanswered request; read at the deadline, not followed per request.
        const timer = setTimeout(() => (req.socket && !req.socket.connecting
            ? fail("timeout", `no complete answer within ${opts.timeoutMs} ms`)
            : fail("not sent: no connection", `no connection to ${target.host} within ${opts.timeoutMs} ms: the request was never sent`)), opts.timeoutMs);
        req.on("error", e => {
            if ((e as NodeJS.ErrnoException).code === "ECONNRESET" && e.message === "socket hang up") {
                fail("connection closed before an answer", "the server closed the connection without answering");
            } else {
                fail(connectionCause(e), `the request failed: ${describe(e)}`);
            }
        });
        req.end(opts.body);
    });
}

function connectionCause(e: Error): string {
    return `connection: ${(e as NodeJS.ErrnoException).code ?? e.message}`;
}

function describe(e: Error): string {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
}
