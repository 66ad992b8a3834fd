// A small PromQL engine for the queries the program writes (lib/queries.ts) and the tutorial's: enough
// of the language to evaluate them over simulated series exactly as Prometheus would, so the twin's
// signals are the program's own query strings and the plan path needs no Prometheus.
//
// Covered: vector selectors with =, !=, =~, !~ matchers; range selectors; rate() and increase();
// sum, avg, count, max, min with `by`/`without`; + - * / between scalars and vectors; comparisons (as
// filters, or with `bool`); `or`, `and`, `unless`; one-to-one matching with on()/ignoring(). Anything
// else is refused by the parser with the position and what was expected.
//
// Semantics follow Prometheus 2.42 (the promtool the upstream tier runs; tests/upstream/twinPromql.test.ts
// proves the results equal on the program's queries): an instant selector takes a series' latest
// sample in [t - 5m, t] unless it is a staleness marker; a range selector takes the samples in
// [t - range, t]; rate() extrapolates as promql/functions.go's extrapolatedRate. Prometheus 3 makes
// both windows left-open (`leftOpen`), which differs only for a sample exactly on the window's start.

export type Labels = Readonly<Record<string, string>>;

/** One sample: `v` null is a staleness marker (Prometheus writes one when a target or series disappears). */
export interface Sample {
    t: number;
    v: number | null;
}

export interface Series {
    labels: Labels;
    /** Ascending by t (milliseconds). */
    samples: Sample[];
}

export interface Element {
    labels: Labels;
    v: number;
}

export type Value = { kind: "scalar"; v: number } | { kind: "vector"; elements: Element[] };

export class PromqlError extends Error {}

type Matcher = { label: string; op: "=" | "!=" | "=~" | "!~"; value: string };
type Node =
    | { type: "number"; v: number }
    | { type: "selector"; name?: string; matchers: Matcher[]; rangeMs?: number }
    | { type: "call"; fn: string; args: Node[] }
    | { type: "aggregate"; op: string; grouping?: { without: boolean; labels: string[] }; expr: Node }
    | { type: "binary"; op: string; lhs: Node; rhs: Node; bool: boolean; matching?: { on: boolean; labels: string[] } }
    | { type: "unary"; op: "-"; expr: Node };

const AGGREGATIONS = new Set(["sum", "avg", "count", "max", "min"]);
const FUNCTIONS = new Set(["rate", "increase", "abs"]);
const COMPARISONS = new Set(["==", "!=", ">", "<", ">=", "<="]);
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const LOOKBACK_MS = 5 * 60_000;

// ---- parsing ----------------------------------------------------------------------------------

type Token = { kind: "ident" | "number" | "string" | "duration" | "op" | "punct"; text: string; at: number };

function tokenize(query: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < query.length) {
        const c = query[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        const rest = query.slice(i);
        let m: RegExpExecArray | null;
        if ((m = /^[0-9]+(?:ms|s|m|h|d)(?![A-Za-z_])/.exec(rest)) && tokens[tokens.length - 1]?.text === "[") {
            tokens.push({ kind: "duration", text: m[0], at: i });
        } else if ((m = /^(?:[0-9]*\.[0-9]+|[0-9]+)(?:e[+-]?[0-9]+)?/i.exec(rest))) {
            tokens.push({ kind: "number", text: m[0], at: i });
        } else if ((m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(rest))) {
            tokens.push({ kind: "ident", text: m[0], at: i });
        } else if (c === '"' || c === "'") {
            let j = i + 1;
            let text = "";
            while (j < query.length && query[j] !== c) {
                if (query[j] === "\\") {
                    j++;
                }
                text += query[j++];
            }
            if (j >= query.length) {
                throw new PromqlError(`unterminated string at ${i}`);
            }
            tokens.push({ kind: "string", text, at: i });
            i = j + 1;
            continue;
        } else if ((m = /^(?:==|!=|>=|<=|=~|!~|[-+*/<>=])/.exec(rest))) {
            tokens.push({ kind: "op", text: m[0], at: i });
        } else if ("(){}[],".includes(c)) {
            tokens.push({ kind: "punct", text: c, at: i });
        } else {
            throw new PromqlError(`unexpected ${JSON.stringify(c)} at ${i}`);
        }
        i += m ? m[0].length : 1;
    }
    return tokens;
}

