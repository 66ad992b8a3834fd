// Gate before the SeldonDeployment, run by Pulumi (command.local.Command): exits 0 once Seldon's
// admission webhook admits a dry-run create of it; 1 otherwise, with the reason (probes/webhookGate.ts).
//   WEBHOOK_OBJECT           the SeldonDeployment, as JSON
//   WEBHOOK_TIMEOUT_SECONDS  how long to wait for the webhook
//   KUBE_CONTEXT             kubeconfig context (the stack's kubeContext); empty: the current one
import { runProbe } from "./poll";
import { webhookGateCommand } from "./webhookGate";

runProbe("webhook gate", () => webhookGateCommand(process.env, { log: line => console.log(line) }));
