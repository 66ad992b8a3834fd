// The gate before the first model upload (probes/wait-for-http.ts), without the process around it:
// waits until a URL answers 2xx; with WAIT_S3_BUCKET, then until a listing of that bucket signed with
// the given key succeeds, so that what answers is the store the program made, not any server on
// that port. Resolves once both were seen; rejects saying why not.
import { httpUrl, positiveSeconds } from "./env";
import { pollUntil, waitForHttp } from "./poll";
import { storeAnswers } from "./s3Check";

export interface WaitForStoreOptions {
    log: (line: string) => void;
    /** Standard input: the store's key as JSON, when WAIT_S3_BUCKET is set. */
    input: () => string;
    /** Pause between attempts (default 2 s). */
    intervalMs?: number;
}

export async function waitForStoreCommand(env: NodeJS.ProcessEnv, opts: WaitForStoreOptions): Promise<void> {
    const url = httpUrl("WAIT_URL", env);
    const timeout = positiveSeconds("WAIT_TIMEOUT_SECONDS", "300", env);
    const intervalMs = opts.intervalMs ?? 2000;
    const deadline = Date.now() + timeout * 1000;
    await waitForHttp(url, { timeoutMs: timeout * 1000, intervalMs, log: opts.log });
    const bucket = env.WAIT_S3_BUCKET;
    if (!bucket) {
        return;
    }
    let key: { accessKeyId?: unknown; secretAccessKey?: unknown } = {};
    try {
        key = JSON.parse(opts.input());
    } catch {
        // Said below.
    }
    if (typeof key.accessKeyId !== "string" || typeof key.secretAccessKey !== "string" || !key.accessKeyId || !key.secretAccessKey) {
        throw new Error("WAIT_S3_BUCKET is set but standard input holds no {\"accessKeyId\", \"secretAccessKey\"} JSON");
    }
    const check = { endpoint: new URL(url).origin, bucket, region: env.WAIT_S3_REGION || "us-east-1", accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    await pollUntil<void>(budgetMs => storeAnswers(check, Math.min(5000, budgetMs)),
        { timeoutMs: Math.max(1000, deadline - Date.now()), intervalMs, log: opts.log, what: `the store's bucket ${bucket}` });
}
