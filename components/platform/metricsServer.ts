import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterFlavour } from "../../config";
import { ChartPin, CHARTS } from "../../lib/charts";
import { releaseArgs } from "../../lib/helm";
import { MetricsServerValues } from "../../lib/types/helmValues";

export interface MetricsServerArgs {
    flavour: ClusterFlavour;
    /** Chart version and repository. */
    pin: ChartPin;
}

/** metrics-server: the resource metrics API (metrics.k8s.io) that CPU-based HPAs read. */
export class MetricsServer extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:platform:MetricsServer", name, {}, opts);
        // kube-system always exists: no namespace to create.
        this.release = new k8s.helm.v3.Release(CHARTS.metricsServer.release,
            releaseArgs(CHARTS.metricsServer, args.pin, metricsServerValues(args.flavour), CHARTS.metricsServer.namespace),
            { parent: this });
        this.registerOutputs({});
    }
}

export function metricsServerValues(flavour: ClusterFlavour): MetricsServerValues {
    // kind's kubelets serve self-signed certificates. Never skip verification on a real cluster.
    return flavour === "kind" ? { args: ["--kubelet-insecure-tls"] } : {};
}
