// Kubeconfigs that point at a fake Kubernetes API server of a test (a local http server on 127.0.0.1).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@kubernetes/client-node";
import { stringify } from "yaml";

/** A kubeconfig whose current context `fake` reaches `server`. */
export function fakeKubeConfig(server: string, token?: string): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfigText(server, "fake", "fake", [], token));
    return kc;
}

/**
 * A kubeconfig file for child processes (KUBECONFIG): context `context` reaches `server`; the
 * current context is `current`, which may be one of `elsewhere`, contexts on a cluster that does not exist.
 */
export function kubeconfigFile(server: string, context = "fake", current = context, elsewhere: string[] = []): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-")), "config");
    fs.writeFileSync(file, kubeconfigText(server, context, current, elsewhere));
    return file;
}

function kubeconfigText(server: string, context: string, current = context, elsewhere: string[] = [], token?: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": current,
        clusters: [{ name: "fake", cluster: { server, "insecure-skip-tls-verify": true } }],
        users: [{ name: "fake", user: token ? { token } : {} }],
        contexts: [context, ...elsewhere].map(name => ({ name, context: { cluster: name === context ? "fake" : "nowhere", user: "fake" } })),
    });
}
