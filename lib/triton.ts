// Triton Inference Server facts the program relies on, each with its source.
import { parseImageReference } from "./images";

/**
 * Triton serves Prometheus metrics on this port by default (`--metrics-port`, 8002; Seldon 1.17.1
 * starts Triton with only --grpc-port, --http-port, --model-repository and --strict-model-config, so
 * the default holds), at `/metrics`. Seldon declares only Triton's `grpc` and `http` container ports
 * (operator, seldondeployment_prepackaged_servers.go, addTritonServer: "Ports always overwritten"),
 * so a scrape reaches 8002 by rewriting the target's address (components/platform/monitoring.ts).
 */
export const TRITON_METRICS_PORT = 8002;
export const TRITON_METRICS_PATH = "/metrics";

/**
 * The metrics used here (triton-inference-server/server, docs/user_guide/metrics.md), each labelled
 * `model` and `version`:
 * - `nv_inference_pending_request_count`: gauge, requests waiting in the model's queue, not yet
 *   executing (a gauge since 23.09, the pinned 25.01 included);
 * - `nv_inference_queue_duration_us`: counter, cumulative microseconds requests spent queued;
 * - `nv_inference_request_success`: counter, successful requests;
 * - `nv_inference_request_duration_us`: counter, cumulative end-to-end microseconds of requests.
 */
export const TRITON_METRICS = {
    pending: "nv_inference_pending_request_count",
    queueDurationUs: "nv_inference_queue_duration_us",
    requestSuccess: "nv_inference_request_success",
    requestDurationUs: "nv_inference_request_duration_us",
} as const;

/**
 * The scrape finds Triton's container by its image: a repository whose last path component is
 * `tritonserver` (NVIDIA's nvcr.io/nvidia/tritonserver, or a mirror of it under the same name).
 */
export const TRITON_IMAGE_REGEX = "(.+/)?tritonserver([:@].+)?";

/** Whether an image is one the Triton scrape recognises (TRITON_IMAGE_REGEX). */
export function isTritonImage(image: string): boolean {
    const ref = parseImageReference(image);
    return ref !== undefined && /(^|\/)tritonserver$/.test(ref.name) && new RegExp(`^(?:${TRITON_IMAGE_REGEX})$`).test(image);
}
