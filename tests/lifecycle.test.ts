// `npm run up:kind` and `npm run down:kind` after their checks, with every command scripted at the
// process boundary (no Docker, kind or Pulumi here), and the real process runner's deadline and
// heartbeat against real child processes.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { DEFAULTS } from "../config/defaults";
import { DEADLINES_MS, down, Lifecycle, StepFailed, up } from "../scripts/lifecycle/lifecycle";
import { Captured, hostProc, Proc } from "../scripts/lifecycle/proc";
import { forgetWithCluster, reconcilePlan, StateResource } from "../scripts/lifecycle/state";
import { baseConfig, PROJECT, ROOT, runProgram } from "./harness";

type Reply = Partial<Captured> | ((args: string[]) => Partial<Captured>);

/** A Proc that answers from a script (first matching prefix wins) and records every command. */
function scripted(replies: Array<[string, Reply]>, streamed: Record<string, number> = {}) {
    const calls: string[] = [];
    const proc: Proc = {
        capture: async (command, args) => {
            const line = [command, ...args].join(" ");
            calls.push(line);
            const hit = replies.find(([prefix]) => line.startsWith(prefix));
            const reply = hit ? (typeof hit[1] === "function" ? hit[1](args) : hit[1]) : { status: 1, stderr: `unscripted: ${line}` };
            return { status: 0, stdout: "", stderr: "", ...reply };
        },
        stream: async (command, args) => {
            const line = [command, ...args].join(" ");
            calls.push(`[stream] ${line}`);
            const hit = Object.entries(streamed).find(([prefix]) => line.startsWith(prefix));
            return hit ? hit[1] : 0;
        },
    };
    const lines: string[] = [];
    const lifecycle: Lifecycle = { proc, log: l => lines.push(l), root: ROOT };
    return { lifecycle, calls, lines };
}

const ALL_IMAGES = JSON.stringify({ images: [DEFAULTS.tritonImage, "docker.io/seldonio/seldon-core-operator:1.17.1",
    "docker.io/seldonio/seldon-core-executor:1.17.1", "docker.io/seldonio/rclone-storage-initializer:1.17.1"].map(t => ({ repoTags: [t] })) });
const NO_IMAGES = JSON.stringify({ images: [] });
const exported = (resources: StateResource[]) => JSON.stringify({ version: 3, deployment: { resources } });
const namespaces = (entries: Record<string, string>) => JSON.stringify({ items: Object.entries(entries).map(([name, uid]) => ({ metadata: { name, uid } })) });

