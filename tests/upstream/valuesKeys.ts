// Does a chart read every values key the program sets? A key counts as read when the chart's
// values.yaml declares it (or declares a free-form map above it), or a template refers to it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { editDistance } from "../../lib/editDistance";
import { helm } from "./helm";
import { runProcess } from "../harness";

export interface ChartSource {
    defaults: Record<string, unknown>;
    /** Every template and helper of the chart and its subcharts, as one text. */
    templates: string;
    /** Bundled subcharts by name (charts/<name>/): values under `<name>.` are theirs too. */
    subcharts: Record<string, ChartSource>;
}

/** The text of every template and helper below `dir`; with `ownOnly`, not those of its bundled subcharts (charts/). */
function templatesText(dir: string, ownOnly: boolean): string {
    const texts: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory() && !(ownOnly && d === dir && e.name === "charts")) {
                walk(p);
            } else if (e.isFile() && /\.(yaml|yml|tpl|txt|json)$/.test(e.name) && p.includes(`${path.sep}templates${path.sep}`)) {
                texts.push(fs.readFileSync(p, "utf8"));
            }
        }
    };
    walk(dir);
    return texts.join("\n");
}

/** A subchart folder's own values.yaml and templates. */
function subchartSource(dir: string): ChartSource {
    const valuesFile = path.join(dir, "values.yaml");
    return {
        defaults: fs.existsSync(valuesFile) ? ((parse(fs.readFileSync(valuesFile, "utf8")) ?? {}) as Record<string, unknown>) : {},
        templates: templatesText(dir, true),
        subcharts: {},
    };
}

const sources = new Map<string, Promise<ChartSource>>();

/** The chart's default values (`helm show values`) and its templates' text. */
export function chartSource(chartFile: string): Promise<ChartSource> {
    if (!sources.has(chartFile)) {
        sources.set(chartFile, (async () => {
            const shown = await runProcess(helm(), ["show", "values", chartFile]);
            if (shown.status !== 0) {
                throw new Error(`helm show values ${chartFile}: ${shown.stderr}`);
            }
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-"));
            const untar = await runProcess("tar", ["xzf", chartFile, "-C", dir]);
            if (untar.status !== 0) {
                throw new Error(`tar xzf ${chartFile}: ${untar.stderr}`);
            }
            const [top] = fs.readdirSync(dir);
            const chartsDir = path.join(dir, top, "charts");
            const subcharts = fs.existsSync(chartsDir)
                ? Object.fromEntries(fs.readdirSync(chartsDir, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => [e.name, subchartSource(path.join(chartsDir, e.name))]))
                : {};
            return { defaults: (parse(shown.stdout) ?? {}) as Record<string, unknown>, templates: templatesText(dir, false), subcharts };
        })());
    }
    return sources.get(chartFile)!;
}

/** Every leaf path of a values object (lists are leaves). */
export function leafPaths(values: unknown, at: string[] = []): string[][] {
    if (values && typeof values === "object" && !Array.isArray(values) && Object.keys(values).length > 0) {
        return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...at, k]));
    }
    return [at];
}

/** Why `key` is not read by the chart (with the nearest real key), or undefined when it is. */
export function unreadKey(source: ChartSource, key: string[]): string | undefined {
    const own = unreadByChart(source, key);
    // `<subchart>.<key>` is passed to a bundled subchart as its own `<key>`.
    const sub = source.subcharts[key[0]];
    if (own !== undefined && sub && key.length > 1 && unreadByChart(sub, key.slice(1)) === undefined) {
        return undefined;
    }
    return own;
}

function unreadByChart(source: ChartSource, key: string[]): string | undefined {
    let at: unknown = source.defaults;
    for (let i = 0; i < key.length; i++) {
        if (!at || typeof at !== "object" || Array.isArray(at)) {
            return undefined; // below a declared leaf: the chart takes the whole value (a list or a string)
        }
        const map = at as Record<string, unknown>;
        if (Object.keys(map).length === 0 && i > 0) {
            return undefined; // a free-form map the chart declares empty (resources: {}, labels: {})
        }
        if (!(key[i] in map)) {
            const prefix = key.slice(0, i + 1).join(".");
            if (new RegExp(`\\.Values\\.${prefix.replace(/[.]/g, "\\.")}\\b`).test(source.templates)) {
                return undefined; // not in values.yaml, but a template reads it
            }
            const nearest = Object.keys(map).map(k => ({ k, d: editDistance(k.toLowerCase(), key[i].toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
            return `${key.join(".")} is not read by the chart: ${key.slice(0, i).join(".") || "the top level"} has no ${key[i]}` +
                (nearest ? ` (nearest: ${[...key.slice(0, i), nearest.k].join(".")})` : "");
        }
        at = map[key[i]];
    }
    return undefined;
}
