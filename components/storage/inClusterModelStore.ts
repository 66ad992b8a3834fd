import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ModelStoreSettings } from "../../config";
import { CHARTS, KIND_MODEL_STORE_HOST_PORT, KIND_MODEL_STORE_NODE_PORT, MODEL_STORE_S3_PORT, POD_SECURITY } from "../../lib/charts";
import { namespaceArgs, releaseArgs } from "../../lib/helm";
import { KIND_POD_SUBNET, modelStorePodLabels } from "../../lib/flows";
import { ModelStore } from "./modelStore";
import { SeaweedfsValues } from "../../lib/types/helmValues";
import { SeaweedfsS3Config } from "../../lib/types/seaweedfs";

/** The in-cluster store's settings (config/types.ts), and how long the uploads wait for its S3 endpoint. */
export type InClusterModelStoreArgs = Omit<Extract<ModelStoreSettings, { kind: "in-cluster" }>, "kind"> & { readyTimeoutSeconds?: number };

/** The Service in front of SeaweedFS's S3 port: a fixed nodePort for the host, a stable in-cluster name. */
export const MODEL_STORE_SERVICE = "model-store-s3";
/** A region for the S3 clients; SeaweedFS accepts any. */
export const MODEL_STORE_REGION = "us-east-1";

/**
 * An S3-compatible model store inside the cluster (SeaweedFS, one pod, persistent volume), so the
 * local stack needs no cloud account. Two identities: one that uploads from the host, one that the
 * cluster reads with.
 */
export class InClusterModelStore extends pulumi.ComponentResource implements ModelStore {
    public readonly bucketName: pulumi.Output<string>;
    public readonly uploadProvider: aws.Provider;
    public readonly uploadsAfter: pulumi.Resource[];
    public readonly reader: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    public readonly rclone: { provider: string; region: string; endpoint: string };

    constructor(name: string, args: InClusterModelStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:storage:InClusterModelStore", name, {}, opts);
        const { namespace } = CHARTS.modelStore;

        // Generated once, kept in the stack's state as secrets: the same keys on every run.
        const uploader = accessKeyPair(`${name}-uploader`, this);
        const reader = accessKeyPair(`${name}-reader`, this);

        // Outside the mesh: the host and the storage initializer talk plain S3 to it.
        const ns = new k8s.core.v1.Namespace(namespace, namespaceArgs(namespace, POD_SECURITY.modelStore, { "istio-injection": "disabled" }), { parent: this });
        const identities = new k8s.core.v1.Secret(`${name}-identities`, {
            metadata: { name: `${name}-s3-identities`, namespace: ns.metadata.name },
            type: "Opaque",
            stringData: {
                seaweedfs_s3_config: pulumi.secret(pulumi.all([uploader.accessKeyId, uploader.secretAccessKey, reader.accessKeyId, reader.secretAccessKey])
                    .apply(([uk, us, rk, rs]) => JSON.stringify(seaweedfsIdentities(args.bucketName,
                        { accessKey: uk, secretKey: us }, { accessKey: rk, secretKey: rs })))),
            },
        }, { parent: this });

        // Before the pod starts: no moment in which another pod could reach it.
        const policy = args.networkPolicy
            ? [new k8s.networking.v1.NetworkPolicy(`${MODEL_STORE_SERVICE}-access`, modelStoreNetworkPolicy(args.readerNamespace),
                { parent: this, dependsOn: [ns] })]
            : [];

        // The pod mounts the identities Secret: it must exist first.
        const release = new k8s.helm.v3.Release(CHARTS.modelStore.release,
            releaseArgs(CHARTS.modelStore, args.pin, seaweedfsValues(args.bucketName, `${name}-s3-identities`, args.size), ns.metadata.name),
            { parent: this, dependsOn: [identities, ...policy] });

        const service = new k8s.core.v1.Service(MODEL_STORE_SERVICE, modelStoreService(), { parent: this, dependsOn: [ns] });

        // The chart's readiness probe watches the master port, not S3: wait for S3 itself, from the host,
        // and for an answer only this store can give (a listing of its bucket signed with the uploader's
        // key), not any 2xx from whatever listens on 127.0.0.1:8333.
        const ready = new command.local.Command(`${name}-s3-ready`, {
            create: "node --import tsx probes/wait-for-http.ts",
            environment: {
                WAIT_URL: `http://127.0.0.1:${KIND_MODEL_STORE_HOST_PORT}/healthz`,
                WAIT_TIMEOUT_SECONDS: String(args.readyTimeoutSeconds ?? 300),
                WAIT_S3_BUCKET: args.bucketName,
                WAIT_S3_REGION: MODEL_STORE_REGION,
            },
            // The key on standard input (a secret in the state), not in the environment, which the
            // process's children would inherit and the policy pack refuses for credentials.
            stdin: pulumi.secret(pulumi.all([uploader.accessKeyId, uploader.secretAccessKey])
                .apply(([accessKeyId, secretAccessKey]) => JSON.stringify({ accessKeyId, secretAccessKey }))),
        }, { parent: this, dependsOn: [release, service] });

        this.uploadProvider = new aws.Provider(`${name}-s3`, {
            region: MODEL_STORE_REGION,
            accessKey: uploader.accessKeyId,
            secretKey: uploader.secretAccessKey,
            endpoints: [{ s3: `http://127.0.0.1:${KIND_MODEL_STORE_HOST_PORT}` }],
            s3UsePathStyle: true,
            // Not AWS: no STS, no account id, no instance metadata, no region list.
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: true,
            skipRegionValidation: true,
        }, { parent: this });

        // The chart's post-install hook creates the bucket (aws.s3.Bucket cannot: it calls the S3
        // Control API, which self-hosted stores do not implement).
        this.bucketName = pulumi.output(args.bucketName);
        this.uploadsAfter = [ready];
        this.reader = { accessKeyId: reader.accessKeyId, secretAccessKey: reader.secretAccessKey };
        this.rclone = {
            provider: "SeaweedFS",
            region: MODEL_STORE_REGION,
            endpoint: `http://${MODEL_STORE_SERVICE}.${namespace}.svc.cluster.local:${MODEL_STORE_S3_PORT}`,
        };
        this.registerOutputs({ bucketName: this.bucketName });
    }
}

