import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "../../config";
import { IN_CLUSTER_INGRESS_URL, INGRESS_SERVICE, KIND_INGRESS_HOST_PORT, POD_SECURITY } from "../../lib/charts";
import { namespaceArgs } from "../../lib/helm";
import { Istio } from "./istio";
import { Keda } from "./keda";
import { MetricsServer } from "./metricsServer";
import { Monitoring } from "./monitoring";
import { SeldonCore } from "./seldonCore";

export interface PlatformArgs {
    settings: PlatformSettings;
}

/**
 * The serving platform: Istio, Seldon Core, metrics-server, Prometheus and KEDA, each installed only
 * when configured, plus the models' namespace. Ordered by real dependencies only, so independent
 * add-ons install in parallel.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly istio: Istio;
    public readonly seldonCore?: SeldonCore;
    public readonly metricsServer?: MetricsServer;
    public readonly monitoring?: Monitoring;
    public readonly keda?: Keda;
    public readonly modelNamespace: k8s.core.v1.Namespace;
    /** In-cluster Prometheus address for KEDA triggers; undefined without Prometheus. */
    public readonly prometheusUrl?: string;
    /** The models' namespace's name (`modelNamespace`). */
    public readonly modelNamespaceName: string;
    /** The ingress gateway's base URL for clients inside the cluster (the load-test Job). */
    public readonly inClusterIngressUrl = IN_CLUSTER_INGRESS_URL;
    /**
     * Where the ingress gateway answers: `http://localhost:8080` on kind (kind/cluster.yaml maps it), the
     * load balancer's address on a cloud cluster.
     */
    public readonly ingressBaseUrl: pulumi.Output<string>;
    /** What a model deployment must wait for: the Seldon operator and istiod (sidecar injection). */
    public readonly servingReady: pulumi.Resource[];

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:platform:Platform", name, {}, opts);
        const s = args.settings;

        this.istio = new Istio("istio", { flavour: s.flavour, mode: s.istio.mode, pin: s.istio, ingressSourceRanges: s.ingressSourceRanges, ingressExposure: s.ingressExposure, ingressTlsSecret: s.ingressTlsSecret }, { parent: this });
        if (s.metricsServer.mode === "install") {
            this.metricsServer = new MetricsServer("metrics-server", { flavour: s.flavour, pin: s.metricsServer }, { parent: this });
        }
        if (s.monitoring.mode === "install") {
            this.monitoring = new Monitoring("monitoring", { flavour: s.flavour, grafana: s.grafana, pin: s.monitoring }, { parent: this });
        }
        if (s.keda.mode === "install") {
            this.keda = new Keda("keda", { pin: s.keda }, { parent: this });
        }
        if (s.seldonCore.mode === "install") {
            this.seldonCore = new SeldonCore("seldon-core", {
                flavour: s.flavour,
                pin: s.seldonCore,
                kedaEnabled: s.keda.mode !== "none",
                crdsFrom: [this.istio.crds, this.keda?.release].filter((r): r is k8s.helm.v3.Release => r !== undefined),
            }, { parent: this });
        }

        this.modelNamespace = new k8s.core.v1.Namespace(s.modelNamespace,
            namespaceArgs(s.modelNamespace, POD_SECURITY.models, { "istio-injection": "enabled" }), { parent: this });

        this.prometheusUrl = s.prometheusUrl;
        this.modelNamespaceName = s.modelNamespace;
        this.ingressBaseUrl = s.flavour === "kind"
            ? pulumi.output(`http://localhost:${KIND_INGRESS_HOST_PORT}`)
            : loadBalancerUrl(k8s.core.v1.Service.get("ingress-gateway-service", `${INGRESS_SERVICE.namespace}/${INGRESS_SERVICE.name}`,
                { parent: this, dependsOn: this.istio.ingressGateway ? [this.istio.ingressGateway] : [] }));
        this.servingReady = [this.seldonCore?.operator, this.istio.controlPlane, this.istio.seldonGateway, this.modelNamespace]
            .filter((r): r is NonNullable<typeof r> => r !== undefined);
        this.registerOutputs({ prometheusUrl: this.prometheusUrl, modelNamespace: this.modelNamespace.metadata.name });
    }
}

/** `http://<address>` of a LoadBalancer Service (hostname on AWS, IP elsewhere). */
function loadBalancerUrl(service: k8s.core.v1.Service): pulumi.Output<string> {
    return service.status.apply(status => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        const address = ingress?.hostname || ingress?.ip;
        if (!address) {
            throw new Error(`the ingress gateway Service ${INGRESS_SERVICE.namespace}/${INGRESS_SERVICE.name} has no load balancer address yet`);
        }
        return `http://${address}`;
    });
}

