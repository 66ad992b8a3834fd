// Every network connection the running system needs, and the ones it must refuse: one table, so that
// a restriction (a NetworkPolicy today, more later) is checked against what must still get through
// before it ships. tests/flows.test.ts evaluates this table against the NetworkPolicies the program
// renders, under the rules of the CNI the dev stack pins and under the API's standard reading; the
// upstream tier does the same on what the charts render. Pure data.
import { CHARTS, INGRESS_GATEWAY_HTTP_PORT, INGRESS_SERVICE, KIND_INGRESS_HOST_PORT, KIND_INGRESS_NODE_PORT, KIND_MODEL_STORE_HOST_PORT, KIND_MODEL_STORE_NODE_PORT, MODEL_STORE_S3_PORT } from "./charts";

/**
 * kind's pod subnet: kind v0.29.0 defaults it to 10.244.0.0/16 (pkg/internal/apis/config/default.go,
 * `obj.Networking.PodSubnet = "10.244.0.0/16"`); kind/cluster.yaml pins it, so the store's policy can
 * tell pods (this range) from the host (any other source).
 */
export const KIND_POD_SUBNET = "10.244.0.0/16";

/**
 * The all-in-one SeaweedFS pod's ports (seaweedfs chart 4.44.0 values.yaml: master 9333/19333,
 * volume 8080/18080, filer 8888/18888; S3 on the program's 8333). Probes go to the master port
 * (templates/all-in-one/all-in-one-deployment.yaml, readinessProbe/livenessProbe `port: master.port`).
 */
export const MODEL_STORE_PORTS = { master: 9333, masterGrpc: 19333, volume: 8080, volumeGrpc: 18080, filer: 8888, filerGrpc: 18888, s3: MODEL_STORE_S3_PORT } as const;

export type Labels = Record<string, string>;

/** Where a connection starts. */
export type FlowSource =
    /**
     * A program on the Docker host (your laptop, the CI runner) through a port kind publishes: Docker
     * forwards it into the node from its bridge gateway (e.g. 172.18.0.1), not from a pod.
     */
    | { kind: "host"; hostPort: number; nodePort: number }
    /**
     * A root-owned process on a node itself: the kubelet's probes, and on kind the API server (a static
     * pod on the control-plane node's network) when it proxies to a Service.
     */
    | { kind: "kubelet" }
    /** A pod, by its namespace and labels. */
    | { kind: "pod"; namespace: string; labels: Labels; what: string };

/** Where a connection ends: a pod port, by namespace, labels and port. */
export interface FlowTarget {
    namespace: string;
    labels: Labels;
    port: number;
    /** The port's name on the pod, when it has one (a policy may name it). */
    portName?: string;
    /** When the connection is made to a node port rather than straight to the pod (kube-proxy DNATs it). */
    viaNodePort?: number;
    what: string;
}

export interface Flow {
    name: string;
    from: FlowSource;
    to: FlowTarget;
    /** What must happen to it. */
    expect: "allow" | "refuse";
    /**
     * Where the verdict is guaranteed: everywhere, or only under the dev stack's CNI (kind's
     * kube-network-policies). Some refusals cannot be promised by the NetworkPolicy API alone.
     */
    guaranteed: "everywhere" | "kind";
    why: string;
}

/** What the table depends on. */
export interface FlowSettings {
    /** The models' namespace (Seldon's model pods, the storage initializer, the load-test Job). */
    modelNamespace: string;
    /** Whether the in-cluster model store runs (kind, modelStore in-cluster). */
    inClusterStore: boolean;
    /** The SeldonDeployment's name (the load-test Job is `<name>-loadtest`). */
    deploymentName: string;
    /** Whether the in-cluster load-test Job runs. */
    loadTest: boolean;
    /** Whether KEDA scales the model on Prometheus. */
    keda: boolean;
}

