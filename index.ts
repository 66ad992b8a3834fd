// scalable-serving: a trained PyTorch model served by Triton behind Seldon Core and Istio,
// autoscaled by HPA or KEDA, monitored by Prometheus.
//
//   stack config ─► ModelRepository (S3, Triton layout, read-only credentials for the cluster)
//                ─► Platform: Istio · Seldon Core · metrics-server · Prometheus · KEDA · model namespace
import * as k8s from "@pulumi/kubernetes";
import { loadSettings } from "./config";
import { ModelRepository } from "./components/modelRepository";
import { Platform } from "./components/platform";

// Validates everything before the first resource is registered.
const settings = loadSettings();

const modelRepository = new ModelRepository("model-repository", {
    settings: settings.modelRepository,
    project: settings.project,
    stack: settings.stack,
});

// One explicit provider for every Kubernetes object: the configured context, never an ambient one by accident.
const kubernetes = new k8s.Provider("kubernetes", { context: settings.platform.kubeContext });

const platform = new Platform("platform", { settings: settings.platform }, { providers: [kubernetes] });

export const autoscaler = settings.autoscaler;
export const modelBucket = modelRepository.bucketName;
export const modelUri = modelRepository.modelUri;
export const modelRegion = modelRepository.region;
export const modelNamespace = platform.modelNamespace.metadata.name;
export const prometheusUrl = platform.prometheusUrl;
