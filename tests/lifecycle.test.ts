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
import { Captured, hostProc, Proc, ProcTiming } from "../scripts/lifecycle/proc";
import { DEV_STACK } from "../scripts/lifecycle/devStack";
import { reply } from "./v2answers";
import { forgetWithCluster, reconcilePlan, StateResource } from "../scripts/lifecycle/state";
import { baseConfig, PROJECT, ROOT, runProgram } from "./harness";

type Reply = Partial<Captured> | ((args: string[]) => Partial<Captured>);

/** A project folder for the lifecycle: the dev stack's config, and the model built unless `built` is false. */
function projectRoot(built = true): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(root, "Pulumi.dev.yaml"));
    if (built) {
        fs.mkdirSync(path.join(root, path.dirname(DEV_STACK.builtModel)), { recursive: true });
        fs.writeFileSync(path.join(root, DEV_STACK.builtModel), "torchscript stand-in");
    }
    return root;
}

/**
 * A Proc that answers from a script (first matching prefix wins) and records every command; streamed
 * and piped commands answer from `streamed` (a status, or a function that decides when to finish).
 */
function scripted(replies: Array<[string, Reply]>, streamed: Record<string, number | (() => Promise<number | null>)> = {}, root = projectRoot()) {
    const calls: string[] = [];
    const finish = async (line: string) => {
        const hit = Object.entries(streamed).find(([prefix]) => line.startsWith(prefix));
        const status = hit ? (typeof hit[1] === "function" ? await hit[1]() : hit[1]) : 0;
        calls.push(`[end] ${line}`);
        return status;
    };
    const proc: Proc = {
        capture: async (command, args) => {
            const line = [command, ...args].join(" ");
            calls.push(line);
            const hit = [...replies, ...UP_DEFAULTS].find(([prefix]) => line.startsWith(prefix));
            const reply = hit ? (typeof hit[1] === "function" ? hit[1](args) : hit[1]) : { status: 1, stderr: `unscripted: ${line}` };
            return { status: 0, stdout: "", stderr: "", ...reply };
        },
        stream: async (command, args) => {
            const line = [command, ...args].join(" ");
            calls.push(`[stream] ${line}`);
            return finish(line);
        },
        pipe: async (from, to) => {
            const line = `${[from[0], ...from[1]].join(" ")} | ${[to[0], ...to[1]].join(" ")}`;
            calls.push(`[pipe] ${line}`);
            return finish(line);
        },
    };
    const lines: string[] = [];
    const lifecycle: Lifecycle = { proc, log: l => lines.push(l), root };
    return { lifecycle, calls, lines };
}

/** A containerd 2 config dump as the kind node prints it (config version 3), trimmed to what matters. */
const CONTAINERD_CONFIG = `version = 3\n[plugins]\n  [plugins."io.containerd.cri.v1.images"]\n    snapshotter = "overlayfs"\n    [plugins."io.containerd.cri.v1.images".pinned_images]\n      sandbox = "registry.k8s.io/pause:3.10"\n`;
const CURL = `curl -sS -X POST -H 'Content-Type: application/json' -d "$(./pulumi-dev stack output inferenceRequest)" http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer`;
const ANSWER = JSON.stringify(reply({ data: [0.05, 0.05, 0.05, 0.55, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05] }));

/** What every up run after its images asks, answered as a healthy machine would. */
const UP_DEFAULTS: Array<[string, Reply]> = [
    ["docker exec scalable-serving-control-plane containerd config dump", { stdout: CONTAINERD_CONFIG }],
    ["docker version --format {{.Server.APIVersion}}", { stdout: "1.49\n" }],
    ["./pulumi-dev stack output curlExample --stack dev", { stdout: `${CURL}\n` }],
    ["sh -c curl", { stdout: ANSWER }],
];

