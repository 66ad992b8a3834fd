// Settings that Pulumi passes to the processes it spawns, through their environment.

/** A positive number of seconds from environment variable `name` (or `fallback`); throws naming it otherwise. */
export function positiveSeconds(name: string, fallback: string): number {
    const raw = process.env[name] ?? fallback;
    const value = Number(raw);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(raw.trim()) || !Number.isFinite(value) || value <= 0) {
        throw new Error(`${name} = ${JSON.stringify(raw)} is not a positive number of seconds`);
    }
    return value;
}