/** Parses a query; throws PromqlError naming the position of anything outside the covered language. */
export function parse(query: string): Node {
    const tokens = tokenize(query);
    let pos = 0;
    const peek = () => tokens[pos];
    const fail = (expected: string): never => {
        const t = peek();
        throw new PromqlError(`${t ? `${JSON.stringify(t.text)} at ${t.at}` : "end of query"}: expected ${expected} (query: ${query})`);
    };
    const take = (text: string) => (peek()?.text === text ? tokens[pos++] : fail(JSON.stringify(text)));
    const labelList = (): string[] => {
        take("(");
        const labels: string[] = [];
        while (peek()?.text !== ")") {
            const t = peek();
            if (t?.kind !== "ident") {
                fail("a label name");
            }
            labels.push(tokens[pos++].text);
            if (peek()?.text === ",") {
                pos++;
            }
        }
        take(")");
        return labels;
    };

    // Precedence, lowest first (Prometheus): or; and unless; comparisons; + -; * / %.
    const levels: string[][] = [["or"], ["and", "unless"], [...COMPARISONS], ["+", "-"], ["*", "/"]];
    const binary = (level: number): Node => {
        if (level === levels.length) {
            return unary();
        }
        let lhs = binary(level + 1);
        while (peek() && levels[level].includes(peek().text) && (peek().kind === "op" || peek().kind === "ident")) {
            const op = tokens[pos++].text;
            let bool = false;
            if (peek()?.text === "bool") {
                pos++;
                bool = true;
            }
            let matching: { on: boolean; labels: string[] } | undefined;
            if (peek()?.text === "on" || peek()?.text === "ignoring") {
                const on = tokens[pos++].text === "on";
                matching = { on, labels: labelList() };
            }
            if (peek()?.text === "group_left" || peek()?.text === "group_right") {
                fail("one-to-one matching (group_left/group_right are not covered)");
            }
            const rhs = binary(level + 1);
            lhs = { type: "binary", op, lhs, rhs, bool, ...(matching ? { matching } : {}) };
        }
        return lhs;
    };
    const unary = (): Node => {
        if (peek()?.text === "-") {
            pos++;
            return { type: "unary", op: "-", expr: unary() };
        }
        return primary();
    };
    const primary = (): Node => {
        const t = peek();
        if (!t) {
            return fail("an expression");
        }
        if (t.kind === "number") {
            pos++;
            return { type: "number", v: Number(t.text) };
        }
        if (t.text === "(") {
            pos++;
            const inner = binary(0);
            take(")");
            return inner;
        }
        if (t.kind === "ident" && AGGREGATIONS.has(t.text)) {
            pos++;
            let grouping: { without: boolean; labels: string[] } | undefined;
            if (peek()?.text === "by" || peek()?.text === "without") {
                grouping = { without: tokens[pos++].text === "without", labels: labelList() };
            }
            take("(");
            const expr = binary(0);
            take(")");
            if (!grouping && (peek()?.text === "by" || peek()?.text === "without")) {
                grouping = { without: tokens[pos++].text === "without", labels: labelList() };
            }
            return { type: "aggregate", op: t.text, ...(grouping ? { grouping } : {}), expr };
        }
        if (t.kind === "ident" && tokens[pos + 1]?.text === "(") {
            if (!FUNCTIONS.has(t.text)) {
                return fail(`a function among ${[...FUNCTIONS].join(", ")} (not ${t.text})`);
            }
            pos += 2;
            const args = [binary(0)];
            take(")");
            return { type: "call", fn: t.text, args };
        }
        if (t.kind === "ident" || t.text === "{") {
            return selector();
        }
        return fail("an expression");
    };
    const selector = (): Node => {
        let name: string | undefined;
        if (peek().kind === "ident") {
            name = tokens[pos++].text;
        }
        const matchers: Matcher[] = [];
        if (peek()?.text === "{") {
            pos++;
            while (peek()?.text !== "}") {
                const label = peek();
                if (label?.kind !== "ident") {
                    fail("a label matcher");
                }
                pos++;
                const op = peek();
                if (!op || !["=", "!=", "=~", "!~"].includes(op.text)) {
                    fail("=, !=, =~ or !~");
                }
                pos++;
                const value = peek();
                if (value?.kind !== "string") {
                    fail("a quoted label value");
                }
                pos++;
                matchers.push({ label: label.text, op: op.text as Matcher["op"], value: value.text });
                if (peek()?.text === ",") {
                    pos++;
                }
            }
            take("}");
        }
        let rangeMs: number | undefined;
        if (peek()?.text === "[") {
            pos++;
            const d = peek();
            if (d?.kind !== "duration") {
                fail("a duration like 1m");
            }
            pos++;
            const m = /^([0-9]+)(ms|s|m|h|d)$/.exec(d.text)!;
            rangeMs = Number(m[1]) * DURATION_UNITS[m[2]];
            take("]");
        }
        return { type: "selector", ...(name ? { name } : {}), matchers, ...(rangeMs ? { rangeMs } : {}) };
    };
    const root = binary(0);
    if (pos < tokens.length) {
        fail("the end of the query");
    }
    return root;
}

