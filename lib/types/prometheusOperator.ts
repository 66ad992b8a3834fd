import { CustomObject } from "./kubernetes";

/** monitoring.coreos.com/v1 PodMonitor (installed by kube-prometheus-stack's operator). */
export type PodMonitor = CustomObject<"monitoring.coreos.com/v1", "PodMonitor", PodMonitorSpec>;

export interface PodMonitorSpec {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { any: true } | { matchNames: string[] };
    podMetricsEndpoints: PodMetricsEndpoint[];
}

export interface PodMetricsEndpoint {
    /** Name of the container port to scrape. */
    port: string;
    path?: string;
    /** Prometheus duration, e.g. `15s`. */
    interval?: string;
    /** Applied to each target before scraping (after the operator's own selection by port). */
    relabelings?: RelabelConfig[];
}

/** A Prometheus relabel_config, as the PodMonitor CRD spells it. */
export interface RelabelConfig {
    sourceLabels?: string[];
    separator?: string;
    targetLabel?: string;
    regex?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop" | "labelmap" | "labeldrop" | "labelkeep";
}

/** monitoring.coreos.com/v1 PrometheusRule: alerting rules the operator loads into the Prometheus whose ruleSelector matches. */
export type PrometheusRule = CustomObject<"monitoring.coreos.com/v1", "PrometheusRule", PrometheusRuleSpec>;

export interface PrometheusRuleSpec {
    groups: RuleGroup[];
}

export interface RuleGroup {
    name: string;
    /** How often the group is evaluated (Prometheus duration); the global interval when unset. */
    interval?: string;
    rules: AlertingRule[];
}

export interface AlertingRule {
    alert: string;
    expr: string;
    /** How long the condition must hold before the alert fires (Prometheus duration). */
    for?: string;
    labels?: Record<string, string>;
    annotations?: { summary: string; description: string; [key: string]: string };
}
