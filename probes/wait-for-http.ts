// Waits until a URL answers 2xx, for a Pulumi command.local.Command that gates later steps.
// Exit status 0 only after such an answer was seen; 1 otherwise, with the reason.
//   WAIT_URL              the URL to GET
//   WAIT_TIMEOUT_SECONDS  how long to wait
import { positiveSeconds } from "./env";
import { runProbe, waitForHttp } from "./poll";

runProbe("wait-for-http", async () => {
    const url = process.env.WAIT_URL ?? "";
    const timeout = positiveSeconds("WAIT_TIMEOUT_SECONDS", "300");
    if (!/^https?:\/\//.test(url)) {
        throw new Error(`WAIT_URL = ${JSON.stringify(url)} is not an http(s) URL`);
    }
    await waitForHttp(url, { timeoutMs: timeout * 1000, intervalMs: 2000, log: line => console.log(line) });
});
