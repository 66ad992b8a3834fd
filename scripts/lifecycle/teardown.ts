// What `npm run down:kind` does, from what it finds. Pure.
import * as path from "path";
import { DEV_STACK } from "./devStack";
import { forgetWithCluster, StateResource } from "./state";

export interface TeardownFacts {
    clusterExists: boolean;
    /** The dev stack exists in the project's state folder. */
    stackExists: boolean;
    resources: StateResource[];
}

export type TeardownStep =
    /** Remove these from the state: their cluster is gone, so nobody can delete them. */
    | { kind: "forget"; urns: string[] }
    /**
     * `pulumi destroy`: Pulumi deletes dependents first, so the SeldonDeployment (and, through Seldon,
     * its HPA or ScaledObject with KEDA's finalizer) goes while Seldon's operator and KEDA still run,
     * and the add-ons and their CRDs go last.
     */
    | { kind: "destroy" }
    | { kind: "delete-cluster" };

export function teardownSteps(f: TeardownFacts): TeardownStep[] {
    const steps: TeardownStep[] = [];
    const managed = f.resources.some(r => r.custom);
    if (f.stackExists && managed) {
        if (!f.clusterExists) {
            const urns = forgetWithCluster(f.resources);
            if (urns.length > 0) {
                steps.push({ kind: "forget", urns });
            }
        }
        // With the cluster gone, what is left lives outside it (generated keys; an AWS bucket's objects).
        steps.push({ kind: "destroy" });
    }
    if (f.clusterExists) {
        steps.push({ kind: "delete-cluster" });
    }
    return steps;
}

/** What teardown leaves on the laptop, each with how to remove it. */
export function keptAfterTeardown(f: { stackExists: boolean; modelBuilt: boolean; images: string[] }): string[] {
    const kept: string[] = [];
    if (f.stackExists) {
        kept.push("the dev stack's (now empty) state and its settings: .pulumi-state/ and Pulumi.dev.yaml. " +
            "`npm run up:kind` starts again from them; to forget the stack: `./pulumi-dev stack rm dev --preserve-config --yes && rm -rf .pulumi-state`");
    }
    if (f.modelBuilt) {
        const folder = path.posix.dirname(DEV_STACK.builtModel);
        kept.push(`the built model in ${folder}/ (the next \`up\` reuses it; \`npm run build:model\` rebuilds it): rm -r ${folder}`);
    }
    if (f.images.length > 0) {
        kept.push(`the images pulled on the host for the kind node (the next \`up\` loads them without downloading): docker image rm ${f.images.join(" ")}`);
    }
    return kept;
}
