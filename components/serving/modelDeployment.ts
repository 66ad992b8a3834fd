import * as crypto from "crypto";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertSettings, AutoscalingSettings, DeploymentSettings } from "../../config";
import { inferencePath, PREDICTOR, seldonWorkloadName } from "../../lib/seldon";
import { HpaSpec, KedaSpec, PredictiveUnit, PrometheusTriggerMetadata, SecurityContext, SeldonDeployment, SeldonPodSpec } from "../../lib/types/seldon";
import { sampleRequestBody } from "../../lib/v2Protocol";
import { tritonProbes } from "../../lib/triton";
import { ModelStore } from "../storage/modelStore";
import { pulumiCli } from "../../lib/cli";
import { kedaSignalQuery, queryTargetFor } from "../../lib/queries";
import { GRAFANA_SERVICE } from "../../lib/charts";
import { modelAlertsRule } from "./alerts";
import { dashboardConfigMap, dashboardUid } from "./dashboard";

export interface ModelDeploymentArgs {
    settings: DeploymentSettings;
    autoscaling: AutoscalingSettings;
    /** The models' namespace (created by the platform): its name, and the resource the rclone Secret waits for. */
    namespace: { name: string; resource: pulumi.Resource };
    /** `s3://<bucket>/<prefix>` of the Triton model repository. */
    modelUri: pulumi.Input<string>;
    /** Hash of the model repository's content: a new model re-runs the smoke test. */
    modelFingerprint: string;
    /** The model store's read-only credentials (secrets) and how rclone reaches it. */
    modelStore: Pick<ModelStore, "reader" | "rclone">;
    /** Where the ingress gateway answers, e.g. `http://localhost:8080`. */
    ingressBaseUrl: pulumi.Input<string>;
    /** What the SeldonDeployment must wait for: the operator, istiod, the namespace, the uploaded model. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
    /** The kubeconfig context the program deploys to (for the webhook gate); undefined: the current one. */
    kubeContext?: string;
    /** Whether the platform installed Grafana: then the model's dashboard is provisioned. */
    grafana: boolean;
    /** Reach the gateway through a kubectl port-forward to this Service for the smoke test (an internal load balancer). */
    portForwardTo?: { namespace: string; service: string; port: number };
    /** The model's alerting rules, when the platform installed the Prometheus operator (`after`: its release, which brings the CRD). */
    alerts?: { settings: AlertSettings; after: pulumi.Resource };
}

/** How long the SeldonDeployment waits for Seldon's admission webhook to answer (a new operator's start). */
export const WEBHOOK_TIMEOUT_SECONDS = 600;

/** Istio's per-pod switch for native sidecars (the proxy as a restartable init container). */
export const NATIVE_SIDECAR_ANNOTATION = "sidecar.istio.io/nativeSidecar";

/**
 * Triton needs no privilege: it runs as the image's own non-root user (`triton-server`, uid 1000 in
 * NVIDIA's images) and only reads the model the storage initializer wrote. Its root filesystem stays
 * writable: backends write to /tmp (the image's `triton-server` user has no home folder).
 */
