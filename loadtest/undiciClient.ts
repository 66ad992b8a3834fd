// The local load generator's client (npm run loadtest): one keep-alive connection per user, through
// undici's Pool (the HTTP/1.1 client the Node.js project maintains) driven by its low-level dispatch
// API: no request object, agent or stream per exchange, which is where Node's own `http` client spent
// most of the generator's CPU (docs/benchmarks.md). Every exchange has a hard deadline (connect to
// last byte) and a bounded reply, and ends in exactly one Outcome with the causes client.ts's
// http client gives. Not in the in-cluster script: undici would make it ten times larger.
import { Dispatcher, Pool } from "undici";
import { LoadClient, MakeLoadClient, Outcome } from "./client";

const TIMEOUT: Outcome = { ok: false, cause: "timeout" };
const NOT_SENT: Outcome = { ok: false, cause: "not sent: no connection" };
const TOO_LARGE: Outcome = { ok: false, cause: "reply too large" };
/** What the deadline and the size limit abort an exchange with (never seen by the caller). */
const ENDED = new Error("the exchange already ended");

/** The cause of a failed exchange, by what undici or the socket said. */
function causeOf(e: Error, answering: boolean): string {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "UND_ERR_SOCKET") {
        // "other side closed": the server closed the connection.
        return answering ? "connection closed mid-reply" : "connection closed before an answer";
    }
    return `connection: ${code ?? e.message}`;
}

export const undiciLoadClient: MakeLoadClient = (url, opts): LoadClient => {
    // Undici's own per-phase timeouts are off: the one deadline below covers the whole exchange, so a
    // reply that trickles in cannot outlive it.
    const pool = new Pool(url.origin, { connections: opts.connections, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
    const request: Dispatcher.DispatchOptions = { path: url.pathname + url.search, method: "POST", headers: { "content-type": "application/json" } };
    return {
        send(body) {
            return new Promise<Outcome>(resolve => {
                let settled = false;
                let abort: ((err: Error) => void) | undefined;
                let status = 0;
                let size = 0;
                const chunks: Buffer[] = [];
                const finish = (outcome: Outcome) => {
                    if (!settled) {
                        settled = true;
                        clearTimeout(timer);
                        resolve(outcome);
                    }
                };
                // Undici hands the exchange its abort once a connected socket takes it: before that it
                // was not sent, which is not an unanswered request.
                const timer = setTimeout(() => {
                    finish(abort ? TIMEOUT : NOT_SENT);
                    abort?.(ENDED);
                }, opts.timeoutMs);
                pool.dispatch({ ...request, body }, {
                    onConnect(a) {
                        abort = a;
                        if (settled) {
                            a(ENDED);
                        }
                    },
                    onHeaders(statusCode) {
                        status = statusCode;
                        return true;
                    },
                    onData(chunk) {
                        size += chunk.length;
                        if (size > opts.maxBytes) {
                            finish(TOO_LARGE);
                            abort?.(ENDED);
                            return false;
                        }
                        chunks.push(chunk);
                        return true;
                    },
                    onComplete() {
                        finish(opts.check(status, (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString("utf8")));
                    },
                    onError(e) {
                        finish({ ok: false, cause: causeOf(e, status > 0) });
                    },
                });
            });
        },
        destroy: () => pool.destroy(),
    };
};
