// scalable-serving: a trained PyTorch model served by Triton behind Seldon Core and Istio,
// autoscaled by HPA or KEDA, monitored by Prometheus.
//
//   stack config ──► ModelRepository (S3, Triton layout, read-only credentials for the cluster)
import { loadSettings } from "./config";
import { ModelRepository } from "./components/modelRepository";

// Validates everything before the first resource is registered.
const settings = loadSettings();

const modelRepository = new ModelRepository("model-repository", {
    settings: settings.modelRepository,
    project: settings.project,
    stack: settings.stack,
});

export const autoscaler = settings.autoscaler;
export const modelBucket = modelRepository.bucketName;
export const modelUri = modelRepository.modelUri;
export const modelRegion = modelRepository.region;
