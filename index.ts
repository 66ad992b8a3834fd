// scalable-serving: a trained PyTorch model served by Triton behind Seldon Core and Istio,
// autoscaled by HPA or KEDA, monitored by Prometheus.
//
//   stack config ─► ModelStore       AWS S3 bucket, or SeaweedFS in the kind cluster; read-only credentials
//                ─► ModelRepository  the Triton repository uploaded into it, one object per file
//                ─► Platform         Istio · Seldon Core · metrics-server · Prometheus · KEDA · namespace
//                ─► ModelDeployment  rclone Secret · SeldonDeployment (none | hpa | keda) · smoke test
//                ─► LoadTest         optional in-cluster Job that shows the autoscaler at work
import * as k8s from "@pulumi/kubernetes";
import { InClusterModelStore } from "./components/inClusterModelStore";
import { LoadTest } from "./components/loadTest";
import { inferencePath, ModelDeployment, sampleRequestBody } from "./components/modelDeployment";
import { ModelRepository } from "./components/modelRepository";
import { INGRESS_SERVICE, Platform } from "./components/platform";
import { S3ModelStore } from "./components/s3ModelStore";
import { loadSettings } from "./config";
import { ModelStore } from "./lib/modelStore";
import { repositoryFingerprint } from "./lib/tritonRepository";

// Validates everything before the first resource is registered.
const settings = loadSettings();

// One explicit provider for every Kubernetes object: the configured context, never an ambient one by accident.
const kubernetes = new k8s.Provider("kubernetes", { context: settings.platform.kubeContext });

const store = settings.modelRepository.store;
const modelStore: ModelStore = store.kind === "in-cluster"
    ? new InClusterModelStore("model-store", {
        bucketName: store.bucketName,
        pin: store.pin,
        size: store.size,
        networkPolicy: store.networkPolicy,
        readerNamespace: settings.platform.modelNamespace,
    }, { providers: [kubernetes] })
    : new S3ModelStore("model-store", {
        bucketName: store.bucketName,
        region: store.region,
        prefix: settings.modelRepository.prefix,
        readerCredentials: store.readerCredentials,
        project: settings.project,
        stack: settings.stack,
    });

const modelRepository = new ModelRepository("model-repository", {
    store: modelStore,
    prefix: settings.modelRepository.prefix,
    files: settings.modelRepository.files,
});

const platform = new Platform("platform", { settings: settings.platform }, { providers: [kubernetes] });

const model = new ModelDeployment("model", {
    settings: settings.deployment,
    autoscaling: {
        mode: settings.autoscaler,
        replicas: settings.replicas,
        minReplicas: settings.minReplicas,
        maxReplicas: settings.maxReplicas,
    },
    namespace: settings.platform.modelNamespace,
    namespaceResource: platform.modelNamespace,
    modelUri: modelRepository.modelUri,
    modelStore,
    prometheusUrl: platform.prometheusUrl,
    ingressBaseUrl: platform.ingressBaseUrl,
    dependsOn: [...platform.servingReady, modelRepository],
    modelFingerprint: repositoryFingerprint(settings.modelRepository.files),
}, { providers: [kubernetes] });

// Targets the gateway Service from inside the cluster: no port-forward between load and model.
const loadTest = settings.loadTest.enabled
    ? new LoadTest(`${settings.deployment.name}-loadtest`, {
        settings: settings.loadTest,
        namespace: settings.platform.modelNamespace,
        host: `http://${INGRESS_SERVICE.name}.${INGRESS_SERVICE.namespace}.svc.cluster.local`,
        path: inferencePath(settings.platform.modelNamespace, settings.deployment.name, settings.deployment.modelName),
        dependsOn: [model],
    }, { providers: [kubernetes] })
    : undefined;

export const autoscaler = settings.autoscaler;
export const modelStoreKind = store.kind;
export const modelBucket = modelStore.bucketName;
export const modelUri = modelRepository.modelUri;
export const modelRegion = modelStore.rclone.region;
export const modelNamespace = platform.modelNamespace.metadata.name;
export const prometheusUrl = platform.prometheusUrl;
export const inferenceUrl = model.inferenceUrl;
export const inferenceRequest = sampleRequestBody();
export const curlExample = model.curlExample;
export const seldonDeployment = `${settings.platform.modelNamespace}/${settings.deployment.name}`;
export const kubernetesDeployment = `${settings.platform.modelNamespace}/${model.workloadName}`;
export const autoscalerObject = model.autoscalerObject;
export const watchScaling = model.watchScaling;
export const loadTestCommand = model.loadTestCommand;
export const loadTestLogs = loadTest?.logsCommand;
