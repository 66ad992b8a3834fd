// TCP servers on 127.0.0.1 (a port chosen at start) that misbehave the ways a port proxy, a starting
// backend or a broken model do, for the probes and the load generator to meet in tests.
import * as net from "net";
import { AddressInfo } from "net";

export type Misbehaviour =
    /** Accepts the connection and closes it at once, before reading or answering. */
    | "accept-then-close"
    /** Accepts the connection, reads the request, never answers. */
    | "accept-then-hang"
    /** Resets the connection (TCP RST) once the request arrived. */
    | "reset"
    /** Sends a 200 header, then one byte of body a second, for ever. */
    | "trickle"
    /** Sends a 200 header, then an endless body as fast as it can. */
    | "endless"
    /** Answers 503 every time. */
    | "server-error";

export interface RawServer {
    url: string;
    /** Connections accepted so far. */
    connections: () => number;
    close(): Promise<void>;
}

/** A server that misbehaves in one way; `path` is the URL path the url points at. */
export async function startMisbehavingServer(how: Misbehaviour, path = "/"): Promise<RawServer> {
    const sockets = new Set<net.Socket>();
    const timers = new Set<NodeJS.Timeout>();
    let connections = 0;
    const server = net.createServer(socket => {
        connections++;
        sockets.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
        if (how === "accept-then-close") {
            socket.destroy();
            return;
        }
        let seen = "";
        socket.on("data", chunk => {
            const wasComplete = seen.includes("\r\n\r\n");
            seen += chunk.toString("latin1");
            if (wasComplete || !seen.includes("\r\n\r\n")) {
                return;
            }
            switch (how) {
                case "accept-then-hang":
                    return;
                case "reset":
                    socket.resetAndDestroy();
                    return;
                case "server-error":
                    socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\nno healthy upstream");
                    return;
                case "trickle": {
                    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
                    const t = setInterval(() => socket.write(" "), 1000);
                    timers.add(t);
                    socket.on("close", () => clearInterval(t));
                    return;
                }
                case "endless": {
                    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
                    const block = Buffer.alloc(16 * 1024, 0x20);
                    const pump = () => {
                        while (!socket.destroyed && socket.write(`${block.length.toString(16)}\r\n${block.toString("latin1")}\r\n`)) {
                            // keep writing until the kernel buffer is full
                        }
                    };
                    socket.on("drain", pump);
                    pump();
                    return;
                }
            }
        });
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}${path}`,
        connections: () => connections,
        close: () => new Promise<void>(resolve => {
            timers.forEach(clearInterval);
            sockets.forEach(s => s.destroy());
            server.close(() => resolve());
        }),
    };
}

/** A URL on 127.0.0.1 where nothing listens (a port that was free a moment ago). */
export async function notListeningUrl(path = "/"): Promise<string> {
    const server = net.createServer();
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>(resolve => server.close(() => resolve()));
    return `http://127.0.0.1:${port}${path}`;
}
