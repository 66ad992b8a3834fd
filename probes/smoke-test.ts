// Post-deploy smoke test, run by Pulumi (command.local.Command) once the SeldonDeployment exists.
// Exit status 0 only after a valid answer was seen; 1 otherwise, with the reason.
//   SMOKE_URL              the model's V2 infer URL
//   SMOKE_TIMEOUT_SECONDS  how long to wait for the model to become ready
//   SMOKE_NAMESPACE, SMOKE_DEPLOYMENT  the model's pods, whose status it prints every 15 s while it waits
//   KUBE_CONTEXT           kubeconfig context for that (the stack's kubeContext); empty: the current one
//   SMOKE_PORT_FORWARD     `<namespace>/<service>:<port>`: reach SMOKE_URL's path through a kubectl
//                          port-forward to that Service (an ingress behind an internal load balancer)
import { runProbe } from "./poll";
import { smokeTestCommand } from "./smokeTest";

runProbe("smoke test", () => smokeTestCommand(process.env, { log: line => console.log(line) }),
    "See docs/troubleshooting.md; `kubectl -n <namespace> get pods` and the pods' logs say why the model is not ready.");
