// Waits until a URL answers 2xx, for a Pulumi command.local.Command that gates later steps.
//   WAIT_URL              the URL to GET
//   WAIT_TIMEOUT_SECONDS  how long to wait
import { waitForHttp } from "../lib/poll";

const url = process.env.WAIT_URL;
const timeout = Number(process.env.WAIT_TIMEOUT_SECONDS ?? "300");
if (!url || !Number.isFinite(timeout) || timeout <= 0) {
    console.error("wait-for-http: WAIT_URL and a positive WAIT_TIMEOUT_SECONDS are required");
    process.exit(1);
}
waitForHttp(url, { timeoutMs: timeout * 1000, intervalMs: 2000, log: line => console.log(line) }).catch(e => {
    console.error(`wait-for-http FAILED: ${(e as Error).message}`);
    process.exit(1);
});
