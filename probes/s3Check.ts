// Whether what answers on an S3 endpoint is the store the program made: a request signed (AWS
// Signature Version 4) with the uploader's key, listing the bucket, must succeed. Any server answers
// GET /healthz with 200; only the store knows the key and has the bucket.
import * as crypto from "crypto";
import { httpRequest } from "../lib/httpRequest";
import { Attempt } from "./poll";

export interface S3Check {
    /** `http://127.0.0.1:8333`, path-style. */
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
}

const sha256 = (data: string) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data).digest();

/**
 * The headers of a SigV4-signed GET (AWS docs, "Signature Version 4 signing process": canonical
 * request, string to sign, signing key derived date → region → service → aws4_request).
 */
export function signedGetHeaders(url: URL, c: Pick<S3Check, "region" | "accessKeyId" | "secretAccessKey">, now: Date): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const payload = sha256("");
    const query = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": payload, "x-amz-date": amzDate };
    const signed = Object.keys(headers).sort();
    const canonical = ["GET", url.pathname, query, ...signed.map(h => `${h}:${headers[h]}`), "", signed.join(";"), payload].join("\n");
    const scope = `${day}/${c.region}/s3/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${c.secretAccessKey}`, day), c.region), "s3"), "aws4_request");
    const signature = crypto.createHmac("sha256", key).update(toSign).digest("hex");
    return {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${c.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
    };
}

/** One attempt: the store when a signed listing of the bucket succeeds; still waiting otherwise, saying what answered. */
export async function storeAnswers(c: S3Check, timeoutMs: number, now: () => Date = () => new Date()): Promise<Attempt<void>> {
    const url = new URL(`${c.endpoint.replace(/\/+$/, "")}/${c.bucket}?list-type=2&max-keys=1`);
    try {
        const { status, body } = await httpRequest(url, { method: "GET", headers: signedGetHeaders(url, c, now()), timeoutMs, maxBytes: 64 * 1024 });
        if (status === 200 && /<ListBucketResult[\s>]/.test(body)) {
            return { done: true, value: undefined };
        }
        const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
        return { done: false, waiting: `a signed listing of bucket ${c.bucket} answered HTTP ${status}${code ? ` ${code}` : ""}: not (yet) the store with the uploader's key` };
    } catch (e) {
        return { done: false, waiting: `a signed listing of bucket ${c.bucket} failed: ${(e as Error).message}` };
    }
}