// ---- evaluation -------------------------------------------------------------------------------

export interface EvalOptions {
    /** Prometheus 3's left-open windows (a sample exactly at t - range or t - 5m is left out). */
    leftOpen?: boolean;
}

const regexCache = new Map<string, RegExp>();
const anchored = (re: string) => {
    let r = regexCache.get(re);
    if (!r) {
        r = new RegExp(`^(?:${re})$`);
        regexCache.set(re, r);
    }
    return r;
};

function matches(labels: Labels, name: string | undefined, matchers: Matcher[]): boolean {
    if (name !== undefined && labels.__name__ !== name) {
        return false;
    }
    return matchers.every(m => {
        const v = labels[m.label] ?? "";
        switch (m.op) {
            case "=": return v === m.value;
            case "!=": return v !== m.value;
            case "=~": return anchored(m.value).test(v);
            case "!~": return !anchored(m.value).test(v);
        }
    });
}

const withoutName = (labels: Labels): Labels => {
    const { __name__: _, ...rest } = labels;
    return rest;
};

/** A label set's identity: its pairs, sorted. */
const signature = (labels: Labels, pick?: (name: string) => boolean) =>
    JSON.stringify(Object.keys(labels).filter(k => !pick || pick(k)).sort().map(k => [k, labels[k]]));

/** The extrapolated increase (or per-second rate) of a counter over [start, end] (Prometheus's extrapolatedRate). */
function extrapolatedRate(points: Sample[], startMs: number, endMs: number, rangeMs: number, isRate: boolean): number | undefined {
    if (points.length < 2) {
        return undefined;
    }
    const first = points[0];
    const last = points[points.length - 1];
    let result = (last.v as number) - (first.v as number);
    let previous = first.v as number;
    for (const p of points) {
        // A counter reset: what was counted before it is added back.
        if ((p.v as number) < previous) {
            result += previous;
        }
        previous = p.v as number;
    }
    let durationToStart = (first.t - startMs) / 1000;
    const durationToEnd = (endMs - last.t) / 1000;
    const sampledInterval = (last.t - first.t) / 1000;
    const averageBetween = sampledInterval / (points.length - 1);
    if (result > 0 && (first.v as number) >= 0) {
        // A counter cannot go below zero: extrapolate to its zero point at most.
        const durationToZero = sampledInterval * ((first.v as number) / result);
        if (durationToZero < durationToStart) {
            durationToStart = durationToZero;
        }
    }
    const threshold = averageBetween * 1.1;
    let extrapolateTo = sampledInterval;
    extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
    result = result * (extrapolateTo / sampledInterval);
    return isRate ? result / (rangeMs / 1000) : result;
}