/** An S3 access key pair, generated once (random), both halves secret. */
function accessKeyPair(name: string, parent: pulumi.Resource) {
    const id = new random.RandomString(`${name}-access-key-id`, { length: 20, special: false, lower: false }, { parent });
    const secret = new random.RandomPassword(`${name}-secret-access-key`, { length: 40, special: false }, { parent });
    // Both halves secret whatever the provider marks (a mocked RandomPassword marks nothing).
    return { accessKeyId: pulumi.secret(id.result), secretAccessKey: pulumi.secret(secret.result) };
}

/** The uploader may do anything with the bucket, the reader only list and read it; nothing else exists. */
export function seaweedfsIdentities(bucket: string, uploader: { accessKey: string; secretKey: string },
    reader: { accessKey: string; secretKey: string }): SeaweedfsS3Config {
    return {
        identities: [
            { name: "model-uploader", credentials: [uploader], actions: [`Admin:${bucket}`] },
            { name: "model-reader", credentials: [reader], actions: [`Read:${bucket}`, `List:${bucket}`] },
        ],
    };
}

/** One pod (master, volume, filer and S3 together) on a PersistentVolumeClaim, with authenticated S3. */
export function seaweedfsValues(bucket: string, identitiesSecret: string, size: string): SeaweedfsValues {
    return {
        // Otherwise the distributed layout runs next to the all-in-one pod.
        master: { enabled: false },
        volume: { enabled: false },
        filer: { enabled: false },
        allInOne: {
            enabled: true,
            // Not the default emptyDir: a restart would empty the bucket while Pulumi still lists its objects.
            data: { type: "persistentVolumeClaim", size },
            s3: {
                enabled: true,
                port: MODEL_STORE_S3_PORT,
                enableAuth: true,
                existingConfigSecret: identitiesSecret,
                createBuckets: [{ name: bucket }],
            },
            resources: { requests: { cpu: "100m", memory: "256Mi" } },
        },
    };
}

/** The S3 port of the all-in-one pod on a fixed nodePort. */
export function modelStoreService(): k8s.core.v1.ServiceArgs {
    const { namespace } = CHARTS.modelStore;
    return {
        metadata: { name: MODEL_STORE_SERVICE, namespace },
        spec: {
            type: "NodePort",
            selector: modelStorePodLabels(),
            ports: [{ name: "s3", port: MODEL_STORE_S3_PORT, targetPort: MODEL_STORE_S3_PORT, nodePort: KIND_MODEL_STORE_NODE_PORT, protocol: "TCP" }],
        },
    };
}

/**
 * Who may reach the store, flow by flow in lib/flows.ts (tests/flows.test.ts evaluates them under
 * kind's kube-network-policies and the API's standard reading):
 * - its own namespace (the chart's bucket hook) on any port;
 * - the models' namespace (Seldon's storage initializer, with the read-only identity) on S3 only;
 * - any address outside the pod subnet on S3 only: the host's uploads and the /healthz gate. kind's
 *   CNI evaluates policies before kube-proxy's masquerade (kube-network-policies v0.8.0, postrouting at
 *   srcnat - 5), so they arrive from Docker's bridge gateway, not from the node, and only an ipBlock
 *   can admit a source that is not a pod. The pod subnet is excepted, so no pod gets in this way.
 * The kubelet's probes pass on their own (root-owned sockets on the node are exempt). No other pod can
 * reach the store, so none can overwrite the models with a key it found. A CNI that enforces
 * NetworkPolicy is needed: kindnet does since kind v0.24 (docs/security.md).
 */
export function modelStoreNetworkPolicy(readerNamespace: string, podSubnet: string = KIND_POD_SUBNET): k8s.networking.v1.NetworkPolicyArgs & { spec: k8s.types.input.networking.v1.NetworkPolicySpec } {
    const s3Only = [{ port: MODEL_STORE_S3_PORT, protocol: "TCP" }];
    return {
        metadata: { name: `${MODEL_STORE_SERVICE}-access`, namespace: CHARTS.modelStore.namespace },
        spec: {
            podSelector: { matchLabels: modelStorePodLabels() },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: {} }] },
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": readerNamespace } } }], ports: s3Only },
                { from: [{ ipBlock: { cidr: "0.0.0.0/0", except: [podSubnet] } }], ports: s3Only },
            ],
        },
    };
}
