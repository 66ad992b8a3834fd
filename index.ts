// scalable-serving: a trained PyTorch model served by Triton behind Seldon Core and Istio,
// autoscaled by HPA or KEDA, monitored by Prometheus.
//
//   settings ─► model store ─► model repository ─► platform ─► model deployment ─► load test ─► outputs
import * as k8s from "@pulumi/kubernetes";
import { loadSettings } from "./config";
import { INGRESS_SERVICE } from "./lib/charts";
import { Platform } from "./components/platform";
import { LoadTest, ModelDeployment } from "./components/serving";
import { ModelRepository, newModelStore } from "./components/storage";

// Validates everything before the first resource is registered.
const settings = loadSettings();

// One explicit provider for every Kubernetes object: the configured context, never an ambient one by accident.
const kubernetes = new k8s.Provider("kubernetes", { context: settings.platform.kubeContext });

// AWS S3, or SeaweedFS in the kind cluster; either way read-only credentials for the cluster.
const modelStore = newModelStore("model-store", settings.modelStore, { providers: [kubernetes] });

// The Triton repository uploaded into it, one object per file.
const modelRepository = new ModelRepository("model-repository", { store: modelStore, ...settings.modelRepository });

// Istio · Seldon Core · metrics-server · Prometheus · KEDA · the models' namespace.
const platform = new Platform("platform", { settings: settings.platform }, { providers: [kubernetes] });

// rclone Secret · SeldonDeployment (none | hpa | keda, fail-safe on a lost signal) · alerts · smoke test.
const model = new ModelDeployment("model", {
    settings: settings.deployment,
    autoscaling: settings.autoscaling,
    namespace: { name: platform.modelNamespaceName, resource: platform.modelNamespace },
    modelUri: modelRepository.modelUri,
    modelFingerprint: modelRepository.fingerprint,
    modelStore,
    ingressBaseUrl: platform.ingressBaseUrl,
    dependsOn: [...platform.servingReady, modelRepository],
    kubeContext: settings.platform.kubeContext,
    grafana: settings.platform.grafana,
    alerts: settings.alerts && platform.monitoring ? { settings: settings.alerts, after: platform.monitoring.release } : undefined,
    // An internal load balancer is not reachable from where pulumi runs: the smoke test port-forwards.
    portForwardTo: settings.platform.ingressExposure === "internal" ? { namespace: INGRESS_SERVICE.namespace, service: INGRESS_SERVICE.name, port: 80 } : undefined,
}, { providers: [kubernetes] });

// Optional: the tutorial's load from inside the cluster, against the gateway Service (no port-forward).
const loadTest = settings.loadTest.enabled
    ? new LoadTest(`${settings.deployment.name}-loadtest`, {
        settings: settings.loadTest,
        namespace: platform.modelNamespaceName,
        host: platform.inClusterIngressUrl,
        path: model.inferencePath,
        dependsOn: [model],
    }, { providers: [kubernetes] })
    : undefined;

export const autoscaler = settings.autoscaling.mode;
export const modelStoreKind = settings.modelStore.kind;
export const modelBucket = modelStore.bucketName;
export const modelUri = modelRepository.modelUri;
export const modelRegion = modelStore.rclone.region;
export const modelNamespace = platform.modelNamespace.metadata.name;
export const prometheusUrl = platform.prometheusUrl;
export const inferenceUrl = model.inferenceUrl;
export const inferenceRequest = model.inferenceRequest;
export const curlExample = model.curlExample;
export const seldonDeployment = model.seldonDeploymentRef;
export const kubernetesDeployment = model.kubernetesDeploymentRef;
export const autoscalerObject = model.autoscalerObject;
export const watchScaling = model.watchScaling;
export const scaleDownWindow = model.scaleDownWindow;
export const dashboard = model.dashboard;
export const loadTestCommand = model.loadTestCommand;
export const loadTestLogs = loadTest?.logsCommand;
