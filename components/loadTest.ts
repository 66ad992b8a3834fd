import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { LoadTestSettings } from "../config";

export interface LoadTestArgs {
    settings: LoadTestSettings;
    /** Namespace of the Job (the models'). */
    namespace: string;
    /** In-cluster base URL of the ingress gateway, e.g. http://istio-ingressgateway.istio-system.svc.cluster.local. */
    host: string;
    /** The model's infer path. */
    path: string;
    /** The model must serve before the load starts. */
    dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** Where the generator's source lives; the Job runs it transpiled, in a stock Node image. */
export const LOADGEN_SOURCE = path.join(__dirname, "..", "loadtest", "loadgen.ts");

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
            containers: [{
                name: "loadgen",
                image: args.settings.image,
                command: loadTestCommand(args),
                volumeMounts: [configMap.mount("/loadtest")],
                resources: { requests: { cpu: "500m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
            }],
        });
        const spec = pod.asJobSpec({ backoffLimit: 0 }).apply(s => loadTestJobSpec(s, scriptSha));

        // Pulumi waits for the Job to finish: allow the run time plus the spawn and a margin.
        const waitSeconds = Math.ceil(args.settings.runTimeMs / 1000 + args.settings.users / args.settings.spawnRate) + 300;
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
        "--users", String(s.users), "--spawn-rate", String(s.spawnRate), "--run-time", s.runTime];
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

/** loadtest/loadgen.ts as CommonJS for `node` in the Job (it imports only Node's built-ins). */
export function loadGeneratorScript(): string {
    const source = fs.readFileSync(LOADGEN_SOURCE, "utf8");
    return ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: "loadgen.ts",
    }).outputText;
}
