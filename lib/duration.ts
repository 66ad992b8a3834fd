// Durations as people write them in settings and on command lines: `180s`, `3m`, `1m30s`, `500ms`,
// `1h`, or a bare number of seconds. Shared by the stack configuration and the load generator.

export class DurationError extends Error {}

/** Milliseconds of a duration; throws a DurationError that names `name` and the text otherwise. */
export function parseDuration(text: string, name = "duration"): number {
    const trimmed = text.trim();
    if (/^[0-9]+(\.[0-9]+)?$/.test(trimmed)) {
        return Math.round(Number(trimmed) * 1000);
    }
    const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 } as const;
    let total = 0;
    let consumed = 0;
    for (const m of trimmed.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)/g)) {
        if (m.index !== consumed) {
            break;
        }
        total += Number(m[1]) * unit[m[2] as keyof typeof unit];
        consumed += m[0].length;
    }
    if (trimmed === "" || consumed !== trimmed.length) {
        throw new DurationError(`${name} ${JSON.stringify(text)} is not a duration: use e.g. 180s, 3m, 1m30s or 500ms`);
    }
    return Math.round(total);
}
