// Every Helm release the program installs, rendered by real Helm (pinned) with exactly the values,
// release name, namespace and chart version the program passes, in every configuration; every object
// validated strictly; every values key read by its chart; and the wiring checked on both sides.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { DASHBOARD_LABEL, PROMETHEUS_DATASOURCE_UID } from "../../components/serving/dashboard";
import { CHARTS, GRAFANA_SERVICE, INGRESS_SERVICE, KIND_INGRESS_HOST_PORT, KIND_INGRESS_NODE_PORT, KIND_MODEL_STORE_HOST_PORT, KIND_MODEL_STORE_NODE_PORT, MODEL_STORE_S3_PORT, SELDON_GATEWAY } from "../../lib/charts";
import { DEFAULTS } from "../../config";
import { parseQuantity } from "../../lib/quantity";
import { normaliseImage, seldonImages } from "../../scripts/lifecycle/images";
import { DEV_STACK_SIZING } from "../../scripts/sizing";
import { INGRESS_GATEWAY_POD, KEDA_OPERATOR_POD, modelStoreBucketHookLabels, modelStorePodLabels, runtimeFlows } from "../../lib/flows";
import { NetworkPolicyObject } from "../flows/enforcement";
import { clusterOf, flowProblems } from "../flows/world";
import { ROOT, runProcess } from "../harness";
import { CONFIGURATIONS, programObjects, RenderedConfiguration, renderAll } from "./configurations";
import { helm, HELM_VERSION, kindKubernetesVersion, RenderedObject } from "./helm";
import { CrdValidators, crdValidators, modelClass, validateObject } from "./schema";

/** The add-on (setting) whose chart installs each custom resource group the program uses. */
const CRD_ADDONS: Record<string, string> = {
    "machinelearning.seldon.io": "seldonCore",
    "networking.istio.io": "istio",
    "monitoring.coreos.com": "monitoring",
    "keda.sh": "keda",
};
import { chartSource, leafPaths, unreadKey } from "./valuesKeys";

const KIND = "kind, in-cluster store, hpa";
const KEDA = "kind, in-cluster store, keda on the queue, Grafana, no store policy";
const CLOUD = "cloud, aws-s3, keda, restricted ingress";

/** The one object of a kind and name among a configuration's rendered releases and program objects. */
function find(config: RenderedConfiguration, kind: string, name: string, namespace?: string): RenderedObject {
    const all = [...config.releases.flatMap(r => r.objects.map(o => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? r.namespace } }))),
        ...programObjects(config)];
    const found = all.filter(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
    assert.strictEqual(found.length, 1, `expected one ${kind} ${namespace ?? "*"}/${name}, found ${found.length} (${kind}s: ${all.filter(o => o.kind === kind).map(o => `${o.metadata.namespace}/${o.metadata.name}`).join(", ")})`);
    return found[0];
}

