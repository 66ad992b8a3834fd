// The cluster and its add-ons: flavour, context, the models' namespace, each add-on's mode and chart,
// and the ingress restriction; and whether the chosen autoscaler finds what it scales on.
import * as semver from "semver";
import { installedPrometheusUrl } from "../lib/charts";
import { DEV_STACK_NAME, pulumiCli } from "../lib/cli";
import { FIRST_BSL_VERSION } from "../lib/seldon";
import { DEFAULTS } from "./defaults";
import { ConfigReader } from "./reader";
import { cidrProblem, DNS_LABEL, DNS_SUBDOMAIN, RESERVED_NAMESPACES } from "./rules";
import { ADDON_MODES, AddonMode, Autoscaler, CLUSTER_FLAVOURS, INGRESS_EXPOSURES, PlatformSettings, REQUIRED_ADDON_MODES } from "./types";

type AddonKey = "istio" | "seldonCore" | "metricsServer" | "monitoring" | "keda";

/** The platform's settings, with the Prometheus that everything querying it uses (settled here, once). */
export function readPlatform(read: ConfigReader, autoscaler: Autoscaler, stack: string): PlatformSettings {
    const flavour = read.choice("clusterFlavour", CLUSTER_FLAVOURS, DEFAULTS.clusterFlavour);
    const kubeContext = read.string("kubeContext", DEFAULTS.kubeContext);
    // Every Kubernetes object goes through the program's own provider, which reads kubeContext only:
    // the Kubernetes provider's own settings would be ignored without a word.
    for (const key of ["kubernetes:context", "kubernetes:kubeconfig", "kubernetes:cluster"]) {
        if (read.raw(key) !== undefined) {
            read.problem(`${key} is set, but this program deploys through its own Kubernetes provider, configured by ` +
                `${read.key("kubeContext")} (a context of your kubeconfig, which KUBECONFIG may name): ` +
                `\`${pulumiCli()} config rm ${key}\`, then \`${pulumiCli()} config set kubeContext <context>\``);
        }
    }
    // Only the dev stack may deploy to the current context (up:kind switches it to kind's); any other
    // stack names its cluster, so that a context switched for something else is never deployed to.
    if (kubeContext === "" && stack !== DEV_STACK_NAME) {
        read.problem(`${read.key("kubeContext")} is empty on stack ${JSON.stringify(stack)}: it would deploy to whatever context ` +
            `is current. Name the cluster: \`${pulumiCli()} config set kubeContext <context>\` (\`kubectl config get-contexts\` lists them)`);
    }
    const modelNamespace = read.string("modelNamespace", DEFAULTS.modelNamespace);
    if (!DNS_LABEL.test(modelNamespace)) {
        read.problem(`${read.key("modelNamespace")} = ${JSON.stringify(modelNamespace)} is not a valid namespace name: ` +
            "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    } else if (modelNamespace in RESERVED_NAMESPACES) {
        read.problem(`${read.key("modelNamespace")} = ${JSON.stringify(modelNamespace)} belongs to ${RESERVED_NAMESPACES[modelNamespace]}: ` +
            `use a namespace of the models' own, not one of ${Object.keys(RESERVED_NAMESPACES).join(", ")}`);
    }

    const addon = <M extends string>(key: AddonKey, modes: readonly M[], fallback: M) => ({
        mode: read.choice(key, modes, fallback),
        version: read.chartVersion(`${key}Version`, DEFAULTS[`${key}Version`]),
        repository: read.chartRepository(`${key}Repository`, DEFAULTS[`${key}Repository`]),
    });
    const istio = addon("istio", REQUIRED_ADDON_MODES, DEFAULTS.istio);
    const seldonCore = addon("seldonCore", REQUIRED_ADDON_MODES, DEFAULTS.seldonCore);
    const metricsServer = addon<AddonMode>("metricsServer", ADDON_MODES, DEFAULTS.metricsServer);
    const monitoring = addon<AddonMode>("monitoring", ADDON_MODES, DEFAULTS.monitoring);
    const keda = addon<AddonMode>("keda", ADDON_MODES, DEFAULTS.keda);

    // Like http://prometheus.monitoring.svc.cluster.local:9090.
    const prometheusSetting = read.httpUrl("prometheusUrl", DEFAULTS.prometheusUrl, "KEDA's trigger carries this address in plain " +
        "text in the ScaledObject, so that endpoint must not need inline credentials (give KEDA an in-cluster Prometheus address " +
        "that needs none)");
    if (prometheusSetting !== "" && monitoring.mode !== "existing") {
        read.problem(`${read.key("prometheusUrl")} is set but ${read.key("monitoring")} = ${JSON.stringify(monitoring.mode)}: ` +
            "prometheusUrl is only used with monitoring = existing");
    }
    // The one Prometheus everything that queries it uses: the installed one, or the cluster's.
    const prometheusUrl = monitoring.mode === "install" ? installedPrometheusUrl()
        : monitoring.mode === "existing" && prometheusSetting !== "" ? prometheusSetting : undefined;

    // The autoscaler must find what it scales on: a metrics API for hpa, KEDA and Prometheus for keda.
    if (autoscaler === "hpa" && metricsServer.mode === "none") {
        read.problem(`${read.key("autoscaler")} = "hpa" needs a resource metrics API (metrics.k8s.io) but ` +
            `${read.key("metricsServer")} = "none": set metricsServer to install, or to existing if the cluster already serves it`);
    }
    if (autoscaler === "keda") {
        if (keda.mode === "none") {
            read.problem(`${read.key("autoscaler")} = "keda" needs KEDA but ${read.key("keda")} = "none": set keda to install or existing`);
        }
        if (monitoring.mode === "none") {
            read.problem(`${read.key("autoscaler")} = "keda" scales on Prometheus metrics but ${read.key("monitoring")} = "none": ` +
                "set monitoring to install, or to existing together with prometheusUrl");
        } else if (monitoring.mode === "existing" && prometheusSetting === "") {
            read.problem(`${read.key("autoscaler")} = "keda" with ${read.key("monitoring")} = "existing" needs ${read.key("prometheusUrl")}, ` +
                "the in-cluster address of that Prometheus");
        }
    }

    const sourceRanges = read.string("ingressSourceRanges", DEFAULTS.ingressSourceRanges);
    const ingressSourceRanges = sourceRanges.trim() === "" ? undefined : sourceRanges.split(",").map(r => r.trim());
    for (const range of ingressSourceRanges ?? []) {
        const problem = cidrProblem(range);
        if (problem) {
            read.problem(`${read.key("ingressSourceRanges")} has ${JSON.stringify(range)}, which ${problem}: ` +
                "use comma-separated CIDRs such as 203.0.113.0/24,198.51.100.7/32");
        }
    }
    const exposureSetting = read.string("ingressExposure", DEFAULTS.ingressExposure);
    let ingressExposure: PlatformSettings["ingressExposure"];
    if (flavour === "cloud") {
        if (exposureSetting === "") {
            read.problem(`${read.key("ingressExposure")} is not set: on cloud it decides who can reach the models. Choose internal ` +
                "(an internal load balancer, reached from your cloud network; the smoke test goes through a kubectl port-forward) or public " +
                `(an internet-facing load balancer, which needs ${read.key("ingressSourceRanges")}: the CIDRs that may connect, 0.0.0.0/0 for ` +
                `anyone): \`${pulumiCli()} config set ingressExposure internal\``);
        } else {
            ingressExposure = read.choice("ingressExposure", INGRESS_EXPOSURES, "internal");
            if (ingressExposure === "public" && !ingressSourceRanges) {
                read.problem(`${read.key("ingressExposure")} = "public" needs ${read.key("ingressSourceRanges")}: the CIDRs that may connect ` +
                    `(\`${pulumiCli()} config set ingressSourceRanges 203.0.113.0/24\`; 0.0.0.0/0 for anyone, which every up warns about)`);
            }
        }
    } else if (exposureSetting !== "") {
        read.problem(`${read.key("ingressExposure")} is set but ${read.key("clusterFlavour")} = "kind": kind's gateway listens on 127.0.0.1 ` +
            "only (kind/cluster.yaml); remove the setting");
    }
    const tlsSecret = read.string("ingressTlsSecret", DEFAULTS.ingressTlsSecret);
    if (tlsSecret !== "" && flavour === "kind") {
        read.problem(`${read.key("ingressTlsSecret")} is set but ${read.key("clusterFlavour")} = "kind": kind maps only the gateway's ` +
            "plain HTTP port to 127.0.0.1:8080; TLS is for a cloud gateway");
    } else if (tlsSecret !== "" && !DNS_SUBDOMAIN.test(tlsSecret)) {
        read.problem(`${read.key("ingressTlsSecret")} = ${JSON.stringify(tlsSecret)} is not a Secret name: lowercase letters, digits, ` +
            "'-' and '.', at most 253 characters (a kubernetes.io/tls Secret in istio-system)");
    }
    if (ingressSourceRanges && flavour === "kind") {
        read.problem(`${read.key("ingressSourceRanges")} is set but ${read.key("clusterFlavour")} = "kind": kind's gateway listens on ` +
            "127.0.0.1 only (kind/cluster.yaml); source ranges apply to a cloud load balancer");
    }

    // kube-prometheus-stack's Grafana: on with the installed monitoring on cloud; on kind a setting (memory).
    const grafanaOnKind = read.boolean("grafanaOnKind", DEFAULTS.grafanaOnKind);
    if (grafanaOnKind && flavour !== "kind") {
        read.problem(`${read.key("grafanaOnKind")} is true but ${read.key("clusterFlavour")} = ${JSON.stringify(flavour)}: ` +
            "on cloud Grafana comes with the installed monitoring anyway; remove the setting");
    } else if (grafanaOnKind && monitoring.mode !== "install") {
        read.problem(`${read.key("grafanaOnKind")} is true but ${read.key("monitoring")} = ${JSON.stringify(monitoring.mode)}: ` +
            "Grafana is part of the monitoring this program installs; set monitoring to install");
    }
    const grafana = monitoring.mode === "install" && (flavour === "cloud" || grafanaOnKind);

    if (seldonCore.mode === "install" && semver.gte(seldonCore.version, FIRST_BSL_VERSION)) {
        read.warn(`seldonCoreVersion ${seldonCore.version}: Seldon Core ${FIRST_BSL_VERSION} and later are under the Business ` +
            "Source License 1.1 (production use needs a commercial licence); 1.17.1 is the last Apache-2.0 release.");
    }

    return {
        flavour,
        kubeContext: kubeContext === "" ? undefined : kubeContext,
        modelNamespace,
        istio,
        seldonCore,
        metricsServer,
        monitoring,
        keda,
        ...(ingressSourceRanges ? { ingressSourceRanges } : {}),
        ...(ingressExposure ? { ingressExposure } : {}),
        ...(tlsSecret !== "" && flavour === "cloud" ? { ingressTlsSecret: tlsSecret } : {}),
        ...(prometheusUrl ? { prometheusUrl } : {}),
        grafana,
    };
}