describe("the dev stack's lifecycle on kind (scripts/lifecycle)", () => {
    let state: StateResource[];
    before(async () => {
        // The dev stack as the program registers it, in state form: real URNs, types and provider references.
        const stack = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, string>;
        const run = await runProgram({ ...stack, [`${PROJECT}:modelRepositoryPath`]: baseConfig().modelRepositoryPath }, { stack: "dev" });
        assert.ifError(run.error);
        state = run.resources.map(r => ({
            urn: r.urn, type: r.type, custom: r.custom, provider: r.provider,
            outputs: r.type === "kubernetes:core/v1:Namespace" ? { metadata: { name: r.inputs.metadata.name, uid: `uid-${r.inputs.metadata.name}` } } : {},
        }));
    });
    /** An up:kind run on a machine where the cluster, the images and the dev stack's state exist; the cluster's namespaces as given. */
    const upWithState = (live: Record<string, string>): Array<[string, Reply]> => [
        ["kind get clusters", { stdout: "scalable-serving\n" }],
        ["kubectl config use-context", {}],
        ["docker exec", { stdout: ALL_IMAGES }],
        ["./pulumi-dev stack select", {}],
        ["./pulumi-dev stack export", { stdout: exported(state) }],
        ["kubectl --context kind-scalable-serving get namespaces", { stdout: namespaces(live) }],
    ];
    const liveUids = () => Object.fromEntries(state.filter(r => r.type === "kubernetes:core/v1:Namespace").map(r => {
        const m = r.outputs!.metadata as { name: string; uid: string };
        return [m.name, m.uid];
    }));

    describe("up", () => {
        it("on a fresh machine: creates the cluster, pulls and loads every image with progress, then pulumi up", async () => {
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "other\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl images -o json", { stdout: NO_IMAGES }],
                ["docker image inspect", { status: 1, stderr: "No such image" }],
                ["./pulumi-dev stack select --create dev", {}],
                ["./pulumi-dev stack export --stack dev", { stdout: exported([]) }],
                ["kubectl --context kind-scalable-serving get namespaces -o json", { stdout: namespaces({ default: "d" }) }],
            ]);
            await up(lifecycle);
            const streamed = calls.filter(c => c.startsWith("[stream]"));
            assert.strictEqual(streamed[0], "[stream] kind create cluster --config kind/cluster.yaml");
            assert.strictEqual(streamed.filter(c => c.includes("docker pull --platform linux/amd64")).length, 4);
            assert.strictEqual(streamed.filter(c => c.includes("kind load docker-image --name scalable-serving")).length, 4);
            assert.ok(streamed.indexOf(`[stream] docker pull --platform linux/amd64 ${DEFAULTS.tritonImage}`) <
                streamed.indexOf(`[stream] kind load docker-image --name scalable-serving ${DEFAULTS.tritonImage}`));
            assert.strictEqual(streamed.at(-1), "[stream] ./pulumi-dev up --yes --stack dev");
            assert.ok(lines.some(l => l.startsWith("images: 4 to load into the kind node, 0 already there")));
            assert.ok(lines.some(l => /^pulling \[1\/4\] nvcr\.io\/nvidia\/tritonserver/.test(l)));
            assert.ok(lines.includes("state: a new stack"));
            assert.ok(lines.some(l => l.includes("./pulumi-dev stack output curlExample")));
        });

        it("a second run: the cluster, the images and the state are there, so it goes straight to pulumi up", async () => {
            const { lifecycle, calls, lines } = scripted(upWithState(liveUids()));
            await up(lifecycle);
            assert.deepStrictEqual(calls.filter(c => c.startsWith("[stream]")), ["[stream] ./pulumi-dev up --yes --stack dev"]);
            assert.ok(!calls.some(c => c.startsWith("docker image inspect")));
            assert.ok(lines.includes("state: describes this cluster"));
        });

        it("an image already pulled on the host is loaded without pulling it again", async () => {
            const { lifecycle, calls } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec", { stdout: JSON.stringify({ images: JSON.parse(ALL_IMAGES).images.slice(1) }) }],
                ["docker image inspect", { stdout: "sha256:abc" }],
                ["./pulumi-dev stack select", {}],
                ["./pulumi-dev stack export", { stdout: exported([]) }],
                ["kubectl --context", { stdout: namespaces({}) }],
            ]);
            await up(lifecycle);
            assert.ok(!calls.some(c => c.includes("docker pull")));
            assert.deepStrictEqual(calls.filter(c => c.includes("kind load")), [`[stream] kind load docker-image --name scalable-serving ${DEFAULTS.tritonImage}`]);
        });

        it("after the cluster was recreated by hand: refreshes the Kubernetes resources, forgets the rest that lived there, then up", async () => {
            const recreated = Object.fromEntries(Object.keys(liveUids()).map(n => [n, `new-${n}`]));
            const { lifecycle, calls, lines } = scripted(upWithState(recreated));
            await up(lifecycle);
            const streamed = calls.filter(c => c.startsWith("[stream]"));
            const plan = reconcilePlan(state);
            assert.ok(plan.refresh.length > 10 && plan.forget.length >= 4, "the dev stack has Kubernetes resources to refresh and commands/objects to forget");
            assert.ok(streamed[0].startsWith("[stream] ./pulumi-dev refresh --yes --skip-preview --stack dev --target "));
            for (const urn of plan.refresh) {
                assert.ok(streamed[0].includes(`--target ${urn}`));
            }
            assert.deepStrictEqual(streamed.slice(1, -1), plan.forget.map(u => `[stream] ./pulumi-dev state delete --yes --stack dev ${u}`));
            // The uploads to the in-cluster store and the smoke test are among them: they run again on the new cluster.
            assert.ok(plan.forget.some(u => u.includes("BucketObjectv2")));
            assert.ok(plan.forget.some(u => u.endsWith("cifar10-smoke-test")));
            assert.strictEqual(streamed.at(-1), "[stream] ./pulumi-dev up --yes --stack dev");
            assert.ok(lines.some(l => l.startsWith("state: describes another cluster")));
        });

        it("a failed pulumi up fails the run, naming the step", async () => {
            const { lifecycle } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec", { stdout: ALL_IMAGES }],
                ["./pulumi-dev stack", { stdout: exported([]) }],
                ["kubectl --context", { stdout: namespaces({}) }],
            ], { "./pulumi-dev up": 255 });
            await assert.rejects(up(lifecycle), (e: Error) => e instanceof StepFailed && /pulumi up failed \(exit 255\)/.test(e.message));
        });

        it("a pull that never ends is stopped at its deadline and reported", async () => {
            const { lifecycle } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec", { stdout: NO_IMAGES }],
                ["docker image inspect", { status: 1 }],
            ], { "docker pull": null as unknown as number });
            await assert.rejects(up(lifecycle), (e: Error) => e instanceof StepFailed && new RegExp(`no result within ${DEADLINES_MS.pull / 60000} min`).test(e.message));
        });

        it("Docker or kind not answering is a clear failure before anything else", async () => {
            const { lifecycle, calls } = scripted([["kind get clusters", { status: 1, stderr: "Cannot connect to the Docker daemon" }]]);
            await assert.rejects(up(lifecycle), /kind get clusters.*Cannot connect to the Docker daemon/);
            assert.strictEqual(calls.length, 1);
        });
    });

    describe("down", () => {
        it("destroys the stack, deletes the cluster, and says what it kept", async () => {
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["./pulumi-dev stack ls --json", { stdout: JSON.stringify([{ name: "dev" }]) }],
                ["./pulumi-dev stack export", { stdout: exported(state) }],
                ["docker image inspect", args => (args.at(-1) === DEFAULTS.tritonImage ? { stdout: "sha256:1" } : { status: 1 })],
            ]);
            await down(lifecycle);
            assert.deepStrictEqual(calls.filter(c => c.startsWith("[stream]")), [
                "[stream] ./pulumi-dev destroy --yes --skip-preview --stack dev",
                "[stream] kind delete cluster --name scalable-serving",
            ]);
            assert.ok(lines.includes("Kept, and how to remove it:"));
            assert.ok(lines.some(l => l.includes(`docker image rm ${DEFAULTS.tritonImage}`) && !l.includes("seldon-core-operator")));
            assert.ok(lines.some(l => l.includes(".pulumi-state")));
        });

        it("with the cluster deleted by hand: forgets what lived in it, destroys the rest, no cluster to delete", async () => {
            const { lifecycle, calls } = scripted([
                ["kind get clusters", { stdout: "" }],
                ["./pulumi-dev stack ls --json", { stdout: JSON.stringify([{ name: "dev" }]) }],
                ["./pulumi-dev stack export", { stdout: exported(state) }],
                ["docker image inspect", { status: 1 }],
            ]);
            await down(lifecycle);
            const streamed = calls.filter(c => c.startsWith("[stream]"));
            const forget = forgetWithCluster(state);
            assert.deepStrictEqual(streamed, [
                ...forget.map(u => `[stream] ./pulumi-dev state delete --yes --stack dev ${u}`),
                "[stream] ./pulumi-dev destroy --yes --skip-preview --stack dev",
            ]);
        });

        it("twice in a row: the second finds nothing to do", async () => {
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "" }],
                ["./pulumi-dev stack ls --json", { stdout: "[]" }],
                ["docker image inspect", { status: 1 }],
            ]);
            await down(lifecycle);
            assert.ok(!calls.some(c => c.startsWith("[stream]")));
            assert.ok(lines.some(l => l.startsWith("nothing to tear down")));
        });
    });

    describe("the process runner (hostProc)", () => {
        it("captures output and status", async () => {
            const r = await hostProc(ROOT).capture("sh", ["-c", "echo out; echo err >&2; exit 3"], { timeoutMs: 30_000 });
            assert.deepStrictEqual(r, { status: 3, stdout: "out\n", stderr: "err\n" });
        });

        it("stops a command at its deadline and reports no status", async () => {
            const r = await hostProc(ROOT).capture("sleep", ["600"], { timeoutMs: 300 });
            assert.strictEqual(r.status, null);
            assert.match(r.stderr, /no answer within 0\.3 s/);
        });

        it("a missing command is a failure, not a crash", async () => {
            const r = await hostProc(ROOT).capture("no-such-command-here", [], { timeoutMs: 30_000 });
            assert.strictEqual(r.status, null);
        });

        it("a quiet streamed command gets heartbeat lines while it runs", async () => {
            // The command ends only once a heartbeat was logged: no race with the clock.
            const flag = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "heartbeat-")), "seen");
            const log = (line: string) => {
                if (line.includes("still loading")) {
                    fs.writeFileSync(flag, line);
                }
            };
            const status = await hostProc(ROOT, log, 50).stream("sh", ["-c", `while [ ! -f '${flag}' ]; do sleep 0.05; done`],
                { timeoutMs: 60_000, what: "loading", quiet: true });
            assert.strictEqual(status, 0);
            assert.match(fs.readFileSync(flag, "utf8"), /… still loading \(\d+s\)/);
        });
    });
});