/** Evaluates a parsed query at `tMs` over `series`. */
export function evaluate(node: Node, series: readonly Series[], tMs: number, options: EvalOptions = {}): Value {
    const inWindow = (t: number, from: number) => (options.leftOpen ? t > from : t >= from) && t <= tMs;
    const ev = (n: Node): Value => {
        switch (n.type) {
            case "number":
                return { kind: "scalar", v: n.v };
            case "unary": {
                const v = ev(n.expr);
                return v.kind === "scalar" ? { kind: "scalar", v: -v.v } : { kind: "vector", elements: v.elements.map(e => ({ labels: withoutName(e.labels), v: -e.v })) };
            }
            case "selector": {
                if (n.rangeMs !== undefined) {
                    throw new PromqlError("a range selector is only covered inside rate() or increase()");
                }
                const elements: Element[] = [];
                for (const s of series) {
                    if (!matches(s.labels, n.name, n.matchers)) {
                        continue;
                    }
                    let latest: Sample | undefined;
                    for (let i = s.samples.length - 1; i >= 0; i--) {
                        if (s.samples[i].t <= tMs) {
                            latest = s.samples[i];
                            break;
                        }
                    }
                    if (latest && latest.v !== null && inWindow(latest.t, tMs - LOOKBACK_MS)) {
                        elements.push({ labels: s.labels, v: latest.v });
                    }
                }
                return { kind: "vector", elements };
            }
            case "call": {
                const [arg] = n.args;
                if (n.fn === "abs") {
                    const v = ev(arg);
                    return v.kind === "scalar" ? { kind: "scalar", v: Math.abs(v.v) } : { kind: "vector", elements: v.elements.map(e => ({ labels: withoutName(e.labels), v: Math.abs(e.v) })) };
                }
                if (arg.type !== "selector" || arg.rangeMs === undefined) {
                    throw new PromqlError(`${n.fn}() takes a range selector like x[1m]`);
                }
                const startMs = tMs - arg.rangeMs;
                const elements: Element[] = [];
                for (const s of series) {
                    if (!matches(s.labels, arg.name, arg.matchers)) {
                        continue;
                    }
                    const points = s.samples.filter(p => p.v !== null && inWindow(p.t, startMs));
                    const v = extrapolatedRate(points, startMs, tMs, arg.rangeMs, n.fn === "rate");
                    if (v !== undefined) {
                        elements.push({ labels: withoutName(s.labels), v });
                    }
                }
                return { kind: "vector", elements };
            }
            case "aggregate": {
                const v = ev(n.expr);
                if (v.kind !== "vector") {
                    throw new PromqlError(`${n.op}() takes a vector`);
                }
                const groups = new Map<string, { labels: Labels; values: number[] }>();
                for (const e of v.elements) {
                    const labels: Record<string, string> = {};
                    if (n.grouping && !n.grouping.without) {
                        for (const l of n.grouping.labels) {
                            if (e.labels[l] !== undefined) {
                                labels[l] = e.labels[l];
                            }
                        }
                    } else if (n.grouping?.without) {
                        for (const [k, val] of Object.entries(withoutName(e.labels))) {
                            if (!n.grouping.labels.includes(k)) {
                                labels[k] = val;
                            }
                        }
                    }
                    const key = signature(labels);
                    const g = groups.get(key) ?? { labels, values: [] };
                    g.values.push(e.v);
                    groups.set(key, g);
                }
                const elements = [...groups.values()].map(g => {
                    const sum = g.values.reduce((a, b) => a + b, 0);
                    const value = n.op === "sum" ? sum : n.op === "avg" ? sum / g.values.length : n.op === "count" ? g.values.length
                        : n.op === "max" ? Math.max(...g.values) : Math.min(...g.values);
                    return { labels: g.labels, v: value };
                });
                return { kind: "vector", elements };
            }
            case "binary":
                return binaryOp(n, ev(n.lhs), ev(n.rhs));
        }
    };
    return ev(node);
}

function arithmetic(op: string, a: number, b: number): number {
    switch (op) {
        case "+": return a + b;
        case "-": return a - b;
        case "*": return a * b;
        case "/": return a / b;
    }
    throw new PromqlError(`unknown operator ${op}`);
}

function compare(op: string, a: number, b: number): boolean {
    switch (op) {
        case "==": return a === b;
        case "!=": return a !== b;
        case ">": return a > b;
        case "<": return a < b;
        case ">=": return a >= b;
        case "<=": return a <= b;
    }
    throw new PromqlError(`unknown comparison ${op}`);
}

