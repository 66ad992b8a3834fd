// scalable-serving: a trained PyTorch model served by Triton behind Seldon Core and Istio,
// autoscaled by HPA or KEDA, monitored by Prometheus.
//
//   stack config ─► ModelStore       AWS S3 bucket, or SeaweedFS in the kind cluster; read-only credentials
//                ─► ModelRepository  the Triton repository uploaded into it, one object per file
//                ─► Platform         Istio · Seldon Core · metrics-server · Prometheus · KEDA · namespace
//                ─► ModelDeployment  rclone Secret · SeldonDeployment (none | hpa | keda) · smoke test
//                ─► LoadTest         optional in-cluster Job that shows the autoscaler at work
import * as k8s from "@pulumi/kubernetes";
import { loadSettings } from "./config";
import { LoadTest } from "./components/loadTest";
import { inferencePath, ModelDeployment, sampleRequestBody } from "./components/modelDeployment";
import { InClusterModelStore } from "./components/inClusterModelStore";
import { ModelRepository } from "./components/modelRepository";
import { S3ModelStore } from "./components/s3ModelStore";
import { ModelStore } from "./lib/modelStore";
import { INGRESS_SERVICE, Platform } from "./components/platform";
import { repositoryFingerprint } from "./lib/tritonRepository";

// Validates everything before the first resource is registered.
const settings = loadSettings();

// One explicit provider for every Kubernetes object: the configured context, never an ambient one by accident.
const kubernetes = new k8s.Provider("kubernetes", { context: settings.platform.kubeContext });

const store = settings.modelRepository.store;
const modelStore: ModelStore = store.kind === "in-cluster"
    ? new InClusterModelStore("model-store", { bucketName: store.bucketName, version: store.version, size: store.size }, { providers: [kubernetes] })
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
    modelUri: modelRepository.modelUri,
    modelStore,
    prometheusUrl: platform.prometheusUrl,
    ingressBaseUrl: platform.ingressBaseUrl,
    dependsOn: [...platform.servingReady, modelRepository],
    modelFingerprint: repositoryFingerprint(settings.modelRepository.files),
}, { providers: [kubernetes] });

const ns = settings.platform.modelNamespace;
const inferPath = inferencePath(ns, settings.deployment.name, settings.deployment.modelName);

// Targets the gateway Service from inside the cluster: no port-forward between load and model.
const loadTestJob = `${settings.deployment.name}-loadtest`;
const loadTest = settings.loadTest.enabled
    ? new LoadTest(loadTestJob, {
        settings: settings.loadTest,
        namespace: ns,
        host: `http://${INGRESS_SERVICE.name}.${INGRESS_SERVICE.namespace}.svc.cluster.local`,
        path: inferPath,
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
export const curlExample = model.inferenceUrl.apply(url =>
    `curl -sS -X POST -H 'Content-Type: application/json' -d "$(pulumi stack output inferenceRequest)" ${url}`);
export const seldonDeployment = `${ns}/${settings.deployment.name}`;
/** The Deployment Seldon creates, and the autoscaler object that scales it. */
export const kubernetesDeployment = `${ns}/${model.workloadName}`;
export const autoscalerObject = {
    none: "none",
    hpa: `${ns}/horizontalpodautoscaler/${model.workloadName}`,
    keda: `${ns}/scaledobject/${model.workloadName}`,
}[settings.autoscaler];
export const watchScaling = {
    none: `kubectl -n ${ns} get pods -w`,
    hpa: `kubectl -n ${ns} get hpa ${model.workloadName} -w`,
    // KEDA drives an HPA of its own, named keda-hpa-<ScaledObject>.
    keda: `kubectl -n ${ns} get hpa keda-hpa-${model.workloadName} -w`,
}[settings.autoscaler];
/** The local load test against this deployment (README, "Load test"). */
export const loadTestCommand = model.inferenceUrl.apply(url =>
    `npm run loadtest -- --host ${url.slice(0, url.indexOf(inferPath))} --path ${inferPath} --users 100 --spawn-rate 10 --run-time 180s --report reports/${settings.autoscaler} --watch --namespace ${ns} --deployment ${model.workloadName}`);
export const loadTestLogs = loadTest ? `kubectl -n ${ns} logs -f job/${loadTestJob}` : undefined;
