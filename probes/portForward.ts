// A `kubectl port-forward` to a Service, for probes that must reach something the machine running
// pulumi cannot reach directly (the ingress gateway behind an internal load balancer). The local port
// is chosen by kubectl (`:<port>`) and read from its "Forwarding from 127.0.0.1:<port>" line; the
// forward has a deadline to come up, and ends with the probe.
import { ChildProcess, spawn } from "child_process";

export interface PortForwardTarget {
    /** kubeconfig context; undefined: the current one. */
    context?: string;
    namespace: string;
    service: string;
    port: number;
}

export interface PortForward {
    /** `http://127.0.0.1:<local port>`. */
    baseUrl: string;
    stop(): void;
}

/** Starts the forward; resolves once kubectl says it listens, rejects naming what kubectl said otherwise. */
export function portForward(t: PortForwardTarget, timeoutMs: number, kubectl = "kubectl"): Promise<PortForward> {
    const args = [...(t.context ? ["--context", t.context] : []), "-n", t.namespace, "port-forward", `svc/${t.service}`, `:${t.port}`, "--address", "127.0.0.1"];
    return new Promise((resolve, reject) => {
        let child: ChildProcess;
        try {
            child = spawn(kubectl, args, { stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
            reject(new Error(`cannot start kubectl port-forward: ${(e as Error).message}`));
            return;
        }
        let out = "";
        let err = "";
        let done = false;
        const fail = (why: string) => {
            if (!done) {
                done = true;
                clearTimeout(timer);
                child.kill("SIGTERM");
                reject(new Error(`kubectl ${args.join(" ")}: ${why}${err.trim() ? `: ${err.trim().split("\n").slice(-3).join(" ")}` : ""}`));
            }
        };
        const timer = setTimeout(() => fail(`no forward within ${timeoutMs / 1000} s`), timeoutMs);
        child.on("error", e => fail(e.message));
        // "close", not "exit": after the exit, what kubectl wrote may still be on its way; the message needs it.
        child.on("close", status => fail(`exited (${status ?? "signal"}) before forwarding`));
        child.stderr!.on("data", d => (err += d));
        child.stdout!.on("data", d => {
            out += d;
            const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
            if (m && !done) {
                done = true;
                clearTimeout(timer);
                // The forward lives as long as the probe needs it; it must not keep the probe alive.
                child.unref();
                (child.stdout as unknown as { unref?: () => void }).unref?.();
                (child.stderr as unknown as { unref?: () => void }).unref?.();
                resolve({ baseUrl: `http://127.0.0.1:${m[1]}`, stop: () => child.kill("SIGTERM") });
            }
        });
    });
}
