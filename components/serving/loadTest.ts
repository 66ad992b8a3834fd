import * as crypto from "crypto";
import * as path from "path";
import * as esbuild from "esbuild";
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { LoadTestSettings } from "../../config";

/** The settings of an enabled load test. */
export type LoadTestRun = Extract<LoadTestSettings, { enabled: true }>;

export interface LoadTestArgs {
    settings: LoadTestRun;
    /** Namespace of the Job (the models'). */
    namespace: string;
    /** In-cluster base URL of the ingress gateway, e.g. http://istio-ingressgateway.istio-system.svc.cluster.local. */
    host: string;
    /** The model's infer path. */
    path: string;
    /** The model must serve before the load starts. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The project folder: the bundle names its sources relative to it, the same on every machine. */
const ROOT = path.join(__dirname, "..", "..");
/** The Job's entry point; the Job runs it bundled with what it imports, in a stock Node image. */
export const LOADGEN_ENTRY = path.join(ROOT, "loadtest", "job.ts");

/** Hard deadline of one request of the generator, and so its grace after the run time. */
export const REQUEST_TIMEOUT_SECONDS = 10;
/** Time for the Job's pod to be scheduled and its Node image pulled before the load starts. */
export const STARTUP_ALLOWANCE_SECONDS = 300;
/** The `node` user of the official Node images. */
const NODE_IMAGE_UID = 1000;

/**
 * The load test inside the cluster: a Job that runs the load generator against the ingress gateway
 * Service (no port-forward in the way). Its summary goes to the Job's log.
 */
export class LoadTest extends pulumi.ComponentResource {
    public readonly job: kx.Job;
    /** Where the Job's summary goes. */
    public readonly logsCommand: string;

    constructor(name: string, args: LoadTestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scalable-serving:serving:LoadTest", name, {}, opts);
        const script = loadGeneratorScript();
        const scriptSha = crypto.createHash("sha256").update(script).digest("hex").slice(0, 16);

        const configMap = new kx.ConfigMap(`${name}-script`, {
            metadata: { name: `${name}-script`, namespace: args.namespace },
            data: { "loadgen.js": script },
        }, { parent: this });

        const pod = new kx.PodBuilder({
            restartPolicy: "Never",
            // It talks to the gateway only: no Kubernetes API credentials in the pod.
            automountServiceAccountToken: false,
            securityContext: {
                runAsNonRoot: true,
                runAsUser: NODE_IMAGE_UID,
                runAsGroup: NODE_IMAGE_UID,
                seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [{
                name: "loadgen",
                image: args.settings.image,
                command: loadTestCommand(args),
                volumeMounts: [configMap.mount("/loadtest")],
                resources: { requests: { cpu: "500m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                // It writes nothing: the summary goes to the log.
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            }],
        });
        const activeDeadlineSeconds = loadTestDeadlineSeconds(args.settings);
        const spec = pod.asJobSpec({ backoffLimit: 0, activeDeadlineSeconds }).apply(s => loadTestJobSpec(s, scriptSha));

        // Pulumi waits for the Job to finish; Kubernetes stops it first, at its active deadline.
        const waitSeconds = activeDeadlineSeconds + 60;
        this.job = new kx.Job(name, { metadata: { name, namespace: args.namespace }, spec }, {
            parent: this,
            dependsOn: args.dependsOn,
            customTimeouts: { create: `${waitSeconds}s`, update: `${waitSeconds}s` },
        });
        this.logsCommand = `kubectl -n ${args.namespace} logs -f job/${name}`;
        this.registerOutputs({});
    }
}

/** The generator's command line, with the tutorial's semantics. */
export function loadTestCommand(args: Pick<LoadTestArgs, "settings" | "host" | "path">): string[] {
    const s = args.settings;
    return ["node", "/loadtest/loadgen.js", "--host", args.host, "--path", args.path,
        "--users", String(s.users), "--spawn-rate", String(s.spawnRate), "--run-time", s.runTime,
        "--timeout", `${REQUEST_TIMEOUT_SECONDS}s`];
}

/**
 * The Job's active deadline: the run time, the generator's grace after it (one request deadline),
 * and the pod's start (scheduling, image pull). A run that hangs anyway is stopped by Kubernetes.
 */
export function loadTestDeadlineSeconds(s: Pick<LoadTestRun, "runTimeMs">): number {
    return Math.ceil(s.runTimeMs / 1000) + REQUEST_TIMEOUT_SECONDS + STARTUP_ALLOWANCE_SECONDS;
}

/**
 * The Job's pod: no Istio sidecar (a Job whose sidecar keeps running never completes; the gateway is
 * reached as a plain Service), and the script's hash, so a changed generator re-runs the Job.
 */
export function loadTestJobSpec(spec: k8s.types.input.batch.v1.JobSpec, scriptSha: string): k8s.types.input.batch.v1.JobSpec {
    const template = spec.template as k8s.types.input.core.v1.PodTemplateSpec;
    const metadata = (template.metadata ?? {}) as k8s.types.input.meta.v1.ObjectMeta;
    return {
        ...spec,
        template: {
            ...template,
            metadata: {
                ...metadata,
                labels: { ...(metadata.labels as Record<string, string>), "sidecar.istio.io/inject": "false" },
                annotations: { "scalable-serving/loadgen-sha256": scriptSha },
            },
        },
    };
}

/**
 * loadtest/job.ts bundled with what it imports into one CommonJS script that needs only Node's
 * built-ins. The same sources give the same bytes (esbuild is deterministic), so previews stay quiet.
 */
export function loadGeneratorScript(): string {
    const result = esbuild.buildSync({
        entryPoints: [LOADGEN_ENTRY],
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        write: false,
        logLevel: "silent",
    });
    return result.outputFiles[0].text;
}
