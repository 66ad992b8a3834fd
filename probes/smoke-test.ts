// Post-deploy smoke test, run by Pulumi (command.local.Command) once the SeldonDeployment exists.
// Exit status 0 only after a valid answer was seen; 1 otherwise, with the reason.
//   SMOKE_URL              the model's V2 infer URL
//   SMOKE_TIMEOUT_SECONDS  how long to wait for the model to become ready
//   SMOKE_NAMESPACE, SMOKE_DEPLOYMENT  the model's pods, whose status it prints every 15 s while it waits
//   KUBE_CONTEXT           kubeconfig context for that (the stack's kubeContext); empty: the current one
//   SMOKE_STATUS_INTERVAL_MS  how often it prints that (default 15000)
//   SMOKE_PORT_FORWARD     `<namespace>/<service>:<port>`: reach SMOKE_URL's path through a kubectl
//                          port-forward to that Service (an ingress behind an internal load balancer)
import { kubeConfigFor } from "../lib/kubernetesApi";
import { positiveSeconds } from "./env";
import { PortForward, portForward } from "./portForward";
import { reportPodStatus } from "./podStatus";
import { runProbe } from "./poll";
import { smokeTest } from "./smokeTest";

/** How often the waiting smoke test says what the model's pods are doing. */
const STATUS_INTERVAL_MS = Number(process.env.SMOKE_STATUS_INTERVAL_MS) > 0 ? Number(process.env.SMOKE_STATUS_INTERVAL_MS) : 15000;

runProbe("smoke test", async () => {
    let url = process.env.SMOKE_URL ?? "";
    const timeout = positiveSeconds("SMOKE_TIMEOUT_SECONDS", "600");
    if (!/^https?:\/\//.test(url)) {
        throw new Error(`SMOKE_URL = ${JSON.stringify(url)} is not an http(s) URL`);
    }
    let forward: PortForward | undefined;
    const via = process.env.SMOKE_PORT_FORWARD;
    if (via) {
        const m = /^([a-z0-9-]+)\/([a-z0-9-]+):([0-9]+)$/.exec(via);
        if (!m) {
            throw new Error(`SMOKE_PORT_FORWARD = ${JSON.stringify(via)} is not <namespace>/<service>:<port>`);
        }
        forward = await portForward({ context: process.env.KUBE_CONTEXT || undefined, namespace: m[1], service: m[2], port: Number(m[3]) }, 60_000);
        const target = new URL(url);
        console.log(`smoke test: ${target.origin} is internal; through kubectl port-forward of ${via} at ${forward.baseUrl}`);
        url = `${forward.baseUrl}${target.pathname}`;
    }
    console.log(`smoke test: POST ${url} (waiting up to ${timeout} s for the model)`);
    const namespace = process.env.SMOKE_NAMESPACE;
    const deployment = process.env.SMOKE_DEPLOYMENT;
    let reporter: { stop(): void } | undefined;
    if (namespace && deployment) {
        try {
            reporter = reportPodStatus(kubeConfigFor(process.env.KUBE_CONTEXT || undefined), { namespace, deployment }, STATUS_INTERVAL_MS,
                line => console.log(line));
        } catch (e) {
            console.log(`(no pod status while waiting: ${(e as Error).message})`);
        }
    }
    try {
        await smokeTest({ url, timeoutMs: timeout * 1000, log: line => console.log(line) });
    } finally {
        reporter?.stop();
        forward?.stop();
    }
}, "See docs/troubleshooting.md; `kubectl -n <namespace> get pods` and the pods' logs say why the model is not ready.");
