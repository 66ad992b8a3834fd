// Post-deploy smoke test, run by Pulumi (command.local.Command) once the SeldonDeployment exists.
// Exit status 0 only after a valid answer was seen; 1 otherwise, with the reason.
//   SMOKE_URL              the model's V2 infer URL
//   SMOKE_TIMEOUT_SECONDS  how long to wait for the model to become ready
import { positiveSeconds } from "./env";
import { runProbe } from "./poll";
import { smokeTest } from "./smokeTest";

runProbe("smoke test", async () => {
    const url = process.env.SMOKE_URL ?? "";
    const timeout = positiveSeconds("SMOKE_TIMEOUT_SECONDS", "600");
    if (!/^https?:\/\//.test(url)) {
        throw new Error(`SMOKE_URL = ${JSON.stringify(url)} is not an http(s) URL`);
    }
    console.log(`smoke test: POST ${url} (waiting up to ${timeout} s for the model)`);
    await smokeTest({ url, timeoutMs: timeout * 1000, log: line => console.log(line) });
}, "See README, 'Troubleshooting'; `kubectl -n <namespace> get pods` and the pods' logs say why the model is not ready.");
