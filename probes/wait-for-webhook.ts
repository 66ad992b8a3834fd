// Gate before the SeldonDeployment, run by Pulumi (command.local.Command): exits 0 once Seldon's
// admission webhook admits a dry-run create of it; 1 otherwise, with the reason.
//   WEBHOOK_OBJECT           the SeldonDeployment, as JSON
//   WEBHOOK_TIMEOUT_SECONDS  how long to wait for the webhook
//   KUBE_CONTEXT             kubeconfig context (the stack's kubeContext); empty: the current one
import { kubeConfigFor } from "../lib/kubernetesApi";
import { positiveSeconds } from "./env";
import { runProbe } from "./poll";
import { waitForWebhook } from "./webhookGate";

runProbe("webhook gate", async () => {
    let object: any;
    try {
        object = JSON.parse(process.env.WEBHOOK_OBJECT ?? "");
    } catch {
        object = undefined;
    }
    if (!object?.metadata?.name || !object?.metadata?.namespace) {
        throw new Error("WEBHOOK_OBJECT must be a SeldonDeployment with a name and a namespace, as JSON");
    }
    const timeout = positiveSeconds("WEBHOOK_TIMEOUT_SECONDS", "300");
    const kubeConfig = kubeConfigFor(process.env.KUBE_CONTEXT || undefined);
    console.log(`webhook gate: dry-run create of SeldonDeployment ${object.metadata.namespace}/${object.metadata.name} ` +
        `through ${kubeConfig.getCurrentContext()} (waiting up to ${timeout} s)`);
    await waitForWebhook({ object, kubeConfig, timeoutMs: timeout * 1000, log: line => console.log(line) });
});
