// Settings that Pulumi passes to the processes it spawns, through their environment.

/** A positive number of seconds from environment variable `name` (or `fallback`); throws naming it otherwise. */
export function positiveSeconds(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): number {
    const raw = env[name] ?? fallback;
    if (!/^[0-9]+(\.[0-9]+)?$/.test(raw.trim()) || Number(raw) <= 0) {
        throw new Error(`${name} = ${JSON.stringify(raw)} is not a positive number of seconds`);
    }
    return Number(raw);
}

/** An http(s) URL from environment variable `name`; throws naming it otherwise. */
export function httpUrl(name: string, env: NodeJS.ProcessEnv = process.env): string {
    const raw = env[name] ?? "";
    if (!/^https?:\/\//.test(raw)) {
        throw new Error(`${name} = ${JSON.stringify(raw)} is not an http(s) URL`);
    }
    return raw;
}
