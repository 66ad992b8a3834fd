// Waits until a URL answers 2xx, for a Pulumi command.local.Command that gates later steps; with
// WAIT_S3_BUCKET, then until a listing of that bucket signed with the given key succeeds, so that what
// answers is the store the program made, not any server on that port.
// Exit status 0 only after such answers were seen; 1 otherwise, with the reason.
//   WAIT_URL              the URL to GET
//   WAIT_TIMEOUT_SECONDS  how long to wait, for both
//   WAIT_S3_BUCKET, WAIT_S3_REGION  the signed check (optional); its key as JSON on standard input:
//                         {"accessKeyId": …, "secretAccessKey": …}
import * as fs from "fs";
import { positiveSeconds } from "./env";
import { pollUntil, runProbe, waitForHttp } from "./poll";
import { storeAnswers } from "./s3Check";

runProbe("wait-for-http", async () => {
    const url = process.env.WAIT_URL ?? "";
    const timeout = positiveSeconds("WAIT_TIMEOUT_SECONDS", "300");
    if (!/^https?:\/\//.test(url)) {
        throw new Error(`WAIT_URL = ${JSON.stringify(url)} is not an http(s) URL`);
    }
    const deadline = Date.now() + timeout * 1000;
    await waitForHttp(url, { timeoutMs: timeout * 1000, intervalMs: 2000, log: line => console.log(line) });
    const bucket = process.env.WAIT_S3_BUCKET;
    if (bucket) {
        let key: { accessKeyId?: unknown; secretAccessKey?: unknown } = {};
        try {
            key = JSON.parse(fs.readFileSync(0, "utf8"));
        } catch {
            // Said below.
        }
        if (typeof key.accessKeyId !== "string" || typeof key.secretAccessKey !== "string" || !key.accessKeyId || !key.secretAccessKey) {
            throw new Error("WAIT_S3_BUCKET is set but standard input holds no {\"accessKeyId\", \"secretAccessKey\"} JSON");
        }
        const check = { endpoint: new URL(url).origin, bucket, region: process.env.WAIT_S3_REGION || "us-east-1", accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
        await pollUntil<void>(budgetMs => storeAnswers(check, Math.min(5000, budgetMs)),
            { timeoutMs: Math.max(1000, deadline - Date.now()), intervalMs: 2000, log: line => console.log(line), what: `the store's bucket ${bucket}` });
    }
});
