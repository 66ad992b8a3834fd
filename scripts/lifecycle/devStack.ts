// The dev stack's fixed names on the laptop: one kind cluster, one stack, one state folder; and its
// settings as Pulumi.dev.yaml holds them.
import { parse } from "yaml";
import { DEFAULTS } from "../../config/defaults";
import { DEV_CLI, DEV_STACK_NAME } from "../../lib/cli";

export const DEV_STACK = {
    /** kind/cluster.yaml's `name`. */
    cluster: "scalable-serving",
    clusterConfig: "kind/cluster.yaml",
    /** The kubeconfig context kind writes for it (Pulumi.dev.yaml's kubeContext). */
    context: "kind-scalable-serving",
    /** kind's single node container, where containerd keeps the images. */
    nodeContainer: "scalable-serving-control-plane",
    stack: DEV_STACK_NAME,
    stackConfig: "Pulumi.dev.yaml",
    /** The wrapper every pulumi command goes through (lib/cli.ts). */
    cli: DEV_CLI,
    /** The exported model: when it is there, the model is built. */
    builtModel: "model/cifar10-model/cifar10-pytorch/1/model.ts",
    /** Where up:kind writes the model build's output while the images come (git-ignored). */
    modelBuildLog: ".cache/model-build.log",
} as const;

/** The project's config namespace in stack files (Pulumi.yaml's `name`). */
const PROJECT = "scalable-serving";

/** A setting of the dev stack from its stack config file's text, or the program's default. */
export function devStackSetting<K extends keyof typeof DEFAULTS>(stackConfigYaml: string, key: K): string {
    const config = ((parse(stackConfigYaml) ?? {}).config ?? {}) as Record<string, unknown>;
    return String(config[`${PROJECT}:${key}`] ?? DEFAULTS[key]);
}
