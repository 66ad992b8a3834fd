// The part of Grafana's dashboard JSON model the program writes (grafana/grafana, "JSON model" docs,
// schemaVersion 39): a dashboard of time-series panels, each with Prometheus targets.

export interface GrafanaDashboard {
    uid: string;
    title: string;
    description?: string;
    tags: string[];
    timezone: "browser" | "utc";
    schemaVersion: number;
    refresh: string;
    time: { from: string; to: string };
    editable: boolean;
    panels: GrafanaPanel[];
}

export interface GrafanaPanel {
    id: number;
    type: "timeseries" | "text";
    title: string;
    description?: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { type: "prometheus"; uid: string };
    targets?: GrafanaTarget[];
    fieldConfig?: { defaults: { unit?: string; min?: number; custom?: { lineWidth?: number; fillOpacity?: number } }; overrides: unknown[] };
    options?: { content?: string; mode?: "markdown" };
}

export interface GrafanaTarget {
    refId: string;
    expr: string;
    legendFormat: string;
}