const podLabels = (workload: RenderedObject): Record<string, string> => workload.spec.template.metadata.labels ?? {};
const containers = (workload: RenderedObject): any[] => workload.spec.template.spec.containers;
const includes = (labels: Record<string, string>, selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("Helm renders every chart the program installs", function () {
    this.timeout(600000);
    let rendered: Record<string, RenderedConfiguration>;

    before(async () => {
        rendered = await renderAll();
    });

    it(`uses Helm ${HELM_VERSION} (or an accepted one on PATH), and the kind node's Kubernetes version`, async () => {
        const version = await runProcess(helm(), ["version", "--short"]);
        assert.match(version.stdout, /^v(3\.17\.|4\.1\.)/);
        assert.strictEqual(kindKubernetesVersion(), "1.33.1");
    });

    for (const name of Object.keys(CONFIGURATIONS)) {
        it(`${name}: every release renders`, () => {
            const config = rendered[name];
            assert.ok(config.releases.length > 0 || name.includes("existing"), "no release rendered");
            for (const release of config.releases) {
                assert.ok(release.objects.length > 0, `${release.name} rendered nothing`);
                for (const o of release.objects) {
                    assert.ok(o.apiVersion && o.kind && o.metadata?.name, `${release.name}: an object without apiVersion, kind or name`);
                }
            }
        });
    }

    describe("every object is valid against the Kubernetes schema and the charts' CRDs, strictly", () => {
        let crds: CrdValidators;
        before(() => {
            crds = crdValidators(Object.values(rendered).flatMap(c => c.releases.flatMap(r => r.objects.filter(o => o.kind === "CustomResourceDefinition"))));
        });

        it("the charts serve the CRDs of every custom resource the program creates", () => {
            for (const key of ["machinelearning.seldon.io/v1/SeldonDeployment", "networking.istio.io/v1/Gateway", "monitoring.coreos.com/v1/PodMonitor", "keda.sh/v1alpha1/ScaledObject"]) {
                assert.ok(crds.has(key), `no CRD serves ${key}`);
            }
        });

        it("the validator rejects unknown fields, wrong types and values outside an enum (it can fail)", async () => {
            const gateway = programObjects(rendered["kind, in-cluster store, hpa"]).find(o => o.kind === "Gateway")!;
            const misspelt = { ...gateway, spec: { selectr: gateway.spec.selector, servers: gateway.spec.servers } };
            assert.match((await validateObject(misspelt, crds)).join("\n"), /must NOT have additional properties: selectr/);
            const service = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { type: "Nodeport", selectr: {}, ports: [{ port: "80" }] } };
            const problems = (await validateObject(service, crds)).join("\n");
            assert.match(problems, /\.spec\.selectr is not a field of/);
            assert.match(problems, /\.spec\.ports\[0\]\.port must be a number/);
            assert.match(problems, /spec\/type must be equal to one of the allowed values/);
            assert.match((await validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, crds)).join(), /no schema/);
        });

        for (const name of Object.keys(CONFIGURATIONS)) {
            it(`${name}: the program's own objects`, async () => {
                const problems = (await Promise.all(programObjects(rendered[name]).map(o => validateObject(o, crds)))).flat();
                assert.deepStrictEqual(problems, []);
            });
            it(`${name}: every object the charts render`, async () => {
                const problems = (await Promise.all(rendered[name].releases.flatMap(r => r.objects.map(o => validateObject(o, crds))))).flat();
                assert.deepStrictEqual(problems, []);
            });
            it(`${name}: each custom resource kind comes from a chart installed here, or from an add-on set to existing`, () => {
                const config = rendered[name];
                const served = new Set(config.releases.flatMap(r => r.objects.filter(o => o.kind === "CustomResourceDefinition"))
                    .flatMap(crd => crd.spec.versions.map((v: { name: string }) => `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`)));
                for (const o of programObjects(config).filter(o => !modelClass(o.apiVersion, o.kind))) {
                    const key = `${o.apiVersion}/${o.kind}`;
                    // Which add-on brings the CRD; when it is `existing`, the cluster must have it (README).
                    const addon = CRD_ADDONS[o.apiVersion.split("/")[0]];
                    assert.ok(addon, `${key}: no add-on is known to bring this custom resource's CRD`);
                    assert.ok(served.has(key) || CONFIGURATIONS[name][addon] === "existing",
                        `${key} is created but neither an installed chart serves it nor is ${addon} set to existing`);
                }
            });
        }
    });

    describe("every values key the program sets is read by its chart", () => {
        for (const name of Object.keys(CONFIGURATIONS)) {
            it(name, async () => {
                const problems: string[] = [];
                for (const release of rendered[name].releases) {
                    const source = await chartSource(release.chartFile);
                    for (const key of leafPaths(release.values).filter(k => k.length > 0)) {
                        const problem = unreadKey(source, key);
                        if (problem) {
                            problems.push(`${release.chart} ${release.version} (release ${release.name}): ${problem}`);
                        }
                    }
                }
                assert.deepStrictEqual(problems, []);
            });
        }

        it("a misspelt key fails, naming chart, key and the nearest real key (it can fail)", async () => {
            const keda = rendered["kind, in-cluster store, hpa"].releases.find(r => r.chart === "seaweedfs")!;
            const source = await chartSource(keda.chartFile);
            assert.match(unreadKey(source, ["allInOne", "s3", "enableAuthh"])!, /allInOne\.s3\.enableAuthh is not read by the chart: allInOne\.s3 has no enableAuthh \(nearest: allInOne\.s3\.enableAuth\)/);
            assert.strictEqual(unreadKey(source, ["allInOne", "s3", "enableAuth"]), undefined);
            // A bundled subchart's own keys count as read under its name, and only those.
            const monitoring = rendered[KIND].releases.find(r => r.chart === CHARTS.monitoring.chart)!;
            const stack = await chartSource(monitoring.chartFile);
            assert.strictEqual(unreadKey(stack, ["grafana", "resources", "requests", "cpu"]), undefined);
            assert.match(unreadKey(stack, ["grafana", "resourcez"])!, /grafana\.resourcez is not read by the chart/);
        });
    });

    describe("wiring checked on what the charts render, both sides named", () => {
        it("the seldon-gateway Gateway selects the ingress gateway's pods", () => {
            const gateway = find(rendered[KIND], "Gateway", SELDON_GATEWAY.name, SELDON_GATEWAY.namespace);
            const pods = podLabels(find(rendered[KIND], "Deployment", CHARTS.istioGateway.release, CHARTS.istioGateway.namespace));
            assert.ok(includes(pods, gateway.spec.selector), `Gateway selector ${JSON.stringify(gateway.spec.selector)} (lib/charts.ts, components/platform/istio.ts) ` +
                `does not match the gateway chart's pod labels ${JSON.stringify(pods)}`);
        });

        it("kind: the gateway Service the program names serves port 80 on the nodePort that kind/cluster.yaml maps to the host", () => {
            const service = find(rendered[KIND], "Service", INGRESS_SERVICE.name, INGRESS_SERVICE.namespace);
            const http = service.spec.ports.find((p: any) => p.port === 80);
            assert.ok(http, `the gateway chart's Service has no port 80: ${JSON.stringify(service.spec.ports)}`);
            assert.strictEqual(http.nodePort, KIND_INGRESS_NODE_PORT, `Service nodePort ${http.nodePort} ≠ the program's KIND_INGRESS_NODE_PORT`);
            const gateway = find(rendered[KIND], "Gateway", SELDON_GATEWAY.name, SELDON_GATEWAY.namespace);
            assert.strictEqual(http.targetPort, gateway.spec.servers[0].port.number, "the Service's targetPort is not the port the Gateway's server listens on");
            const mappings = parse(fs.readFileSync(path.join(ROOT, "kind/cluster.yaml"), "utf8")).nodes[0].extraPortMappings;
            assert.ok(mappings.some((m: any) => m.containerPort === KIND_INGRESS_NODE_PORT && m.hostPort === KIND_INGRESS_HOST_PORT),
                `kind/cluster.yaml maps no containerPort ${KIND_INGRESS_NODE_PORT} to hostPort ${KIND_INGRESS_HOST_PORT}`);
        });

        it("cloud: the gateway Service is a LoadBalancer restricted to ingressSourceRanges", () => {
            const service = find(rendered[CLOUD], "Service", INGRESS_SERVICE.name, INGRESS_SERVICE.namespace);
            assert.strictEqual(service.spec.type, "LoadBalancer");
            assert.deepStrictEqual(service.spec.loadBalancerSourceRanges, ["203.0.113.0/24"]);
        });

        it("cloud with ingressTlsSecret: the Gateway's HTTPS server listens where the gateway Service forwards 443", () => {
            const gateway = find(rendered[CLOUD], "Gateway", SELDON_GATEWAY.name, SELDON_GATEWAY.namespace);
            const https = gateway.spec.servers.find((s: any) => s.port.protocol === "HTTPS");
            assert.deepStrictEqual(https.tls, { mode: "SIMPLE", credentialName: "models-example-com-tls" });
            const service = find(rendered[CLOUD], "Service", INGRESS_SERVICE.name, INGRESS_SERVICE.namespace);
            assert.ok(service.spec.ports.some((p: any) => p.port === 443 && p.targetPort === https.port.number),
                `the gateway Service does not forward 443 to ${https.port.number}: ${JSON.stringify(service.spec.ports)}`);
        });

        it("the KEDA trigger's serverAddress is the Prometheus Service the chart renders, on its port", () => {
            const sdep = find(rendered[KEDA], "SeldonDeployment", "cifar10");
            const address = new URL(sdep.spec.predictors[0].componentSpecs[0].kedaSpec.triggers[0].metadata.serverAddress);
            const [name, namespace] = address.hostname.split(".");
            const service = find(rendered[KEDA], "Service", name, namespace);
            assert.ok(service.spec.ports.some((p: any) => p.port === Number(address.port)),
                `the trigger's ${address.host} is not a port of the chart's Service ${namespace}/${name}: ${JSON.stringify(service.spec.ports)}`);
        });

        it("Grafana (kind with grafanaOnKind, and cloud): the Service and Secret the dashboard output names, the sidecar that loads the ConfigMap, the datasource it uses", () => {
            const g = GRAFANA_SERVICE;
            for (const name of [KEDA, CLOUD]) {
                const service = find(rendered[name], "Service", g.name, g.namespace);
                assert.ok(service.spec.ports.some((p: any) => p.port === g.port), `${name}: Grafana's Service has no port ${g.port}: ${JSON.stringify(service.spec.ports)}`);
                const secret = find(rendered[name], "Secret", g.name, g.namespace);
                assert.ok(g.passwordKey in (secret.data ?? {}), `${name}: Grafana's Secret has no ${g.passwordKey}`);
                const grafana = find(rendered[name], "Deployment", g.name, g.namespace);
                const env = Object.fromEntries(containers(grafana).filter(c => c.name.includes("dashboard")).flatMap(c => c.env ?? []).map((e: any) => [e.name, e.value]));
                const [[label, value]] = Object.entries(DASHBOARD_LABEL);
                assert.deepStrictEqual([env.LABEL, env.LABEL_VALUE, env.NAMESPACE], [label, value, "ALL"], `${name}: the dashboard sidecar's selection`);
                const datasources = rendered[name].releases.flatMap(r => r.objects).find(o => o.kind === "ConfigMap" && o.metadata.name.endsWith("-grafana-datasource"))!;
                assert.match(datasources.data["datasource.yaml"], new RegExp(`uid: ${PROMETHEUS_DATASOURCE_UID}\\b`));
                // The dashboard's ConfigMap is in the models' namespace: the sidecar searches every namespace.
                assert.ok(programObjects(rendered[name]).some(o => o.kind === "ConfigMap" && o.metadata.name === "cifar10-dashboard"));
            }
            assert.ok(!rendered[KIND].releases.flatMap(r => r.objects).some(o => o.kind === "Deployment" && o.metadata.name === g.name), "kind leaves Grafana out by default");
        });

        it("the store's Service and NetworkPolicy select the SeaweedFS pod, whose container serves the S3 port", () => {
            const pod = find(rendered[KIND], "Deployment", `${CHARTS.modelStore.release}-all-in-one`, CHARTS.modelStore.namespace);
            const service = find(rendered[KIND], "Service", "model-store-s3", CHARTS.modelStore.namespace);
            assert.ok(includes(podLabels(pod), service.spec.selector), `Service model-store-s3 selector ${JSON.stringify(service.spec.selector)} ` +
                `does not match the seaweedfs chart's pod labels ${JSON.stringify(podLabels(pod))}`);
            const ports = containers(pod).flatMap(c => (c.ports ?? []).map((p: any) => p.containerPort));
            assert.ok(ports.includes(service.spec.ports[0].targetPort) && service.spec.ports[0].targetPort === MODEL_STORE_S3_PORT,
                `Service targetPort ${service.spec.ports[0].targetPort} is not a containerPort of the store (${ports.join(", ")})`);
            assert.strictEqual(service.spec.ports[0].nodePort, KIND_MODEL_STORE_NODE_PORT);
            const mappings = parse(fs.readFileSync(path.join(ROOT, "kind/cluster.yaml"), "utf8")).nodes[0].extraPortMappings;
            assert.ok(mappings.some((m: any) => m.containerPort === KIND_MODEL_STORE_NODE_PORT && m.hostPort === KIND_MODEL_STORE_HOST_PORT));
            const policy = find(rendered[KIND], "NetworkPolicy", "model-store-s3-access", CHARTS.modelStore.namespace);
            assert.ok(includes(podLabels(pod), policy.spec.podSelector.matchLabels), "the NetworkPolicy does not select the store's pod");
        });

        it("every runtime flow gets its verdict against every NetworkPolicy rendered (charts and program), the table's pods as the charts label them", () => {
            for (const name of [KIND, KEDA]) {
                const config = rendered[name];
                const all = [...config.releases.flatMap(r => r.objects.map(o => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? r.namespace } }))),
                    ...programObjects(config)];
                // The labels the table gives the store, its bucket hook, the gateway and KEDA's operator are the rendered pods'.
                const rendersPod = (namespace: string, labels: Record<string, string>) => all.some(o => o.metadata.namespace === namespace
                    && ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(o.kind) && includes(podLabels(o), labels));
                assert.ok(rendersPod(CHARTS.modelStore.namespace, modelStorePodLabels()), `${name}: no rendered pod has the store's labels`);
                assert.ok(rendersPod(CHARTS.modelStore.namespace, modelStoreBucketHookLabels()), `${name}: no rendered Job pod has the bucket hook's labels`);
                assert.ok(rendersPod(INGRESS_SERVICE.namespace, INGRESS_GATEWAY_POD), `${name}: no rendered pod has the gateway's labels`);
                if (name === KEDA) {
                    assert.ok(rendersPod(CHARTS.keda.namespace, KEDA_OPERATOR_POD), `${name}: no rendered pod has KEDA's operator labels`);
                }
                const policies = all.filter(o => o.kind === "NetworkPolicy") as unknown as NetworkPolicyObject[];
                const cluster = { ...clusterOf({ resources: [] }), policies,
                    namespaces: Object.fromEntries(all.filter(o => o.kind === "Namespace").map(o => [o.metadata.name, { ...o.metadata.labels, "kubernetes.io/metadata.name": o.metadata.name }])) };
                const flows = runtimeFlows({ modelNamespace: DEFAULTS.modelNamespace, deploymentName: "cifar10", inClusterStore: true, loadTest: false, keda: name === KEDA });
                assert.deepStrictEqual(flowProblems(cluster, flows).filter(p => name === KIND || !p.includes("must be refused")), [], name);
            }
        });

        it("the model's PrometheusRule is selected by the chart's Prometheus (its ruleSelector and ruleNamespaceSelector)", () => {
            for (const name of [KIND, KEDA, CLOUD]) {
                const prometheus = find(rendered[name], "Prometheus", `${CHARTS.monitoring.release}-prometheus`, CHARTS.monitoring.namespace);
                const rule = find(rendered[name], "PrometheusRule", "cifar10-alerts", DEFAULTS.modelNamespace);
                const selector = prometheus.spec.ruleSelector;
                assert.ok(selector && includes(rule.metadata.labels ?? {}, selector.matchLabels ?? {}) && !selector.matchExpressions,
                    `${name}: ruleSelector ${JSON.stringify(selector)} does not select the rule labelled ${JSON.stringify(rule.metadata.labels)}`);
                assert.deepStrictEqual(prometheus.spec.ruleNamespaceSelector, {}, `${name}: rules are read from every namespace`);
            }
        });

        it("the identities Secret the program creates is mounted where the store reads its S3 config", () => {
            const pod = find(rendered[KIND], "Deployment", `${CHARTS.modelStore.release}-all-in-one`, CHARTS.modelStore.namespace);
            const secret = find(rendered[KIND], "Secret", "model-store-s3-identities", CHARTS.modelStore.namespace);
            const volume = pod.spec.template.spec.volumes.find((v: any) => v.secret?.secretName === secret.metadata.name);
            assert.ok(volume, `no volume of the store's pod mounts Secret ${secret.metadata.name}`);
            const mount = containers(pod).flatMap(c => c.volumeMounts ?? []).find((m: any) => m.name === volume.name);
            assert.ok(mount, `volume ${volume.name} is not mounted`);
            const command = containers(pod).flatMap(c => [...(c.command ?? []), ...(c.args ?? [])]).join(" ");
            const key = Object.keys(secret.stringData)[0];
            assert.ok(command.includes(`-s3.config=${mount.mountPath}/${key}`), `the store does not read ${mount.mountPath}/${key}: ${command.slice(0, 300)}`);
        });

        it("the Seldon operator gets the Istio gateway and KEDA settings the program intends", () => {
            for (const [name, keda] of [[KIND, "true"], ["kind, aws-s3, none, optional add-ons absent", "false"]]) {
                const operator = find(rendered[name], "Deployment", "seldon-controller-manager", CHARTS.seldonCore.namespace);
                const env = Object.fromEntries(containers(operator).flatMap(c => c.env ?? []).map((e: any) => [e.name, e.value]));
                assert.strictEqual(env.ISTIO_ENABLED, "true", `${name}: ISTIO_ENABLED`);
                assert.strictEqual(env.ISTIO_GATEWAY, `${SELDON_GATEWAY.namespace}/${SELDON_GATEWAY.name}`, `${name}: ISTIO_GATEWAY ≠ the program's Gateway`);
                assert.strictEqual(env.KEDA_ENABLED, keda, `${name}: KEDA_ENABLED`);
            }
        });

        it("the Seldon images up:kind preloads into the node are the ones the pinned chart runs", () => {
            const seldon = rendered[KIND].releases.find(r => r.chart === CHARTS.seldonCore.chart)!;
            const text = JSON.stringify(seldon.objects);
            const used = new Set([...text.matchAll(/(?:[a-z0-9.-]+\/)?seldonio\/(?:seldon-core-operator|seldon-core-executor|rclone-storage-initializer):[\w.-]+/g)]
                .map(m => normaliseImage(m[0])));
            assert.deepStrictEqual([...used].sort(), seldonImages().map(i => i.image).sort());
        });

        it("the model pods mount no API token: Istio's injected proxy brings its own projected token and never reads the default one", () => {
            // istiod 1.30.3 files/injection-template.yaml: the proxy mounts istio-token at
            // /var/run/secrets/tokens (l. 451-452), a projected serviceAccountToken for the istio-ca
            // audience (l. 505-511), unconditionally. Seldon's executor reads its graph from the
            // ENGINE_PREDICTOR variable the operator sets (executor/predictor/utils.go, GetPredictor),
            // Triton and rclone never call the API: `automountServiceAccountToken: false` refuses nothing they need.
            const injector = find(rendered[KIND], "ConfigMap", "istio-sidecar-injector", CHARTS.istiod.namespace);
            const sidecar: string = parse(injector.data.config).templates.sidecar;
            assert.match(sidecar, /- mountPath: \/var\/run\/secrets\/tokens\s+name: istio-token\n/, "the proxy does not mount istio-token");
            assert.match(sidecar, /- name: istio-token\s+projected:\s+sources:\s+- serviceAccountToken:\s+path: istio-token/, "istio-token is not a projected token");
            assert.ok(!sidecar.includes("kubernetes.io/serviceaccount"), "the injected proxy reads the default service-account token");
            assert.strictEqual(JSON.parse(injector.data.values).global.sds.token.aud, "istio-ca");
            const pod = find(rendered[KIND], "SeldonDeployment", "cifar10").spec.predictors[0].componentSpecs[0].spec;
            assert.strictEqual(pod.automountServiceAccountToken, false);
        });

        it("metrics-server skips kubelet certificate verification on kind only", () => {
            const args = (name: string) => containers(find(rendered[name], "Deployment", CHARTS.metricsServer.release, CHARTS.metricsServer.namespace)).flatMap(c => c.args ?? []);
            assert.ok(args(KIND).includes("--kubelet-insecure-tls"), "kind: metrics-server lacks --kubelet-insecure-tls");
            assert.ok(!args(CLOUD).includes("--kubelet-insecure-tls"), "cloud: metrics-server must verify kubelet certificates");
        });
    });

    it("sizing: the dev stack's written-down requests cover what the charts and the program request (and not far more)", () => {
        const kind = rendered[KIND];
        const requests = (containers: any[] = []) => containers.reduce(
            (a, c) => [a[0] + (parseQuantity(c.resources?.requests?.cpu) ?? 0), a[1] + (parseQuantity(c.resources?.requests?.memory) ?? 0)], [0, 0]);
        let [cpu, memory] = [0, 0];
        for (const o of kind.releases.flatMap(r => r.objects).filter(o => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))) {
            const [c, m] = requests(o.spec.template.spec.containers);
            const replicas = o.kind === "DaemonSet" ? 1 : o.spec.replicas ?? 1;
            [cpu, memory] = [cpu + replicas * c, memory + replicas * m];
        }
        // A model pod: Triton (the program's container), Seldon's executor and Istio's sidecar (from the releases' values).
        const sdep = find(kind, "SeldonDeployment", "cifar10");
        const triton = requests(sdep.spec.predictors[0].componentSpecs[0].spec.containers);
        const values = (release: string) => kind.releases.find(r => r.name === release)!.values as any;
        const executor = requests([{ resources: values("seldon-core").executor.resources }]);
        const sidecar = requests([{ resources: values("istiod").global.proxy.resources }]);
        const replicas = DEFAULTS.maxReplicas;
        cpu += replicas * (triton[0] + executor[0] + sidecar[0]);
        memory += replicas * (triton[1] + executor[1] + sidecar[1]);
        const job = find(rendered["cloud, aws-s3, hpa, load test"], "Job", "cifar10-loadtest");
        const [jobCpu, jobMemory] = requests(job.spec.template.spec.containers);
        [cpu, memory] = [cpu + jobCpu, memory + jobMemory];
        const [writtenCpu, writtenMemory] = [DEV_STACK_SIZING.cpuRequestMillis / 1000, DEV_STACK_SIZING.memoryRequestMiB * 2 ** 20];
        assert.ok(writtenCpu >= cpu && writtenCpu <= cpu * 1.25, `scripts/sizing.ts says ${writtenCpu} CPUs; the stack requests ${cpu.toFixed(2)}`);
        assert.ok(writtenMemory >= memory && writtenMemory <= memory * 1.25,
            `scripts/sizing.ts says ${DEV_STACK_SIZING.memoryRequestMiB} MiB; the stack requests ${(memory / 2 ** 20).toFixed(0)} MiB`);
        assert.ok(DEV_STACK_SIZING.dockerCpus >= writtenCpu + 1 && DEV_STACK_SIZING.dockerMemoryGiB * 1024 >= DEV_STACK_SIZING.memoryRequestMiB + 512,
            "Docker's sizing leaves no room for kind's control plane");
    });
});