export const TRITON_SECURITY_CONTEXT: SecurityContext = {
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 1000,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * The served model: the rclone Secret the storage initializer reads the repository with, the
 * SeldonDeployment (Triton behind Seldon's executor and Istio) with its autoscaler, and a smoke test.
 */
export class ModelDeployment extends pulumi.ComponentResource {
    public readonly seldonDeployment: k8s.apiextensions.CustomResource;
    /** The model's V2 infer path through Istio, e.g. `/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer`. */
    public readonly inferencePath: string;
    /** The V2 infer URL through the ingress gateway. */
    public readonly inferenceUrl: pulumi.Output<string>;
    /** The body of a valid V2 request (the smoke test's). */
    public readonly inferenceRequest: string;
    /** `<namespace>/<name>` of the SeldonDeployment. */
    public readonly seldonDeploymentRef: string;
    /** `<namespace>/<name>` of the Deployment Seldon creates for the model. */
    public readonly kubernetesDeploymentRef: string;
    /** The Deployment Seldon creates; its HPA or ScaledObject has the same name. */
    public readonly workloadName: string;
    /** A ready-to-run curl of the model with a valid V2 request (the body from `pulumi stack output inferenceRequest`). */
    public readonly curlExample: pulumi.Output<string>;
    /** `<namespace>/<kind>/<name>` of the object that scales the model, or `none`. */
    public readonly autoscalerObject: string;
    /** The `kubectl … -w` command that shows the scaling in the current mode. */
    public readonly watchScaling: string;
    /** How long the load must stay low before replicas are removed, in the current mode, and who decides it. */
    public readonly scaleDownWindow: string;
    /** How to open the model's Grafana dashboard, or how to get one. */
    public readonly dashboard: DashboardAccess;
    /** The local load test against this deployment, with a report and --watch (docs/load-test.md). */
    public readonly loadTestCommand: pulumi.Output<string>;

    constructor(name: string, args: ModelDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:serving:ModelDeployment", name, {}, opts);
        const { settings: d } = args;
        const namespace = args.namespace.name;

        const secret = new k8s.core.v1.Secret(`${d.name}-rclone`, {
            metadata: { name: `${d.name}-rclone`, namespace },
            type: "Opaque",
            stringData: pulumi.secret(pulumi.all([args.modelStore.reader.accessKeyId, args.modelStore.reader.secretAccessKey])
                .apply(([accessKeyId, secretAccessKey]) => rcloneEnv({
                    // The store says how rclone reaches it; config may override (another S3-compatible store).
                    provider: d.rclone.provider ?? args.modelStore.rclone.provider,
                    endpoint: d.rclone.endpoint ?? args.modelStore.rclone.endpoint,
                    region: args.modelStore.rclone.region,
                    accessKeyId,
                    secretAccessKey,
                }))),
        }, { parent: this, dependsOn: [args.namespace.resource] });

        const built = pulumi.output(args.modelUri).apply(modelUri =>
            seldonDeploymentFor(d, args.autoscaling, namespace, modelUri, `${d.name}-rclone`));
        // A logger URL stored as a secret stays one: in the SeldonDeployment, the webhook gate's
        // environment, the smoke test's fingerprint and the state.
        const manifest = d.payloadLogger?.secret ? pulumi.secret(built) : built;

        // Create only once Seldon's admission webhook answers: a dry-run create of what is served
        // (the same whatever the autoscaler, so swapping it does not re-run the gate).
        const webhookReady = new command.local.Command(`${d.name}-webhook-ready`, {
            create: "node --import tsx probes/wait-for-webhook.ts",
            environment: {
                WEBHOOK_OBJECT: manifest.apply(m => JSON.stringify(servedManifest(m))),
                WEBHOOK_TIMEOUT_SECONDS: String(WEBHOOK_TIMEOUT_SECONDS),
                KUBE_CONTEXT: args.kubeContext ?? "",
            },
        }, { parent: this, dependsOn: args.dependsOn });
        this.seldonDeployment = new k8s.apiextensions.CustomResource(d.name, {
            apiVersion: "machinelearning.seldon.io/v1",
            kind: "SeldonDeployment",
            metadata: { name: d.name, namespace },
            spec: manifest.spec,
        }, { parent: this, dependsOn: [...args.dependsOn, secret, webhookReady] });

        this.workloadName = seldonWorkloadName(d.name, d.modelName);
        const path = inferencePath(namespace, d.name, d.modelName);
        this.inferencePath = path;
        this.inferenceUrl = pulumi.interpolate`${args.ingressBaseUrl}${path}`;
        this.inferenceRequest = sampleRequestBody();
        this.seldonDeploymentRef = `${namespace}/${d.name}`;
        this.kubernetesDeploymentRef = `${namespace}/${this.workloadName}`;
        this.curlExample = pulumi.interpolate`curl -sS -X POST -H 'Content-Type: application/json' -d "$(${pulumiCli()} stack output inferenceRequest)" ${this.inferenceUrl}`;
        this.autoscalerObject = {
            none: "none",
            hpa: `${namespace}/horizontalpodautoscaler/${this.workloadName}`,
            keda: `${namespace}/scaledobject/${this.workloadName}`,
        }[args.autoscaling.mode];
        this.watchScaling = {
            none: `kubectl -n ${namespace} get pods -w`,
            hpa: `kubectl -n ${namespace} get hpa ${this.workloadName} -w`,
            // KEDA drives an HPA of its own, named keda-hpa-<ScaledObject>.
            keda: `kubectl -n ${namespace} get hpa keda-hpa-${this.workloadName} -w`,
        }[args.autoscaling.mode];
        this.scaleDownWindow = scaleDownWindow(args.autoscaling);
        // Data for Grafana's sidecar; the same in every autoscaler mode.
        if (args.grafana) {
            const cm = dashboardConfigMap(d, namespace);
            new k8s.core.v1.ConfigMap(cm.metadata.name, { metadata: cm.metadata, data: cm.data }, { parent: this, dependsOn: [args.namespace.resource] });
        }
        this.dashboard = dashboardAccess(args.grafana, namespace, d.name);
        // The same in every autoscaler mode: swapping it leaves the rule alone.
        if (args.alerts) {
            const rule = modelAlertsRule(d, args.alerts.settings, namespace);
            new k8s.apiextensions.CustomResource(rule.metadata.name, rule, { parent: this, dependsOn: [args.namespace.resource, args.alerts.after] });
        }
        this.loadTestCommand = pulumi.interpolate`npm run loadtest -- --host ${args.ingressBaseUrl} --path ${path} --users 100 --spawn-rate 10 --run-time 180s --report reports/${args.autoscaling.mode} --watch --namespace ${namespace} --deployment ${this.workloadName}`;

        if (d.smokeTest.enabled) {
            // Re-run when what is served changes (image, model, resources), not when only the autoscaler
            // does: swapping the autoscaler must leave every resource but the SeldonDeployment untouched.
            const fingerprint = manifest.apply(m => servingFingerprint(m, args.modelFingerprint));
            new command.local.Command(`${d.name}-smoke-test`, {
                create: "node --import tsx probes/smoke-test.ts",
                environment: {
                    SMOKE_URL: this.inferenceUrl,
                    SMOKE_TIMEOUT_SECONDS: String(d.smokeTest.timeoutSeconds),
                    // While it waits it prints what the model's pods are doing (image pull, model download, Triton start).
                    SMOKE_NAMESPACE: namespace,
                    SMOKE_DEPLOYMENT: this.workloadName,
                    KUBE_CONTEXT: args.kubeContext ?? "",
                    ...(args.portForwardTo ? { SMOKE_PORT_FORWARD: `${args.portForwardTo.namespace}/${args.portForwardTo.service}:${args.portForwardTo.port}` } : {}),
                },
                triggers: [fingerprint],
            }, { parent: this, dependsOn: [this.seldonDeployment] });
        }

        this.registerOutputs({ inferenceUrl: this.inferenceUrl, workloadName: this.workloadName });
    }
}

/** The SeldonDeployment: protocol v2, Triton serving the model from the repository, and its autoscaler. */
export function seldonDeploymentFor(d: DeploymentSettings, a: AutoscalingSettings, namespace: string, modelUri: string,
    secretName: string): SeldonDeployment {
    const graph: PredictiveUnit = {
        name: d.modelName,
        type: "MODEL",
        implementation: "TRITON_SERVER",
        modelUri,
        envSecretRefName: secretName,
    };
    if (d.payloadLogger !== undefined) {
        // Without a URL the executor posts every request to http://default-broker, which does not exist.
        graph.logger = { mode: "all", url: d.payloadLogger.url };
    }
    const component: SeldonPodSpec = {
        // Seldon copies these to the pods. Harmless, not required: the storage initializer (rclone, an
        // init container) has network either way, because without native sidecars Istio 1.30's
        // injector moves istio-init last among the init containers (FACTS §12). With the annotation
        // the proxy starts first on every cluster, not only where istiod turns native sidecars on by
        // itself (every kubelet 1.33 or later, istio 1.30 pkg/kube/inject/webhook.go).
        metadata: { annotations: { [NATIVE_SIDECAR_ANNOTATION]: "true" } },
        spec: {
            // Named like the graph node, so Seldon keeps this image and these resources for Triton.
            // With its own probes (lib/triton.ts tritonProbes): Ready within 2 s of the model, not 20 s after Triton's start at the earliest.
            containers: [{ name: d.modelName, image: d.tritonImage, resources: d.resources, securityContext: TRITON_SECURITY_CONTEXT, ...tritonProbes() }],
            // Nothing in the model pod calls the Kubernetes API (Triton, Seldon's executor, rclone; Istio's
            // proxy has its own projected istio-token): a token there is only something to steal.
            automountServiceAccountToken: false,
        },
    };
    if (a.mode === "hpa") {
        component.hpaSpec = hpaSpecFor(d, a);
    } else if (a.mode === "keda") {
        component.kedaSpec = kedaSpecFor(d, a, namespace);
    }
    return {
        apiVersion: "machinelearning.seldon.io/v1",
        kind: "SeldonDeployment",
        metadata: { name: d.name, namespace },
        spec: {
            name: d.name,
            protocol: "v2",
            predictors: [{
                name: PREDICTOR,
                graph,
                componentSpecs: [component],
                ...(a.mode === "none" ? { replicas: a.replicas } : {}),
            }],
        },
    };
}

/**
 * CPU utilisation of the Triton container alone (ContainerResource, GA in Kubernetes 1.30): a pod-wide
 * Resource metric would average in Seldon's executor and the Istio sidecar and dilute the target.
 */
export function hpaSpecFor(d: Pick<DeploymentSettings, "modelName">, a: Extract<AutoscalingSettings, { mode: "hpa" }>): HpaSpec {
    return {
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metricsv2: [{
            type: "ContainerResource",
            containerResource: {
                name: "cpu",
                container: d.modelName,
                target: { type: "Utilization", averageUtilization: a.cpuUtilization },
            },
        }],
    };
}

/**
 * Scale on a total of the deployment with metricType AverageValue: the HPA wants ceil(total / threshold)
 * replicas, i.e. `threshold` per replica. The signal is the executors' request rate (requests per
 * second per replica) or the requests waiting in Triton's queue (waiting requests per replica). (The
 * tutorial's per-pod average halves when a second pod starts, and the deployment flaps.)
 */
export function kedaSpecFor(d: Pick<DeploymentSettings, "name" | "modelName">, a: Extract<AutoscalingSettings, { mode: "keda" }>, namespace: string): KedaSpec {
    const target = queryTargetFor(namespace, d.name, d.modelName);
    const { query, threshold } = kedaSignalQuery(target, a.signal);
    // No value (the pods are not scraped, or Prometheus is down) is an error, never 0.
    const metadata: PrometheusTriggerMetadata = { serverAddress: a.prometheusUrl, query, threshold: String(threshold), ignoreNullValues: "false" };
    return {
        pollingInterval: a.pollingInterval,
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        // After more than failureThreshold failed reads KEDA reports replicas × threshold, so the HPA
        // wants exactly `replicas` (KEDA 2.20 pkg/fallback/fallback.go, doFallback; Seldon 1.17.1 copies
        // kedaSpec.fallback into the ScaledObject, seldondeployment_controller.go:189).
        fallback: { failureThreshold: a.fallback.failureThreshold, replicas: a.fallback.replicas },
        advanced: {
            horizontalPodAutoscalerConfig: {
                behavior: {
                    scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds },
                    scaleUp: { stabilizationWindowSeconds: a.scaleUpStabilizationSeconds },
                },
            },
        },
        triggers: [{ type: "prometheus", metricType: "AverageValue", metadata }],
    };
}

/** rclone's S3 remote `s3:` (modelUri `s3://…`) as environment variables for the storage initializer. */
export function rcloneEnv(c: { provider: string; endpoint?: string; region: string; accessKeyId: string; secretAccessKey: string }): Record<string, string> {
    return {
        RCLONE_CONFIG_S3_TYPE: "s3",
        RCLONE_CONFIG_S3_PROVIDER: c.provider,
        RCLONE_CONFIG_S3_ENV_AUTH: "false",
        RCLONE_CONFIG_S3_ACCESS_KEY_ID: c.accessKeyId,
        RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: c.secretAccessKey,
        RCLONE_CONFIG_S3_REGION: c.region,
        ...(c.endpoint !== undefined ? { RCLONE_CONFIG_S3_ENDPOINT: c.endpoint } : {}),
    };
}

/** A stable hash of what is served: the manifest without its scaling fields, and the model files. */
export function servingFingerprint(manifest: SeldonDeployment, modelFingerprint: string): string {
    const served = servedManifest(manifest).spec;
    return crypto.createHash("sha256").update(JSON.stringify({ served, modelFingerprint })).digest("hex");
}

/** The SeldonDeployment without its scaling fields: what is served, the same whatever the autoscaler. */
export function servedManifest(manifest: SeldonDeployment): SeldonDeployment {
    return {
        ...manifest,
        spec: {
            ...manifest.spec,
            predictors: manifest.spec.predictors.map(({ replicas: _replicas, ...p }) => ({
                ...p,
                componentSpecs: p.componentSpecs?.map(({ hpaSpec: _hpa, kedaSpec: _keda, replicas: _r, ...c }) => c),
            })),
        },
    };
}

/**
 * The effective scale-down window. hpa: Seldon Core 1.17.1's hpaSpec has no `behavior` (only min/max
 * replicas and metrics), so the HPA it creates follows the cluster's default, 300 s
 * (kube-controller-manager --horizontal-pod-autoscaler-downscale-stabilization); a second HPA or a
 * patch of Seldon's would be fought by the operator. keda: the configured window, set through
 * kedaSpec.advanced.horizontalPodAutoscalerConfig.behavior.
 */
export function scaleDownWindow(a: AutoscalingSettings): string {
    switch (a.mode) {
        case "none":
            return "none: fixed replicas";
        case "hpa":
            return "300 s: the cluster's default HPA stabilisation (Seldon 1.17.1's hpaSpec cannot set behavior)";
        case "keda":
            return `${a.scaleDownStabilizationSeconds} s: kedaScaleDownStabilizationSeconds`;
    }
}

/** How to reach the dashboard: Grafana's Service is cluster-internal on kind and on cloud alike. */
export type DashboardAccess =
    | { portForward: string; url: string; user: string; password: string }
    | { grafana: string; enable?: string };

export function dashboardAccess(grafana: boolean, namespace: string, deployment: string): DashboardAccess {
    if (!grafana) {
        return {
            grafana: "not installed by this stack (kind without grafanaOnKind, or monitoring not install)",
            enable: `${pulumiCli()} config set grafanaOnKind true && ${pulumiCli()} up`,
        };
    }
    const g = GRAFANA_SERVICE;
    return {
        portForward: `kubectl -n ${g.namespace} port-forward svc/${g.name} 3000:${g.port}`,
        url: `http://localhost:3000/d/${dashboardUid(namespace, deployment)}`,
        user: "admin",
        password: `kubectl -n ${g.namespace} get secret ${g.name} -o jsonpath='{.data.${g.passwordKey}}' | base64 -d`,
    };
}
