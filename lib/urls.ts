// One rule for every URL a setting or an option holds: where it points, and no credentials inside it.
// A password in a URL ends up in plain text wherever the URL goes (the plan, a Kubernetes object, a
// command's environment, a report), so the program refuses it and says where credentials go instead.

/** A URL with its user name and password replaced, safe to print. */
export function redactedUrl(text: string): string {
    try {
        const u = new URL(text);
        if (u.username || u.password) {
            u.username = "REDACTED";
            u.password = "";
        }
        return u.toString();
    } catch {
        // Not a URL: keep what cannot hold credentials, hide anything between :// and @.
        return text.replace(/(\w+:\/\/)[^/@\s]*@/, "$1REDACTED@");
    }
}

/**
 * What is wrong with a URL for a setting or option: not a URL, a scheme not allowed, or credentials
 * inside it (`instead` says where they go, or that the endpoint must not need them). Undefined when
 * it is fine. Messages show the URL with its credentials redacted.
 */
export function urlProblem(text: string, schemes: readonly string[], instead: string): string | undefined {
    let u: URL;
    try {
        u = new URL(text);
    } catch {
        return `${JSON.stringify(redactedUrl(text))} is not a URL: use a ${schemes.map(s => `${s}://`).join(" or ")} URL`;
    }
    if (!schemes.includes(u.protocol.replace(/:$/, ""))) {
        return `${JSON.stringify(redactedUrl(text))} is not an ${schemes.map(s => `${s}://`).join(" or ")} URL`;
    }
    if (u.username !== "" || u.password !== "") {
        return `${JSON.stringify(redactedUrl(text))} carries credentials inside the URL, where they would be stored and shown in plain text: ${instead}`;
    }
    return undefined;
}
