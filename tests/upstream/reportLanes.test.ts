// The load test report's scale-up lanes in a real browser (Chromium, headless): the report of a fixed
// run is opened, the lanes' SVG photographed, and each step's bar measured in pixels of its colour
// along the middle row of its lane. The expected widths are written down by hand from the fixture:
// the run is 197 s long, so the plot's 788 px (860 − 56 − 16) give exactly 4 px per second.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as k8s from "@kubernetes/client-node";
import { chromium } from "playwright-core";
import { PNG } from "pngjs";
import { eventRecord, EventRecord, podRecord } from "../../loadtest/clusterRecords";
import { anatomyFor, reportHtml } from "../../loadtest/report";
import { LoadResult, ScalingSample } from "../../loadtest/types";
import { BASE_MS, imageEvents, IMAGES, pod, PodTimes, rescaleEvent } from "../anatomyFixtures";
import { findChromium } from "../../tools/testPrerequisites";
import { requireTool } from "./tools";

/** The headless Chromium npm test's prerequisites found (CHROMIUM, else Debian's on PATH). */
function chromiumPath(): string {
    return requireTool(findChromium() ?? "chromium-headless-shell", "apt-get install chromium-headless-shell (Debian/Ubuntu), or set CHROMIUM to a Chrome or Chromium binary");
}

const DEP = "cifar10-default-0-cifar10-pytorch";
const OLD: PodTimes = { name: `${DEP}-7d9f5c-aaaaa`, uid: "p0", created: -600, scheduled: -600, readyToStart: -598, download: { start: -597, end: -590, exitCode: 0 }, triton: -589, ready: -570 };
const A: PodTimes = { name: `${DEP}-7d9f5c-bbbbb`, uid: "pA", created: 20, scheduled: 20, readyToStart: 22, download: { start: 23, end: 29, exitCode: 0 }, triton: 30, ready: 44 };
const B: PodTimes = { name: `${DEP}-7d9f5c-ccccc`, uid: "pB", created: 20, scheduled: 21, readyToStart: 23, download: { start: 24, end: 31, exitCode: 0 }, triton: 62, ready: 75 };

/** A 197 s run: one replica, the HPA's metric above target from 10 s, both new pods created at 20 s by one decision at 19 s. */
function fixedRun(): LoadResult {
    const samples: ScalingSample[] = [];
    for (let t = 0; t <= 195; t += 5) {
        samples.push({ t, replicas: t < 20 ? 1 : 3, readyReplicas: t < 45 ? 1 : t < 75 ? 2 : 3,
            hpa: { name: DEP, currentReplicas: t < 20 ? 1 : 3, desiredReplicas: t < 19 ? 1 : 3, metric: t < 10 ? 12 : 31.5, target: 20, unit: "% CPU of request" } });
    }
    const events = [
        rescaleEvent(3, "cpu resource utilization (percentage of request) above target", 19),
        ...imageEvents(A.name, A.uid, "cifar10-pytorch", IMAGES.TRITON, 29, { present: true }),
        ...imageEvents(B.name, B.uid, "cifar10-pytorch", IMAGES.TRITON, 31, { to: 61, pulledIn: "29.5s", includingWaiting: "30s" }),
    ].map(e => eventRecord(e as k8s.CoreV1Event)).filter((e): e is EventRecord => e !== undefined);
    const result: LoadResult = {
        options: { host: "http://localhost:8080", path: "/infer", users: 100, spawnRate: 10, runTimeMs: 197_000, minWaitMs: 10, maxWaitMs: 100, timeoutMs: 10_000 },
        startedAt: new Date(BASE_MS).toISOString(),
        durationS: 197,
        requests: 1000, failures: 0, failuresByCause: {}, rps: 5, latencyMs: null,
        timeline: Array.from({ length: 197 }, (_, i) => ({ t: i + 1, users: 100, requests: 5, failures: 0, p50: 10, p95: 20 })),
        scaling: {
            namespace: "seldon", deployment: DEP, samples, errors: 0, errorsByMessage: {},
            cluster: { pods: [[OLD, 0], [A, 20], [B, 20]].map(([p, listed]) => podRecord(pod(p as PodTimes) as k8s.V1Pod, listed as number)), events,
                clock: { offsetMs: 0, uncertaintyMs: 100, observations: 40 } },
        },
    };
    result.scaling!.anatomy = anatomyFor(result);
    return result;
}

const hex = (r: number, g: number, b: number) => `#${[r, g, b].map(v => v.toString(16).padStart(2, "0")).join("")}`;

/** Runs of each colour along one pixel row: [colour, length] in order. */
function runsAlong(png: PNG, y: number): Array<[string, number]> {
    const runs: Array<[string, number]> = [];
    for (let x = 0; x < png.width; x++) {
        const i = (png.width * y + x) * 4;
        const c = hex(png.data[i], png.data[i + 1], png.data[i + 2]);
        const last = runs[runs.length - 1];
        if (last && last[0] === c) {
            last[1]++;
        } else {
            runs.push([c, 1]);
        }
    }
    return runs;
}

describe("the scale-up lanes of the report, in a real browser", function () {
    this.timeout(60_000);
    const executablePath = chromiumPath();

    it("draws each step as wide as it lasted: 4 px per second on the report's time axis", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lanes-"));
        const file = path.join(dir, "report.html");
        fs.writeFileSync(file, reportHtml(fixedRun()));
        const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
        try {
            const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
            await page.goto(`file://${file}`);
            const png = PNG.sync.read(await page.locator("svg.lanes").screenshot());
            assert.strictEqual(png.width, 860, "the lanes are drawn at their natural width");
            // Lane i's bar spans y = 44 + 34 i + 12 to + 28, so its middle row is 44 + 34 i + 20; the pull
            // strip under it spans + 29 to + 34.
            const laneA = runsAlong(png, 64);
            const laneB = runsAlong(png, 98);
            const pullB = runsAlong(png, 44 + 34 + 31);
            // By hand, A: signal 10-19 s (36 px), pod creation 19-20 (4), scheduling 20-20 (0), pod start
            // 20-23 (12), model download 23-29 (24), Triton start 29-30 (4), model load + readiness 30-44 (56).
            assert.deepStrictEqual(laneA.filter(([c]) => c !== "#ffffff"), [
                ["#9467bd", 36], ["#8c564b", 4], ["#7f7f7f", 12], ["#1f77b4", 24], ["#bcbd22", 4], ["#ff7f0e", 56],
            ]);
            // The first bar starts at 56 + 4 × 10 = 96 px.
            assert.deepStrictEqual(laneA[0], ["#ffffff", 96]);
            // B: signal 36, pod creation 4, scheduling 20-21 (4), pod start 21-24 (12), download 24-31 (28),
            // Triton start 31-62 (124), model load + readiness 62-75 (52).
            assert.deepStrictEqual(laneB.filter(([c]) => c !== "#ffffff"), [
                ["#9467bd", 36], ["#8c564b", 4], ["#e377c2", 4], ["#7f7f7f", 12], ["#1f77b4", 28], ["#bcbd22", 124], ["#ff7f0e", 52],
            ]);
            // Its Triton image pull, 31-61 s: 120 px from x = 56 + 124 = 180.
            assert.deepStrictEqual(pullB.filter(([c]) => c !== "#ffffff"), [["#d62728", 120]]);
            assert.deepStrictEqual(pullB[0], ["#ffffff", 180]);
            // The slowest step, in words, under the lanes.
            assert.match(await page.locator("p.slowest").innerText(), /^1 of 2 new replicas spent \d+% of their scale-up /);
        } finally {
            await browser.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
