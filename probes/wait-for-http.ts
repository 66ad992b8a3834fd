// Waits until a URL answers 2xx, for a Pulumi command.local.Command that gates later steps; with
// WAIT_S3_BUCKET, then until a listing of that bucket signed with the given key succeeds, so that what
// answers is the store the program made, not any server on that port (probes/waitForStore.ts).
// Exit status 0 only after such answers were seen; 1 otherwise, with the reason.
//   WAIT_URL              the URL to GET
//   WAIT_TIMEOUT_SECONDS  how long to wait, for both
//   WAIT_S3_BUCKET, WAIT_S3_REGION  the signed check (optional); its key as JSON on standard input:
//                         {"accessKeyId": …, "secretAccessKey": …}
import * as fs from "fs";
import { runProbe } from "./poll";
import { waitForStoreCommand } from "./waitForStore";

runProbe("wait-for-http", () => waitForStoreCommand(process.env, { log: line => console.log(line), input: () => fs.readFileSync(0, "utf8") }));
