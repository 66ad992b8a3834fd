import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterFlavour } from "../../config";
import { ChartPin, CHARTS, POD_SECURITY, SELDON_GATEWAY } from "../../lib/charts";
import { namespacedRelease } from "../../lib/helm";
import { SeldonCoreOperatorValues } from "../../lib/types/helmValues";

export interface SeldonCoreArgs {
    flavour: ClusterFlavour;
    /** Chart version and repository. */
    pin: ChartPin;
    /** Whether KEDA is in the cluster: the operator then turns kedaSpecs into ScaledObjects. */
    kedaEnabled: boolean;
    /**
     * Releases whose CRDs the operator watches from its start: Istio's (istio.enabled: VirtualServices)
     * and KEDA's (keda.enabled: ScaledObjects). Empty when the cluster already has them.
     */
    crdsFrom: pulumi.Resource[];
}

/** The Seldon Core v1 operator, routing through Istio. */
export class SeldonCore extends pulumi.ComponentResource {
    public readonly operator: k8s.helm.v3.Release;

    constructor(name: string, args: SeldonCoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:platform:SeldonCore", name, {}, opts);
        this.operator = namespacedRelease(this, CHARTS.seldonCore, args.pin,
            seldonCoreValues(args.flavour, args.kedaEnabled), POD_SECURITY.seldonCore, args.crdsFrom);
        this.registerOutputs({});
    }
}

export function seldonCoreValues(flavour: ClusterFlavour, kedaEnabled: boolean): SeldonCoreOperatorValues {
    const values: SeldonCoreOperatorValues = {
        istio: { enabled: true, gateway: `${SELDON_GATEWAY.namespace}/${SELDON_GATEWAY.name}` },
        // Off, a kedaSpec would be ignored silently (and no HPA created either).
        keda: { enabled: kedaEnabled },
        usageMetrics: { enabled: false },
    };
    if (flavour === "kind") {
        // The executor requests 500m CPU / 512Mi per model pod by default: too much for a laptop.
        values.executor = { resources: { cpuRequest: "100m", memoryRequest: "128Mi", cpuLimit: "500m", memoryLimit: "512Mi" } };
    }
    return values;
}
