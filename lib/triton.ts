// Triton Inference Server facts the program relies on, each with its source.
import { parseImageReference } from "./images";
import { Probe } from "./types/seldon";

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

/**
 * Triton's health endpoints (the v2 inference protocol), the ones Seldon 1.17.1's own probes call
 * (operator/constants/constants.go:36-37), on Triton's container port named `http` (Seldon always
 * sets its ports: seldondeployment_prepackaged_servers.go, addTritonServer, "Ports always overwritten").
 */
export const TRITON_HEALTH = { ready: "/v2/health/ready", live: "/v2/health/live", port: "http" } as const;

/** How long Triton may take to load its models before kubelet restarts it (the startup probe's budget). */
export const TRITON_STARTUP_BUDGET_SECONDS = 300;
/** How often the startup probe asks: a replica is Ready at most this long after its model is. */
export const STARTUP_PROBE_PERIOD_SECONDS = 2;

/**
 * Triton's probes, replacing the ones Seldon 1.17.1 adds only when the container has none
 * (addTritonServer: readiness initialDelaySeconds 20, periodSeconds 10; liveness 60/10): a replica
 * is Ready 20 s after Triton starts at the earliest (a model that loads in 3 s), and up to 10 s after
 * its model once that takes longer. Kubernetes (k8s.io/api v0.33.1
 * core/v1/types.go:2879-2884, Container.StartupProbe) runs no readiness or liveness probe until the startup
 * probe has succeeded, and restarts the container when it fails failureThreshold times in a row; so:
 * - startup: ready endpoint every 2 s from the start, for up to TRITON_STARTUP_BUDGET_SECONDS: the
 *   container is restarted only if the model is not ready by then;
 * - readiness: ready endpoint every 5 s after that, Ready again within 5 s of a recovery;
 * - liveness: live endpoint every 10 s, 3 failures to restart, as Seldon's.
 * kubelet sends them from the node as root, which kind's NetworkPolicy enforcement never drops (FACTS
 * §12); with Istio's sidecar, the injector rewrites them to the proxy's agent, as it did Seldon's.
 */
export function tritonProbes(budgetS = TRITON_STARTUP_BUDGET_SECONDS): { startupProbe: Probe; readinessProbe: Probe; livenessProbe: Probe } {
    const get = (path: string) => ({ path, port: TRITON_HEALTH.port, scheme: "HTTP" as const });
    return {
        // Attempts at 0, 2, …, 2 (n − 1) s: the last one at the budget itself.
        startupProbe: { httpGet: get(TRITON_HEALTH.ready), initialDelaySeconds: 0, periodSeconds: STARTUP_PROBE_PERIOD_SECONDS, timeoutSeconds: 1,
            successThreshold: 1, failureThreshold: Math.ceil(budgetS / STARTUP_PROBE_PERIOD_SECONDS) + 1 },
        readinessProbe: { httpGet: get(TRITON_HEALTH.ready), initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        livenessProbe: { httpGet: get(TRITON_HEALTH.live), initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    };
}
