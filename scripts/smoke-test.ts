// Post-deploy smoke test, run by Pulumi (command.local.Command) once the SeldonDeployment exists.
//   SMOKE_URL              the model's V2 infer URL
//   SMOKE_TIMEOUT_SECONDS  how long to wait for the model to become ready
import { PollError } from "../lib/poll";
import { smokeTest } from "../lib/smokeTest";

async function main(): Promise<void> {
    const url = process.env.SMOKE_URL;
    const timeout = Number(process.env.SMOKE_TIMEOUT_SECONDS ?? "600");
    if (!url || !Number.isFinite(timeout) || timeout <= 0) {
        throw new PollError("SMOKE_URL and a positive SMOKE_TIMEOUT_SECONDS are required");
    }
    console.log(`smoke test: POST ${url} (waiting up to ${timeout} s for the model)`);
    await smokeTest({ url, timeoutMs: timeout * 1000, log: line => console.log(line) });
}

main().catch(e => {
    console.error(`smoke test FAILED: ${(e as Error).message}`);
    console.error("See README, 'Troubleshooting'; `kubectl -n <namespace> get pods` and the pods' logs say why the model is not ready.");
    process.exit(1);
});