function binaryOp(n: Extract<Node, { type: "binary" }>, lhs: Value, rhs: Value): Value {
    const { op } = n;
    const isSet = op === "or" || op === "and" || op === "unless";
    const isComparison = COMPARISONS.has(op);
    if (lhs.kind === "scalar" && rhs.kind === "scalar") {
        if (isSet || (isComparison && !n.bool)) {
            throw new PromqlError(`${op} between two scalars needs bool (or is not defined)`);
        }
        return { kind: "scalar", v: isComparison ? Number(compare(op, lhs.v, rhs.v)) : arithmetic(op, lhs.v, rhs.v) };
    }
    if (lhs.kind === "vector" && rhs.kind === "vector") {
        const sig = (l: Labels) => n.matching?.on
            ? signature(l, k => n.matching!.labels.includes(k))
            : signature(l, k => k !== "__name__" && !(n.matching?.labels ?? []).includes(k));
        if (isSet) {
            const right = new Set(rhs.elements.map(e => sig(e.labels)));
            if (op === "and") {
                return { kind: "vector", elements: lhs.elements.filter(e => right.has(sig(e.labels))) };
            }
            if (op === "unless") {
                return { kind: "vector", elements: lhs.elements.filter(e => !right.has(sig(e.labels))) };
            }
            const left = new Set(lhs.elements.map(e => sig(e.labels)));
            return { kind: "vector", elements: [...lhs.elements, ...rhs.elements.filter(e => !left.has(sig(e.labels)))] };
        }
        const byRight = new Map<string, Element>();
        for (const e of rhs.elements) {
            const key = sig(e.labels);
            if (byRight.has(key)) {
                throw new PromqlError(`many-to-one matching: more than one series on the right of ${op} share the same labels`);
            }
            byRight.set(key, e);
        }
        const elements: Element[] = [];
        for (const e of lhs.elements) {
            const match = byRight.get(sig(e.labels));
            if (!match) {
                continue;
            }
            let labels: Record<string, string> = { ...(isComparison && !n.bool ? e.labels : withoutName(e.labels)) };
            if (n.matching?.on) {
                labels = Object.fromEntries(Object.entries(labels).filter(([k]) => n.matching!.labels.includes(k)));
            } else if (n.matching) {
                labels = Object.fromEntries(Object.entries(labels).filter(([k]) => !n.matching!.labels.includes(k)));
            }
            if (isComparison) {
                const ok = compare(op, e.v, match.v);
                if (n.bool) {
                    elements.push({ labels, v: Number(ok) });
                } else if (ok) {
                    elements.push({ labels, v: e.v });
                }
            } else {
                elements.push({ labels, v: arithmetic(op, e.v, match.v) });
            }
        }
        return { kind: "vector", elements };
    }
    if (isSet) {
        throw new PromqlError(`${op} takes two vectors`);
    }
    const vector = (lhs.kind === "vector" ? lhs : rhs) as Extract<Value, { kind: "vector" }>;
    const scalar = (lhs.kind === "scalar" ? lhs : rhs) as Extract<Value, { kind: "scalar" }>;
    const elements: Element[] = [];
    for (const e of vector.elements) {
        const [a, b] = lhs.kind === "vector" ? [e.v, scalar.v] : [scalar.v, e.v];
        if (isComparison) {
            const ok = compare(op, a, b);
            if (n.bool) {
                elements.push({ labels: withoutName(e.labels), v: Number(ok) });
            } else if (ok) {
                elements.push({ labels: e.labels, v: e.v });
            }
        } else {
            elements.push({ labels: withoutName(e.labels), v: arithmetic(op, a, b) });
        }
    }
    return { kind: "vector", elements };
}

/** Parses once, evaluates at any time. */
export class Query {
    private readonly node: Node;

    constructor(readonly text: string) {
        this.node = parse(text);
    }

    at(series: readonly Series[], tMs: number, options?: EvalOptions): Value {
        return evaluate(this.node, series, tMs, options);
    }

    /**
     * What KEDA's Prometheus scaler reads: the single element's value; undefined for an empty result
     * (with ignoreNullValues "false" KEDA reports an error) or for more than one element (an error too).
     */
    kedaValue(series: readonly Series[], tMs: number, options?: EvalOptions): number | undefined {
        const v = this.at(series, tMs, options);
        if (v.kind === "scalar") {
            return v.v;
        }
        return v.elements.length === 1 && Number.isFinite(v.elements[0].v) ? v.elements[0].v : undefined;
    }
}