/** What Docker answers for a container that does not exist (exit 1). */
const NO_NODE: Partial<Captured> = { status: 1, stderr: "Error response from daemon: No such container: scalable-serving-control-plane\n" };

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
                ["docker container inspect", NO_NODE],
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
            // Each image streams from docker save into the node's containerd: one platform, no tar, the kubelet's namespace.
            const loads = calls.filter(c => c.startsWith("[pipe]"));
            assert.strictEqual(loads.length, 4);
            assert.strictEqual(loads[0], `[pipe] docker save --platform linux/amd64 ${DEFAULTS.tritonImage} | docker exec -i scalable-serving-control-plane ` +
                "ctr --namespace=k8s.io images import --platform linux/amd64 --digests --snapshotter=overlayfs -");
            assert.ok(!calls.some(c => c.includes("kind load") || c.includes("--all-platforms") || / -o /.test(c.split("|")[0]) && c.includes("docker save")));
            assert.ok(calls.indexOf(`[end] docker pull --platform linux/amd64 ${DEFAULTS.tritonImage}`) < calls.indexOf(loads[0]));
            assert.strictEqual(streamed.at(-1), "[stream] ./pulumi-dev up --yes --stack dev");
            assert.ok(lines.some(l => l.startsWith("images: 4 to load into the kind node, 0 already there")));
            assert.ok(lines.some(l => /^pulling \[1\/4\] nvcr\.io\/nvidia\/tritonserver.*about 5 GB to download: 10 to 30 min/.test(l)));
            assert.ok(lines.some(l => /^creating the kind cluster, about 1 min/.test(l)));
            assert.ok(lines.some(l => /^pulumi up, 5 to 10 min/.test(l)));
            assert.ok(lines.includes("state: a new stack"));
            // Then the first request, with the very command the stack prints, and its answer.
            assert.ok(calls.includes(`sh -c ${CURL}`));
            const first = lines.indexOf("The first request (`./pulumi-dev stack output curlExample` prints it):");
            assert.ok(first > 0 && lines[first + 1] === `  ${CURL}`);
            assert.ok(lines.includes(`  ${ANSWER}`));
            assert.ok(lines.some(l => l.includes('most likely "cat" (p = 0.550)')));
        });

        it("builds a missing model alongside the image pulls, into a log file, and runs pulumi up only after both", async () => {
            let pullEnded!: () => void;
            const pulled = new Promise<void>(resolve => (pullEnded = resolve));
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl", { stdout: JSON.stringify({ images: JSON.parse(ALL_IMAGES).images.slice(1) }) }],
                ["docker image inspect", { status: 1 }],
                ["./pulumi-dev stack select", {}],
                ["./pulumi-dev stack export", { stdout: exported([]) }],
                ["kubectl --context", { stdout: namespaces({}) }],
            ], {
                // The build finishes only once a pull has finished: a serial lifecycle would never get there.
                "sh model/build.sh": async () => { await pulled; return 0; },
                "docker pull": async () => { pullEnded(); return 0; },
            }, projectRoot(false));
            await up(lifecycle);
            const at = (c: string) => calls.indexOf(c);
            const pull = `docker pull --platform linux/amd64 ${DEFAULTS.tritonImage}`;
            assert.ok(at("[stream] sh model/build.sh") >= 0 && at("[stream] sh model/build.sh") < at(`[stream] ${pull}`), calls.join("\n"));
            assert.ok(at(`[end] ${pull}`) < at("[end] sh model/build.sh"), "the pull ended while the build ran");
            assert.ok(at("[end] sh model/build.sh") < at("[stream] ./pulumi-dev up --yes --stack dev"));
            assert.ok(lines.some(l => /^building the model \(npm run build:model\), 5 to 15 min .*FAKE_DATA=512: seconds.*output in \.cache\/model-build\.log/.test(l)));
        });

        it("a failed model build stops the run after the images, naming its log and the offline way; pulumi up never runs", async () => {
            const { lifecycle, calls } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl", { stdout: ALL_IMAGES }],
            ], { "sh model/build.sh": 1 }, projectRoot(false));
            await assert.rejects(up(lifecycle), (e: Error) => e instanceof StepFailed && /building the model failed \(exit 1\); see \.cache\/model-build\.log\. Without internet: FAKE_DATA=512 npm run up:kind/.test(e.message));
            assert.ok(!calls.some(c => c.includes("pulumi-dev up")));
        });

        it("a failed load stops the run naming the image, after waiting for the model build it started", async () => {
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl", { stdout: NO_IMAGES }],
                ["docker image inspect", { stdout: "sha256:1" }],
            ], { "docker save": 1 }, projectRoot(false));
            await assert.rejects(up(lifecycle), (e: Error) => e instanceof StepFailed && /^loading \[1\/4\] nvcr\.io\/nvidia\/tritonserver.* failed \(exit 1\)/.test(e.message));
            assert.ok(calls.includes("[end] sh model/build.sh"));
            assert.ok(lines.some(l => l.endsWith("waiting for the model build to finish before stopping")));
        });

        it("an older Docker (API < 1.48) saves without --platform and says so; --drop-host-images removes each host copy once imported", async () => {
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl", { stdout: JSON.stringify({ images: JSON.parse(ALL_IMAGES).images.slice(1) }) }],
                ["docker image inspect", { stdout: "sha256:1" }],
                ["docker version", { stdout: "1.47\n" }],
                ["./pulumi-dev stack select", {}],
                ["./pulumi-dev stack export", { stdout: exported([]) }],
                ["kubectl --context", { stdout: namespaces({}) }],
            ]);
            await up({ ...lifecycle, dropHostImages: true });
            const load = calls.find(c => c.startsWith("[pipe]"))!;
            assert.ok(load.startsWith(`[pipe] docker save ${DEFAULTS.tritonImage} | `) && load.includes("import --platform linux/amd64"), load);
            assert.ok(lines.some(l => l.includes("older than 28")));
            assert.ok(calls.indexOf(`[stream] docker image rm ${DEFAULTS.tritonImage}`) > calls.indexOf(`[end] ${load.slice(7)}`));
        });

        it("a first request without a valid answer fails the run, showing what came back", async () => {
            const { lifecycle } = scripted([...upWithState(liveUids()), ["sh -c curl", { stdout: "<html>no healthy upstream</html>" }]]);
            await assert.rejects(up(lifecycle), (e: Error) => e instanceof StepFailed && /first request got no valid answer: .*not JSON.*no healthy upstream/.test(e.message));
        });

        it("a node whose containerd names no snapshotter stops before any import, saying how to recover", async () => {
            const { lifecycle, calls } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl", { stdout: NO_IMAGES }],
                ["docker exec scalable-serving-control-plane containerd config dump", { stdout: "version = 3\n" }],
            ]);
            await assert.rejects(up(lifecycle), /cannot tell which snapshotter .* names none.*npm run down:kind && npm run up:kind/);
            assert.ok(!calls.some(c => c.startsWith("[pipe]")));
        });

        it("a second run: the cluster, the images and the state are there, so it goes straight to pulumi up", async () => {
            const { lifecycle, calls, lines } = scripted(upWithState(liveUids()));
            await up(lifecycle);
            assert.deepStrictEqual(calls.filter(c => c.startsWith("[stream]") || c.startsWith("[pipe]")), ["[stream] ./pulumi-dev up --yes --stack dev"]);
            assert.ok(!calls.some(c => c.startsWith("docker image inspect")));
            assert.ok(lines.includes("state: describes this cluster"));
        });

        it("an image already pulled on the host is loaded without pulling it again", async () => {
            const { lifecycle, calls } = scripted([
                ["kind get clusters", { stdout: "scalable-serving\n" }],
                ["kubectl config use-context", {}],
                ["docker exec scalable-serving-control-plane crictl", { stdout: JSON.stringify({ images: JSON.parse(ALL_IMAGES).images.slice(1) }) }],
                ["docker image inspect", { stdout: "sha256:abc" }],
                ["./pulumi-dev stack select", {}],
                ["./pulumi-dev stack export", { stdout: exported([]) }],
                ["kubectl --context", { stdout: namespaces({}) }],
            ]);
            await up(lifecycle);
            assert.ok(!calls.some(c => c.includes("docker pull")));
            assert.deepStrictEqual(calls.filter(c => c.startsWith("[pipe]")).map(c => c.split(" | ")[0]), [`[pipe] docker save --platform linux/amd64 ${DEFAULTS.tritonImage}`]);
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
                ["docker exec scalable-serving-control-plane crictl", { stdout: NO_IMAGES }],
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
                ["kind get clusters", { stdout: "", stderr: "No kind clusters found.\n" }],
                ["docker container inspect", NO_NODE],
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

        it("a cluster counts as gone only on positive evidence: every other answer stops the teardown and changes nothing", async () => {
            const shapes: Array<[string, Partial<Captured>, Partial<Captured> | undefined]> = [
                ["kind exits 0 with a warning instead of names", { stdout: "WARNING: docker is slow\n" }, NO_NODE],
                ["kind prints garbage", { stdout: "\u0000\u0001{not a name}\n" }, NO_NODE],
                ["kind fails", { status: 1, stderr: "ERROR: failed to list clusters" }, NO_NODE],
                ["kind never answers", { status: null, stderr: "kind: no answer within 60 s" }, NO_NODE],
                ["kind lists a similar name only, and the node container still exists", { stdout: "scalable-serving-2\n" }, { stdout: "abc123" }],
                ["kind lists nothing, and Docker cannot be asked", { stdout: "" }, { status: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" }],
                ["kind lists nothing, and docker inspect never answers", { stdout: "" }, { status: null, stderr: "" }],
                ["kind lists nothing, and Docker says something else", { stdout: "" }, { status: 1, stderr: "permission denied" }],
            ];
            for (const [what, kind, inspect] of shapes) {
                const { lifecycle, calls } = scripted([
                    ["kind get clusters", kind],
                    ["docker container inspect", inspect ?? NO_NODE],
                    ["./pulumi-dev stack ls --json", { stdout: JSON.stringify([{ name: "dev" }]) }],
                    ["./pulumi-dev stack export", { stdout: exported(state) }],
                ]);
                await assert.rejects(down(lifecycle), (e: Error) => e instanceof StepFailed && /cannot tell whether the kind cluster scalable-serving exists, so nothing was changed/.test(e.message), what);
                assert.ok(!calls.some(c => c.startsWith("[stream]") || c.includes("state delete") || c.includes("destroy")), `${what}: ${calls.join(", ")}`);
            }
        });

        it("garbage, empty or null answers from pulumi, kubectl and crictl are a message, never a stack trace, and change nothing", async () => {
            for (const bad of ["", "null", "{not json", "[]", "{}", "42", JSON.stringify({ deployment: { resources: [{ nope: 1 }] } })]) {
                // pulumi stack ls, then pulumi stack export, in down.
                for (const [tool, replies] of [
                    ["stack ls", [["kind get clusters", { stdout: "scalable-serving\n" }], ["./pulumi-dev stack ls --json", { stdout: bad }]]],
                    ["stack export", [["kind get clusters", { stdout: "scalable-serving\n" }], ["./pulumi-dev stack ls --json", { stdout: JSON.stringify([{ name: "dev" }]) }],
                        ["./pulumi-dev stack export", { stdout: bad }]]],
                ] as Array<[string, Array<[string, Reply]>]>) {
                    if (tool === "stack ls" && bad === "[]") {
                        continue; // an empty list of stacks is a valid answer
                    }
                    const { lifecycle, calls } = scripted(replies);
                    await assert.rejects(down(lifecycle), (e: Error) => e instanceof StepFailed && new RegExp(`\`\\./pulumi-dev ${tool}.*answered something unreadable.*nothing was changed`).test(e.message), `${tool}: ${bad}`);
                    assert.ok(!calls.some(c => c.startsWith("[stream]")));
                }
                // crictl images and kubectl get namespaces, in up.
                const crictl = scripted([["kind get clusters", { stdout: "scalable-serving\n" }], ["kubectl config use-context", {}], ["docker exec scalable-serving-control-plane crictl", { stdout: bad }]]);
                await assert.rejects(up(crictl.lifecycle), (e: Error) => e instanceof StepFailed && /crictl images -o json` answered something unreadable/.test(e.message), `crictl: ${bad}`);
                const kubectl = scripted([["kind get clusters", { stdout: "scalable-serving\n" }], ["kubectl config use-context", {}], ["docker exec", { stdout: ALL_IMAGES }],
                    ["./pulumi-dev stack select", {}], ["./pulumi-dev stack export", { stdout: exported(state) }], ["kubectl --context", { stdout: bad }]]);
                await assert.rejects(up(kubectl.lifecycle), (e: Error) => e instanceof StepFailed && /get namespaces -o json` answered something unreadable/.test(e.message), `kubectl: ${bad}`);
                assert.ok(!kubectl.calls.some(c => c.includes("refresh") || c.includes("state delete") || c.includes("pulumi-dev up")));
            }
        });

        it("twice in a row: the second finds nothing to do", async () => {
            const { lifecycle, calls, lines } = scripted([
                ["kind get clusters", { stdout: "", stderr: "No kind clusters found.\n" }],
                ["docker container inspect", NO_NODE],
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

        it("pipes one command into another with no file in between; a failing end fails it; the deadline stops both", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipe-"));
            const out = path.join(dir, "out");
            const proc = hostProc(ROOT, () => undefined);
            const opts = { timeoutMs: 30_000, what: "piping" };
            assert.strictEqual(await proc.pipe(["sh", ["-c", "printf 'image bytes'"]], ["sh", ["-c", `cat > '${out}'`]], opts), 0);
            assert.strictEqual(fs.readFileSync(out, "utf8"), "image bytes");
            assert.strictEqual(await proc.pipe(["sh", ["-c", "printf x; exit 4"]], ["sh", ["-c", "cat >/dev/null"]], opts), 4);
            assert.strictEqual(await proc.pipe(["sh", ["-c", "yes"]], ["sh", ["-c", "exit 5"]], opts), 5, "a consumer that stops reading ends the producer too");
            assert.strictEqual(await proc.pipe(["sleep", ["600"]], ["sh", ["-c", "cat >/dev/null"]], { ...opts, timeoutMs: 300 }), null);
        });

        it("a streamed command with a log file writes there, and shows its last lines when it fails", async () => {
            const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "log-")), "build.log");
            const lines: string[] = [];
            const status = await hostProc(ROOT, l => lines.push(l)).stream("sh", ["-c", "echo epoch 1; echo boom >&2; exit 2"], { timeoutMs: 30_000, what: "building", logFile: log });
            assert.strictEqual(status, 2);
            assert.strictEqual(fs.readFileSync(log, "utf8"), "epoch 1\nboom\n");
            assert.deepStrictEqual(lines, [`  last lines of ${log}:`, "    epoch 1", "    boom"]);
        });

        /**
         * Whether the process ended within 2 s: no longer there, or a zombie (dead, waiting for the init
         * process to reap it, which here can take seconds: proc(5), "Z  Zombie").
         */
        async function gone(pid: number): Promise<boolean> {
            for (let i = 0; i < 100; i++) {
                try {
                    process.kill(pid, 0);
                    if (/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))) {
                        return true;
                    }
                } catch {
                    return true;
                }
                await new Promise(r => setTimeout(r, 20));
            }
            return false;
        }

        /**
         * Starts `background` from a shell that waits for it, under a 500 ms deadline; checks the deadline
         * left no exit status and returns the background process's pid.
         */
        async function grandchildAfterDeadline(background: string, timing?: ProcTiming): Promise<number> {
            const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "group-")), "pid");
            const r = await hostProc(ROOT, () => undefined, timing).capture("sh", ["-c", `${background} & echo $! > '${pidFile}'; wait`], { timeoutMs: 500 });
            assert.strictEqual(r.status, null);
            const grandchild = Number(fs.readFileSync(pidFile, "utf8"));
            assert.ok(grandchild > 0);
            return grandchild;
        }

        it("a deadline stops the command's whole process group, grandchildren included", async () => {
            assert.ok(await gone(await grandchildAfterDeadline("sleep 600")), "the grandchild was stopped with its parent");
        });

        it("after a deadline, a grandchild that ignores SIGTERM still gets SIGKILL, though its parent exited", async () => {
            const stubborn = await grandchildAfterDeadline("(trap '' TERM; exec sleep 600)", { killGraceMs: 200 });
            assert.ok(await gone(stubborn), "the stubborn grandchild was killed after the grace");
        });

        it("a command is over when it exits, even if a grandchild keeps its output open", async () => {
            const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pipe-")), "pid");
            try {
                const r = await hostProc(ROOT, () => undefined, { pipeGraceMs: 100 }).capture("sh", ["-c", `(sleep 600 & echo $! > '${pidFile}'); echo done`], { timeoutMs: 60_000 });
                assert.deepStrictEqual([r.status, r.stdout], [0, "done\n"]);
            } finally {
                const pid = Number(fs.readFileSync(pidFile, "utf8"));
                process.kill(pid, "SIGKILL");
            }
        });

        it("interrupt passes a signal to every command still running (Ctrl-C, SIGTERM reach pulumi)", async () => {
            const proc = hostProc(ROOT, () => undefined);
            const running = proc.stream("sh", ["-c", "sleep 600"], { timeoutMs: 60_000, what: "sleeping" });
            // The command is running once the process group exists; ask until it does.
            let sent = 0;
            for (let i = 0; i < 100 && sent === 0; i++) {
                await new Promise(r => setTimeout(r, 10));
                sent = proc.interrupt("SIGTERM");
            }
            assert.strictEqual(sent, 1);
            assert.strictEqual(await running, null, "killed by the signal: no exit status");
            assert.strictEqual(proc.interrupt("SIGTERM"), 0, "nothing left running");
        });

        it("a quiet streamed command gets heartbeat lines while it runs", async () => {
            // The command ends only once a heartbeat was logged: no race with the clock.
            const flag = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "heartbeat-")), "seen");
            const log = (line: string) => {
                if (line.includes("still loading")) {
                    fs.writeFileSync(flag, line);
                }
            };
            const status = await hostProc(ROOT, log, { heartbeatMs: 50 }).stream("sh", ["-c", `while [ ! -f '${flag}' ]; do sleep 0.05; done`],
                { timeoutMs: 60_000, what: "loading", quiet: true });
            assert.strictEqual(status, 0);
            assert.match(fs.readFileSync(flag, "utf8"), /… still loading \(\d+s\)/);
        });
    });
});