/** The SeaweedFS all-in-one pod's labels (the chart's; checked against `helm template` in the upstream tier). */
export function modelStorePodLabels(): Labels {
    const { release, chart } = CHARTS.modelStore;
    return { "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "seaweedfs-all-in-one" };
}

/** The chart's post-install bucket hook Job's pod (templates/shared/post-install-bucket-hook.yaml). */
export function modelStoreBucketHookLabels(): Labels {
    const { release, chart } = CHARTS.modelStore;
    return { "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "bucket-hook" };
}

/** Istio's agent's status port, where the injector sends rewritten HTTP probes (istiod chart 1.30.3 values.yaml:408). */
export const ISTIO_STATUS_PORT = 15020;
/** Triton's HTTP port under Seldon 1.17.1 (`--http-port=9000`, FACTS §11), named `http`. */
export const TRITON_HTTP_PORT = 9000;

/** A Seldon model pod: the operator labels every pod it manages (the program's PodMonitor selects on it). */
export const SELDON_MODEL_POD: Labels = { "app.kubernetes.io/managed-by": "seldon-core" };

/** The ingress gateway's pods: the gateway chart labels them after the release (FACTS §3). */
export const INGRESS_GATEWAY_POD: Labels = { app: CHARTS.istioGateway.release, istio: "ingressgateway" };

/** Prometheus's pods, made by the operator from the `Prometheus` resource (`app.kubernetes.io/name: prometheus`). */
export const PROMETHEUS_POD: Labels = { "app.kubernetes.io/name": "prometheus" };

/** KEDA's operator, which queries Prometheus for every ScaledObject (keda chart: `app: keda-operator`). */
export const KEDA_OPERATOR_POD: Labels = { app: "keda-operator" };

/** A Job's pods carry the Job controller's `job-name` label. */
export function jobPodLabels(job: string): Labels {
    return { "job-name": job };
}

/** A pod the system does not run, in a namespace it does not use: what an intruder would be. */
export const OTHER_POD: FlowSource = { kind: "pod", namespace: "default", labels: { app: "someone-else" }, what: "a pod in another namespace" };

/** Every connection the system needs (expect allow) and must refuse, for these settings. */
export function runtimeFlows(s: FlowSettings): Flow[] {
    const models = s.modelNamespace;
    const storeNs = CHARTS.modelStore.namespace;
    const modelPod = (what: string): FlowSource => ({ kind: "pod", namespace: models, labels: SELDON_MODEL_POD, what });
    const gateway = (port: number, viaNodePort?: number): FlowTarget =>
        ({ namespace: INGRESS_SERVICE.namespace, labels: INGRESS_GATEWAY_POD, port, viaNodePort, what: "the Istio ingress gateway" });
    const model = (port: number, what: string): FlowTarget => ({ namespace: models, labels: SELDON_MODEL_POD, port, what });
    const store = (port: number, viaNodePort?: number): FlowTarget =>
        ({ namespace: storeNs, labels: modelStorePodLabels(), port, viaNodePort, what: `the model store's port ${port}` });
    const flows: Flow[] = [
        {
            name: "host → model endpoint (smoke test, curl, the load test from the laptop)",
            from: { kind: "host", hostPort: KIND_INGRESS_HOST_PORT, nodePort: KIND_INGRESS_NODE_PORT },
            to: gateway(INGRESS_GATEWAY_HTTP_PORT, KIND_INGRESS_NODE_PORT), expect: "allow", guaranteed: "everywhere",
            why: `kind/cluster.yaml maps 127.0.0.1:${KIND_INGRESS_HOST_PORT} to the gateway's nodePort; its Envoy listens on ${INGRESS_GATEWAY_HTTP_PORT}`,
        },
        {
            name: "ingress gateway → model pod (Seldon's executor)",
            from: { kind: "pod", namespace: INGRESS_SERVICE.namespace, labels: INGRESS_GATEWAY_POD, what: "the ingress gateway" },
            to: model(8000, "the executor's HTTP port"), expect: "allow", guaranteed: "everywhere",
            why: "Seldon's VirtualService routes /seldon/<ns>/<sdep>/ to the executor on 8000",
        },
        {
            name: "Prometheus → executor metrics",
            from: { kind: "pod", namespace: CHARTS.monitoring.namespace, labels: PROMETHEUS_POD, what: "Prometheus" },
            to: model(8000, "the executor's /prometheus"), expect: "allow", guaranteed: "everywhere",
            why: "the PodMonitor's first endpoint",
        },
        {
            name: "Prometheus → Triton metrics",
            from: { kind: "pod", namespace: CHARTS.monitoring.namespace, labels: PROMETHEUS_POD, what: "Prometheus" },
            to: model(8002, "Triton's /metrics"), expect: "allow", guaranteed: "everywhere",
            why: "the PodMonitor's second endpoint (the queue signal)",
        },
        {
            // kubectl port-forward is carried by the API server to the kubelet, and the container runtime
            // (root, on the node) connects inside the pod: the path of the smoke test to an internal gateway.
            name: "kubectl port-forward → ingress gateway (the smoke test with ingressExposure internal)",
            from: { kind: "kubelet" }, to: gateway(INGRESS_GATEWAY_HTTP_PORT), expect: "allow", guaranteed: "everywhere",
            why: "an internal load balancer is not reachable from where pulumi runs",
        },
        // Triton's three probes (lib/triton.ts tritonProbes). In the models' namespace Istio's injector
        // rewrites HTTP probes to its agent's status port (istiod chart 1.30.3 values.yaml:149
        // rewriteAppHTTPProbe true, :408 statusPort 15020; the port is left out of the proxy's inbound
        // capture, files/injection-template.yaml:58), which calls Triton on the pod's loopback. Without
        // injection kubelet calls Triton's http port, 9000, itself: both must get through.
        ...([["startup", "/v2/health/ready", "a new replica's readiness waits for it; 300 s of failures restart Triton"],
            ["readiness", "/v2/health/ready", "readiness gates the smoke test and every scale-up"],
            ["liveness", "/v2/health/live", "a Triton that stops answering is restarted"]] as const).flatMap(([probe, path, why]): Flow[] => [
            { name: `kubelet → model pod ${probe} probe (Istio's agent, ${path})`, from: { kind: "kubelet" }, to: model(ISTIO_STATUS_PORT, `Istio's agent relaying ${path}`),
                expect: "allow", guaranteed: "everywhere", why },
            { name: `kubelet → model pod ${probe} probe (Triton, ${path})`, from: { kind: "kubelet" }, to: { ...model(TRITON_HTTP_PORT, `Triton's ${path}`), portName: "http" },
                expect: "allow", guaranteed: "everywhere", why },
        ]),
    ];
    // The load test's --watch reads each new replica's first request from Prometheus through the API
    // server's service proxy (loadtest/firstServed.ts): the API server connects to Prometheus's pod.
    flows.push({
        name: "API server's service proxy → Prometheus (the load test's --watch, first requests)",
        from: { kind: "kubelet" }, to: { namespace: CHARTS.monitoring.namespace, labels: PROMETHEUS_POD, port: 9090, what: "Prometheus's API" },
        expect: "allow", guaranteed: "everywhere", why: "without it the report cannot say when each new replica served its first request",
    });
    if (s.keda) {
        flows.push({
            name: "KEDA → Prometheus",
            from: { kind: "pod", namespace: CHARTS.keda.namespace, labels: KEDA_OPERATOR_POD, what: "KEDA's operator" },
            to: { namespace: CHARTS.monitoring.namespace, labels: PROMETHEUS_POD, port: 9090, what: "Prometheus's API" },
            expect: "allow", guaranteed: "everywhere", why: "the trigger's query, at every HPA sync",
        });
    }
    if (s.loadTest) {
        flows.push({
            name: "load-test Job → ingress gateway",
            from: { kind: "pod", namespace: models, labels: jobPodLabels(`${s.deploymentName}-loadtest`), what: "the load-test Job" },
            to: gateway(INGRESS_GATEWAY_HTTP_PORT), expect: "allow", guaranteed: "everywhere", why: "the Job loads the gateway Service from inside the cluster",
        });
    }
    if (s.inClusterStore) {
        const hostToStore = { kind: "host", hostPort: KIND_MODEL_STORE_HOST_PORT, nodePort: KIND_MODEL_STORE_NODE_PORT } as const;
        flows.push(
            {
                name: "host → store S3 (pulumi up's uploads and its /healthz gate)",
                from: hostToStore, to: store(MODEL_STORE_S3_PORT, KIND_MODEL_STORE_NODE_PORT), expect: "allow", guaranteed: "everywhere",
                why: "kind/cluster.yaml maps 127.0.0.1:8333 to the store's nodePort; without it the first up times out at the gate",
            },
            {
                name: "kubelet → store probes (master port)",
                from: { kind: "kubelet" }, to: store(MODEL_STORE_PORTS.master), expect: "allow", guaranteed: "everywhere",
                why: "the chart's readiness and liveness probes",
            },
            {
                name: "storage initializer → store S3",
                from: modelPod("Seldon's storage initializer (rclone)"), to: store(MODEL_STORE_S3_PORT), expect: "allow", guaranteed: "everywhere",
                why: "every model pod downloads the model before Triton starts",
            },
            ...[MODEL_STORE_PORTS.master, MODEL_STORE_PORTS.filer].map((port): Flow => ({
                name: `bucket hook → store ${port}`,
                from: { kind: "pod", namespace: storeNs, labels: modelStoreBucketHookLabels(), what: "the chart's bucket hook" },
                to: store(port), expect: "allow", guaranteed: "everywhere",
                why: "the chart's post-install Job creates the bucket with `weed shell` (master and filer)",
            })),
            ...(["master", "masterGrpc", "volume", "volumeGrpc", "filer", "filerGrpc"] as const).map((port): Flow => ({
                name: `models' namespace → store ${port} (${MODEL_STORE_PORTS[port]})`,
                from: modelPod("a model pod"), to: store(MODEL_STORE_PORTS[port]), expect: "refuse", guaranteed: "everywhere",
                why: "unauthenticated filer, master and volume APIs: only S3 (keys required) is for readers",
            })),
            ...(["master", "volume", "filer", "s3"] as const).map((port): Flow => ({
                name: `another namespace → store ${port} (${MODEL_STORE_PORTS[port]})`,
                from: OTHER_POD, to: store(MODEL_STORE_PORTS[port]), expect: "refuse", guaranteed: "everywhere",
                why: "nothing outside the store's and the models' namespaces needs the store",
            })),
            {
                name: "another namespace → store S3 through the node port",
                from: OTHER_POD, to: store(MODEL_STORE_S3_PORT, KIND_MODEL_STORE_NODE_PORT), expect: "refuse", guaranteed: "kind",
                why: "on kind the policy sees the pod's own address (evaluated before kube-proxy's masquerade); a CNI that " +
                    "evaluates after the masquerade sees the node, which the API always allows: there the S3 keys are the guard",
            },
        );
    }
    return flows;
}
