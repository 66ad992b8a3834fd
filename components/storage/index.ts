// Storage: where the Triton model repository is kept and how the cluster reads it.
//   ModelStore           what every store offers the repository and the cluster (modelStore.ts)
//   S3ModelStore         AWS S3: private, TLS-only, encrypted, versioned bucket; read-only IAM user
//   InClusterModelStore  SeaweedFS inside the kind cluster; upload and read-only identities
//   ModelRepository      the repository's files uploaded into the store, one object per file
import * as pulumi from "@pulumi/pulumi";
import { ModelStoreSettings } from "../../config";
import { InClusterModelStore } from "./inClusterModelStore";
import { ModelStore } from "./modelStore";
import { S3ModelStore } from "./s3ModelStore";

export { InClusterModelStore } from "./inClusterModelStore";
export type { ModelStore } from "./modelStore";
export { ModelRepository } from "./modelRepository";
export { S3ModelStore } from "./s3ModelStore";

/** The store the settings choose. The in-cluster one needs the Kubernetes provider in `opts`. */
export function newModelStore(name: string, settings: ModelStoreSettings, opts: pulumi.ComponentResourceOptions): ModelStore {
    if (settings.kind === "in-cluster") {
        const { kind: _kind, ...args } = settings;
        return new InClusterModelStore(name, args, opts);
    }
    const { kind: _kind, ...args } = settings;
    return new S3ModelStore(name, args);
}
