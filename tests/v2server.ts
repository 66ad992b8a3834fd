// A local HTTP server that speaks the V2 inference protocol like Seldon's executor in front of the
// cifar10 model, with scripted behaviour for tests. Listens on 127.0.0.1 only.
import * as http from "http";
import { AddressInfo } from "net";

export interface Recorded {
    method: string;
    url: string;
    body: any;
    at: number;
}

/** What to answer to the n-th request (0-based): a status and a JSON body, or a raw string. */
export type Behaviour = (n: number, body: any) => { status: number; body: unknown; delayMs?: number };

/** A valid reply: 10 probabilities summing to 1. */
export function validReply(): unknown {
    return { model_name: "cifar10-pytorch", outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 10], data: Array(10).fill(0.1) }] };
}

export async function startV2Server(behaviour: Behaviour = () => ({ status: 200, body: validReply() })) {
    const requests: Recorded[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", c => chunks.push(c));
        req.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            let body: any;
            try {
                body = raw ? JSON.parse(raw) : undefined;
            } catch {
                body = raw;
            }
            const n = requests.length;
            requests.push({ method: req.method ?? "", url: req.url ?? "", body, at: Date.now() });
            const answer = behaviour(n, body);
            const send = () => {
                res.writeHead(answer.status, { "Content-Type": "application/json" });
                res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
            };
            if (answer.delayMs) {
                setTimeout(send, answer.delayMs);
            } else {
                send();
            }
        });
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer`,
        port,
        requests,
        close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}
