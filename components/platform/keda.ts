import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartPin, CHARTS, POD_SECURITY } from "../../lib/charts";
import { namespacedRelease } from "../../lib/helm";
import { KedaValues } from "../../lib/types/helmValues";

export interface KedaArgs {
    /** Chart version and repository. */
    pin: ChartPin;
}

/** KEDA: ScaledObjects and the external metrics API (external.metrics.k8s.io). */
export class Keda extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:platform:Keda", name, {}, opts);
        this.release = namespacedRelease(this, CHARTS.keda, args.pin, kedaValues(), POD_SECURITY.keda);
        this.registerOutputs({});
    }
}

/** The chart's defaults (100m CPU / 100Mi per component) suit kind and cloud alike. */
export function kedaValues(): KedaValues {
    return {};
}
