// What the cluster measured, kept in the repository: the model's profile and a new replica's readiness
// from a watched load test (the e2e workflow's, or yours), written by `npm run simulate -- --profile
// REPORT --write-measured twin/measured.json`. When the file is committed, plans and simulations use
// it instead of the estimate; every output names where its numbers came from.
import * as fs from "fs";
import * as path from "path";
import type { LoadResult } from "../loadtest/types";
import { readinessFromReport } from "./calibrate";
import { ModelProfile, profileFromReport } from "./profile";

export const MEASURED_FILE = "twin/measured.json";

export interface Measured {
    profile: ModelProfile;
    /** Undefined when the report had no scale-up anatomy with a Ready replica. */
    readiness?: { seconds: number; source: string };
    /** The report it came from and when that run started. */
    from: { report: string; startedAt: string };
}

/** The measurements of one watched load test. */
export function measuredFrom(report: LoadResult, reportName: string): Measured {
    const readiness = readinessFromReport(report);
    return { profile: profileFromReport(report), ...(readiness ? { readiness } : {}), from: { report: reportName, startedAt: report.startedAt } };
}

export class MeasuredFileError extends Error {}

const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

/** The committed measurements, or undefined without the file; a file that is not one is an error naming what is wrong. */
export function readMeasured(root: string): Measured | undefined {
    const file = path.join(root, MEASURED_FILE);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    let m: Measured;
    try {
        m = JSON.parse(fs.readFileSync(file, "utf8")) as Measured;
    } catch (e) {
        throw new MeasuredFileError(`${MEASURED_FILE} is not JSON (${(e as Error).message}): write it again with npm run simulate -- --profile REPORT --write-measured ${MEASURED_FILE}`);
    }
    const p = m?.profile;
    const curve = Array.isArray(p?.curve) ? p.curve : [];
    const ascending = curve.every((c, i) => positive(c?.concurrency) && positive(c?.perSecond) && positive(c?.latencyMs) &&
        (i === 0 || (c.concurrency > curve[i - 1].concurrency && c.perSecond >= curve[i - 1].perSecond && c.latencyMs >= curve[i - 1].latencyMs)));
    if (!p || curve.length === 0 || !ascending || !positive(p.coresAtCapacity) || typeof p.source?.text !== "string" ||
        (m.readiness !== undefined && (!positive(m.readiness.seconds) || m.readiness.seconds > 3600)) || typeof m.from?.report !== "string") {
        throw new MeasuredFileError(`${MEASURED_FILE} is not a measurement (a profile whose curve of concurrency, perSecond and latencyMs rises and whose coresAtCapacity is above 0, ` +
            `readiness from 1 to 3600 s, and the report it came from): write it again with npm run simulate -- --profile REPORT --write-measured ${MEASURED_FILE}`);
    }
    return m;
}
