// The dev stack's fixed names on the laptop: one kind cluster, one stack, one state folder.
import { DEV_CLI } from "../../lib/cli";

export const DEV_STACK = {
    /** kind/cluster.yaml's `name`. */
    cluster: "scalable-serving",
    clusterConfig: "kind/cluster.yaml",
    /** The kubeconfig context kind writes for it (Pulumi.dev.yaml's kubeContext). */
    context: "kind-scalable-serving",
    /** kind's single node container, where containerd keeps the images. */
    nodeContainer: "scalable-serving-control-plane",
    stack: "dev",
    stackConfig: "Pulumi.dev.yaml",
    /** The wrapper every pulumi command goes through (lib/cli.ts). */
    cli: DEV_CLI,
} as const;
