import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterFlavour, RequiredAddonMode } from "../../config";
import { ChartPin, CHARTS, INGRESS_GATEWAY_HTTP_PORT, ISTIO_NAMESPACE, KIND_INGRESS_NODE_PORT, POD_SECURITY, SELDON_GATEWAY } from "../../lib/charts";
import { namespaceArgs, releaseArgs } from "../../lib/helm";
import { IstioBaseValues, IstiodValues, IstioGatewayValues } from "../../lib/types/helmValues";
import { Gateway } from "../../lib/types/istio";

export interface IstioArgs {
    flavour: ClusterFlavour;
    /** install: base, istiod and the ingress gateway; existing: only the seldon-gateway Gateway. */
    mode: RequiredAddonMode;
    /** Version and repository of the base, istiod and gateway charts (one Istio release). */
    pin: ChartPin;
    /** cloud: the client CIDRs the gateway's load balancer accepts; undefined accepts any. */
    ingressSourceRanges?: string[];
    /** cloud: internal or public load balancer (config's ingressExposure). */
    ingressExposure?: "internal" | "public";
    /** cloud: a kubernetes.io/tls Secret in istio-system whose certificate the gateway serves on 443. */
    ingressTlsSecret?: string;
}

/** Istio: CRDs, control plane, the `istio-ingressgateway` and the Gateway that Seldon routes through. */
export class Istio extends pulumi.ComponentResource {
    /** The release that installs Istio's CRDs, when this program installs Istio. */
    public readonly crds?: k8s.helm.v3.Release;
    /** istiod, which injects sidecars: pods of the mesh must start after it. */
    public readonly controlPlane?: k8s.helm.v3.Release;
    public readonly ingressGateway?: k8s.helm.v3.Release;
    public readonly seldonGateway: k8s.apiextensions.CustomResource;

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:platform:Istio", name, {}, opts);
        if (args.mode === "install") {
            const ns = new k8s.core.v1.Namespace(ISTIO_NAMESPACE, namespaceArgs(ISTIO_NAMESPACE, POD_SECURITY.istio), { parent: this });
            this.crds = new k8s.helm.v3.Release(CHARTS.istioBase.release,
                releaseArgs(CHARTS.istioBase, args.pin, istioBaseValues(), ns.metadata.name), { parent: this });
            this.controlPlane = new k8s.helm.v3.Release(CHARTS.istiod.release,
                releaseArgs(CHARTS.istiod, args.pin, istiodValues(args.flavour), ns.metadata.name),
                { parent: this, dependsOn: [this.crds] });
            // istiod injects the gateway's proxy image: it must be running before the gateway starts.
            this.ingressGateway = new k8s.helm.v3.Release(CHARTS.istioGateway.release,
                releaseArgs(CHARTS.istioGateway, args.pin, ingressGatewayValues(args.flavour, args.ingressSourceRanges, args.ingressExposure), ns.metadata.name),
                { parent: this, dependsOn: [this.controlPlane] });
        }
        // Needs the Gateway CRD, and istiod to validate it.
        this.seldonGateway = new k8s.apiextensions.CustomResource(SELDON_GATEWAY.name, seldonGateway(args.ingressTlsSecret),
            { parent: this, dependsOn: this.controlPlane ? [this.controlPlane] : [] });
        this.registerOutputs({});
    }
}

export function istioBaseValues(): IstioBaseValues {
    return { defaultRevision: "default" };
}

/** istiod requests 500m CPU / 2 GiB and autoscales 1-5 by default: far too heavy for kind. */
export function istiodValues(flavour: ClusterFlavour): IstiodValues {
    if (flavour === "cloud") {
        return {};
    }
    return {
        autoscaleEnabled: false,
        replicaCount: 1,
        resources: { requests: { cpu: "100m", memory: "256Mi" } },
        global: {
            proxy: {
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } },
            },
        },
    };
}

/**
 * The ingress gateway. kind has no load balancer (a LoadBalancer Service never gets an address and
 * Helm would wait until its timeout): use a fixed NodePort that kind/cluster.yaml maps to the host.
 * On cloud the user chooses: an internal load balancer, or a public one restricted to `sourceRanges`.
 */
export function ingressGatewayValues(flavour: ClusterFlavour, sourceRanges?: string[], exposure?: "internal" | "public"): IstioGatewayValues {
    if (flavour === "cloud") {
        return { service: {
            type: "LoadBalancer",
            ...(exposure === "internal" ? { annotations: { ...INTERNAL_LOAD_BALANCER } } : {}),
            ...(sourceRanges ? { loadBalancerSourceRanges: sourceRanges } : {}),
        } };
    }
    return {
        service: {
            type: "NodePort",
            ports: [
                { name: "status-port", port: 15021, protocol: "TCP", targetPort: 15021 },
                { name: "http2", port: 80, protocol: "TCP", targetPort: INGRESS_GATEWAY_HTTP_PORT, nodePort: KIND_INGRESS_NODE_PORT },
            ],
        },
        autoscaling: { enabled: false },
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
    };
}

/**
 * An internal load balancer on AWS, whichever controller provisions it: the in-tree (cloud-provider-aws)
 * controller reads `aws-load-balancer-internal`, the AWS Load Balancer Controller
 * `aws-load-balancer-scheme` (both set; each ignores the other's).
 */
export const INTERNAL_LOAD_BALANCER = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
} as const;

/** The Gateway Seldon's operator binds every SeldonDeployment's VirtualService to (`istio.gateway`). */
export function seldonGateway(tlsSecret?: string): Gateway {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: SELDON_GATEWAY.name, namespace: SELDON_GATEWAY.namespace },
        spec: {
            selector: { istio: "ingressgateway" },
            servers: [
                { port: { number: INGRESS_GATEWAY_HTTP_PORT, name: "http", protocol: "HTTP" }, hosts: ["*"] },
                // The gateway chart's Service forwards 443 to the pods' 443 (its default ports); the
                // certificate comes from the Secret, read by the gateway from its own namespace.
                ...(tlsSecret ? [{ port: { number: 443, name: "https", protocol: "HTTPS" as const }, hosts: ["*"], tls: { mode: "SIMPLE" as const, credentialName: tlsSecret } }] : []),
            ],
        },
    };
}
