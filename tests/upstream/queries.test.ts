// Every query the program writes (KEDA's triggers, the dashboard), evaluated by Prometheus's own
// engine (promtool test rules) over series written down with the labels Seldon's executor, Triton and
// the PodMonitor really produce.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { latencyQuantileMsQuery, pendingRequestsQuery, QueryTarget, queueTimeMsQuery, requestRateQuery, scrapedReplicasQuery } from "../../lib/queries";
import { TRITON_METRICS } from "../../lib/triton";
import { modelDashboard } from "../../components/serving/dashboard";
import { runProcess } from "../harness";
import { requireTool } from "./tools";

const METRIC = "seldon_api_executor_client_requests_seconds_count";

/** One executor's request counter, as Prometheus stores it after scraping the PodMonitor's target. */
function series(labels: { namespace: string; pod: string; deployment: string }, values: string): { series: string; values: string } {
    const l = {
        // The executor's own labels (Seldon Core 1.17.1 executor, api/rest/metrics).
        deployment_name: labels.deployment, predictor_name: "default", predictor_version: "", service: "infer",
        model_name: "cifar10-pytorch", model_image: "", model_version: "", method: "post", code: "200",
        // Added by Prometheus from the PodMonitor's target (prometheus-operator) and its relabeling.
        namespace: labels.namespace, pod: labels.pod, container: "seldon-container-engine", endpoint: "metrics", job: `${labels.namespace}/seldon-podmonitor`,
        deployment: `${labels.deployment}-default-0-cifar10-pytorch`,
    };
    return { series: `${METRIC}{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values };
}

/**
 * Prometheus's `up` of one scrape target (1 scraped, 0 failed): written for every target it scrapes,
 * with the target's labels. The signals read it to tell "scraped, no traffic" from "not scraped".
 */
function up(at: { namespace?: string; pod: string; workload?: string; endpoint: "metrics" | "http" }, values: string): { series: string; values: string } {
    const namespace = at.namespace ?? "seldon";
    const l = {
        namespace, pod: at.pod, container: at.endpoint === "metrics" ? "seldon-container-engine" : "cifar10-pytorch", endpoint: at.endpoint,
        job: "seldon-monitoring/seldon-podmonitor", instance: `10.244.0.${at.pod.length}:${at.endpoint === "metrics" ? 8000 : 8002}`,
        deployment: at.workload ?? "cifar10-default-0-cifar10-pytorch",
    };
    return { series: `up{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values };
}

/** The queries as they were before no data was told from no traffic: a bare sum, empty whenever its series are. */
const BARE_REQUEST_RATE = (t: QueryTarget) => `sum(rate(${METRIC}{deployment_name="${t.seldonDeployment}",namespace="${t.namespace}"}[1m]))`;

/** Runs promtool on one test case: the query at `evalTime` must give `expected` (undefined: no sample). */
async function evaluate(query: string, input: Array<{ series: string; values: string }>, evalTime: string, expected: number | undefined) {
    // Floating-point results are compared by promtool with a small tolerance (epsilon).
    const promtool = requireTool("promtool", "apt-get install prometheus (Debian's package ships promtool)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
    const file = path.join(dir, "test.yaml");
    fs.writeFileSync(file, stringify({
        rule_files: [],
        evaluation_interval: "15s",
        tests: [{
            interval: "15s",
            input_series: input,
            promql_expr_test: [{ expr: query, eval_time: evalTime, exp_samples: expected === undefined ? [] : [{ labels: "{}", value: expected }] }],
        }],
    }));
    return runProcess(promtool, ["test", "rules", file]);
}

const TARGET: QueryTarget = { namespace: "seldon", seldonDeployment: "cifar10", workload: "cifar10-default-0-cifar10-pytorch", model: "cifar10-pytorch" };

describe("the KEDA request-rate query in Prometheus's engine (promtool)", () => {
    const query = requestRateQuery(TARGET);
    const pod = (name: string, deployment = "cifar10", namespace = "seldon") => ({ namespace, pod: name, deployment });

    it("two pods at different rates sum to the deployment's total (1 + 3 = 4 req/s)", async () => {
        // 15 s between samples: +15 per sample is 1 req/s, +45 is 3 req/s.
        const result = await evaluate(query, [series(pod("a"), "0+15x40"), series(pod("b"), "0+45x40")], "5m", 4);
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    });

    it("a pod restart (counter reset) does not spike the rate", async () => {
        // Pod a's executor restarts after 3m: its counter falls from 180 to 15 (the requests since) and
        // climbs on at 1 req/s. The 1-minute window at 3m30s spans the reset.
        const restarted = "0+15x12 15+15x20";
        const result = await evaluate(query, [series(pod("a"), restarted), series(pod("b"), "0+45x40")], "3m30s", 4);
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    });

    it("ignores another deployment and the same name in another namespace", async () => {
        const result = await evaluate(query, [
            series(pod("a"), "0+15x40"),
            series(pod("x", "other-model"), "0+1500x40"),
            series(pod("y", "cifar10", "staging"), "0+1500x40"),
        ], "5m", 1);
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    });

    it("pods scraped and idle: 0, also before the first request made the counter exist", async () => {
        const idle = await evaluate(query, [up({ pod: "a", endpoint: "metrics" }, "1x40"), series(pod("a"), "7+0x40")], "5m", 0);
        assert.strictEqual(idle.status, 0, idle.stdout + idle.stderr);
        const fresh = await evaluate(query, [up({ pod: "a", endpoint: "metrics" }, "1x40"), up({ pod: "b", endpoint: "metrics" }, "1x40")], "5m", 0);
        assert.strictEqual(fresh.status, 0, fresh.stdout + fresh.stderr);
    });

    it("pods scraped and busy: the rate, not 0 (2 req/s)", async () => {
        const r = await evaluate(query, [up({ pod: "a", endpoint: "metrics" }, "1x40"), series(pod("a"), "0+30x40")], "5m", 2);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("not scraped at all: no value (KEDA errs and holds its fallback), whatever other deployments do", async () => {
        const r = await evaluate(query, [series(pod("x", "other-model"), "0+15x40"), up({ pod: "x", workload: "other-model-default-0-cifar10-pytorch", endpoint: "metrics" }, "1x40")], "5m", undefined);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("the scrape lost (the PodMonitor deleted at 2m: targets and series go stale): no value once the rate window has passed", async () => {
        const lost = [up({ pod: "a", endpoint: "metrics" }, "1x8"), series(pod("a"), "0+30x8")];
        const during = await evaluate(query, lost, "1m45s", 2);
        assert.strictEqual(during.status, 0, during.stdout + during.stderr);
        const after = await evaluate(query, lost, "9m", undefined);
        assert.strictEqual(after.status, 0, after.stdout + after.stderr);
        // A target that fails its scrape (up 0) counts as not scraped.
        const down = await evaluate(query, [up({ pod: "a", endpoint: "metrics" }, "0x40")], "5m", undefined);
        assert.strictEqual(down.status, 0, down.stdout + down.stderr);
    });

    it("the bare sum it replaces reads scraped-and-idle as nothing, which KEDA's default turns into 0 (the check can fail)", async () => {
        const r = await evaluate(BARE_REQUEST_RATE(TARGET), [up({ pod: "a", endpoint: "metrics" }, "1x40")], "5m", 0);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stdout + r.stderr, /got:\s*\[\]|got: nil|exp:/);
    });

    it("fails when the expectation is wrong: the check is real", async () => {
        // The tutorial's per-pod average gives 2, not the total of 4.
        const averaged = await evaluate(query.replace(/^sum\(/, "avg("), [series(pod("a"), "0+15x40"), series(pod("b"), "0+45x40")], "5m", 4);
        assert.notStrictEqual(averaged.status, 0);
        assert.match(averaged.stdout + averaged.stderr, /exp:.*4[\s\S]*got:.*2/);
    });
});

/** One of Triton's metrics for one pod, with the labels Triton gives it and those the PodMonitor's Triton endpoint adds. */
function tritonSeries(metric: string, at: { namespace?: string; workload?: string; pod: string; model?: string }, values: string): { series: string; values: string } {
    const namespace = at.namespace ?? "seldon";
    const l = {
        // Triton's own labels (docs/user_guide/metrics.md).
        model: at.model ?? "cifar10-pytorch", version: "1",
        // Added by the scrape: prometheus-operator's standard target labels and the endpoint's relabelings.
        namespace, pod: at.pod, container: "cifar10-pytorch", endpoint: "http", job: "seldon-monitoring/seldon-podmonitor",
        instance: `10.244.0.${at.pod.length}:8002`, deployment: at.workload ?? "cifar10-default-0-cifar10-pytorch",
    };
    return { series: `${metric}{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values };
}

describe("the KEDA queue query (Triton's pending requests) in Prometheus's engine", () => {
    const query = pendingRequestsQuery(TARGET);
    const pending = (at: Parameters<typeof tritonSeries>[1], values: string) => tritonSeries(TRITON_METRICS.pending, at, values);

    it("two pods' waiting requests add up (5 + 7 = 12): the HPA divides the total by the replicas", async () => {
        const r = await evaluate(query, [pending({ pod: "a" }, "5x20"), pending({ pod: "b" }, "7x20")], "4m", 12);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("ignores another model in the same pods, another deployment and the same deployment in another namespace", async () => {
        const r = await evaluate(query, [
            pending({ pod: "a" }, "5x20"),
            pending({ pod: "a", model: "other-model" }, "500x20"),
            pending({ pod: "x", workload: "fraud-default-0-fraud" }, "500x20"),
            pending({ pod: "y", namespace: "staging" }, "500x20"),
        ], "4m", 5);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("a pod that went away stops counting once its series is stale", async () => {
        // Pod a disappears after 1m (no more samples): 5 minutes later only b counts.
        const r = await evaluate(query, [pending({ pod: "a" }, "9x4"), pending({ pod: "b" }, "3x40")], "8m", 3);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("Triton scraped and idle: 0, also before the model's gauge exists", async () => {
        const idle = await evaluate(query, [up({ pod: "a", endpoint: "http" }, "1x20"), pending({ pod: "a" }, "0x20")], "4m", 0);
        assert.strictEqual(idle.status, 0, idle.stdout + idle.stderr);
        const loading = await evaluate(query, [up({ pod: "a", endpoint: "http" }, "1x20")], "4m", 0);
        assert.strictEqual(loading.status, 0, loading.stdout + loading.stderr);
    });

    it("not scraped (no target of this deployment, or the scrape failing): no value, whatever another deployment does", async () => {
        const r = await evaluate(query, [pending({ pod: "x", workload: "fraud-default-0-fraud" }, "5x20"),
            up({ pod: "x", workload: "fraud-default-0-fraud", endpoint: "http" }, "1x20")], "4m", undefined);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        const failing = await evaluate(query, [up({ pod: "a", endpoint: "http" }, "0x20")], "4m", undefined);
        assert.strictEqual(failing.status, 0, failing.stdout + failing.stderr);
        // The executor's endpoint being scraped does not stand in for Triton's.
        const executorOnly = await evaluate(query, [up({ pod: "a", endpoint: "metrics" }, "1x20")], "4m", undefined);
        assert.strictEqual(executorOnly.status, 0, executorOnly.stdout + executorOnly.stderr);
    });
});

describe("the dashboard's queries in Prometheus's engine", () => {
    it("queue time divides summed counters: 20 ms over 30 req/s on one pod and 0.5 ms over 10 on the other is 15.125 ms, not the 10.25 of averaged ratios", async () => {
        // 15 s samples. Pod a: 30 req/s (+450), 20 ms each in the queue (+9,000,000 µs); pod b: 10 req/s (+150), 0.5 ms each (+75,000 µs).
        const input = [
            tritonSeries(TRITON_METRICS.queueDurationUs, { pod: "a" }, "0+9000000x40"),
            tritonSeries(TRITON_METRICS.requestSuccess, { pod: "a" }, "0+450x40"),
            tritonSeries(TRITON_METRICS.queueDurationUs, { pod: "b" }, "0+75000x40"),
            tritonSeries(TRITON_METRICS.requestSuccess, { pod: "b" }, "0+150x40"),
        ];
        const r = await evaluate(queueTimeMsQuery(TARGET), input, "5m", 15.125);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("queue time survives a counter reset (a Triton restart)", async () => {
        // Pod a restarts after 3m: both counters fall to what was counted since, then climb at the same rates.
        const input = [
            tritonSeries(TRITON_METRICS.queueDurationUs, { pod: "a" }, "0+300000x12 300000+300000x20"),
            tritonSeries(TRITON_METRICS.requestSuccess, { pod: "a" }, "0+150x12 150+150x20"),
        ];
        const r = await evaluate(queueTimeMsQuery(TARGET), input, "3m30s", 2);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("the latency quantile comes from the executors' summed histogram buckets", async () => {
        const bucket = (le: string, pod: string, values: string) => {
            const s = series({ namespace: "seldon", pod, deployment: "cifar10" }, values);
            return { series: s.series.replace(METRIC, "seldon_api_executor_client_requests_seconds_bucket").replace("}", `,le="${le}"}`), values };
        };
        // Every request of both pods falls in (0.01, 0.025]: the median interpolates to 17.5 ms.
        const input = ["0.005", "0.01"].flatMap(le => [bucket(le, "a", "0x40"), bucket(le, "b", "0x40")])
            .concat(["0.025", "+Inf"].flatMap(le => [bucket(le, "a", "0+15x40"), bucket(le, "b", "0+45x40")]));
        const r = await evaluate(latencyQuantileMsQuery(TARGET, 0.5), input, "5m", 17.5);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("replicas as scraped: Triton targets that are up, for this deployment only", async () => {
        const up = (pod: string, workload: string, value: string) =>
            ({ series: `up{namespace="seldon",pod="${pod}",deployment="${workload}",endpoint="http",job="seldon-monitoring/seldon-podmonitor"}`, values: value });
        const r = await evaluate(scrapedReplicasQuery(TARGET), [
            up("a", TARGET.workload, "1x20"), up("b", TARGET.workload, "1x20"), up("c", TARGET.workload, "0x20"), up("x", "fraud-default-0-fraud", "1x20"),
        ], "4m", 2);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });
});

describe("every query of the model's dashboard, in Prometheus's engine", () => {
    // One fixture with every series the dashboard reads: two pods a and b of the deployment.
    const cpu = (pod: string, values: string) => ({
        series: `container_cpu_usage_seconds_total{namespace="seldon",pod="${pod}",container="cifar10-pytorch",job="kubelet",metrics_path="/metrics/cadvisor"}`, values,
    });
    const bucket = (le: string, pod: string, values: string) => {
        const s = series({ namespace: "seldon", pod, deployment: "cifar10" }, values);
        return { series: s.series.replace(METRIC, "seldon_api_executor_client_requests_seconds_bucket").replace("}", `,le="${le}"}`), values };
    };
    const up = (pod: string, endpoint = "http") => ({ series: `up{namespace="seldon",pod="${pod}",deployment="${TARGET.workload}",endpoint="${endpoint}",job="seldon-monitoring/seldon-podmonitor"}`, values: "1x40" });
    const pods = ["cifar10-default-0-cifar10-pytorch-7d9c8b6f5-abcde", "cifar10-default-0-cifar10-pytorch-7d9c8b6f5-fghij"];
    // kube-state-metrics v2.20.0's series (internal/store/pod.go, replicaset.go): labels namespace, pod, uid (+ container), job.
    const ksm = (metric: string, labels: string, value: number) => ({ series: `${metric}{namespace="seldon",${labels},job="kube-state-metrics",instance="10.244.0.9:8080"}`, values: `${value}x40` });
    const ksmPod = (pod: string, replicaSet: string, t: { created: number; scheduled: number; started: number; ready: number }) => [
        ksm("kube_pod_owner", `pod="${pod}",uid="u-${pod}",owner_kind="ReplicaSet",owner_name="${replicaSet}",owner_is_controller="true"`, 1),
        ksm("kube_pod_created", `pod="${pod}",uid="u-${pod}"`, t.created),
        ksm("kube_pod_status_scheduled_time", `pod="${pod}",uid="u-${pod}"`, t.scheduled),
        ksm("kube_pod_container_state_started", `pod="${pod}",uid="u-${pod}",container="cifar10-pytorch"`, t.started),
        // The executor started later than Triton: not the step's end.
        ksm("kube_pod_container_state_started", `pod="${pod}",uid="u-${pod}",container="seldon-container-engine"`, t.started + 500),
        ksm("kube_pod_status_ready_time", `pod="${pod}",uid="u-${pod}"`, t.ready),
    ];
    const ksmReplicaSet = (replicaSet: string, deployment: string) =>
        ksm("kube_replicaset_owner", `replicaset="${replicaSet}",owner_kind="Deployment",owner_name="${deployment}",owner_is_controller="true"`, 1);
    const FIXTURE = [
        series({ namespace: "seldon", pod: pods[0], deployment: "cifar10" }, "0+15x40"),
        series({ namespace: "seldon", pod: pods[1], deployment: "cifar10" }, "0+45x40"),
        ...["0.005", "0.01"].flatMap(le => [bucket(le, pods[0], "0x40"), bucket(le, pods[1], "0x40")]),
        ...["0.025", "+Inf"].flatMap(le => [bucket(le, pods[0], "0+15x40"), bucket(le, pods[1], "0+45x40")]),
        up(pods[0]), up(pods[1]),
        // The executors' targets: one pod's scrape failing (up 0) is not counted.
        up(pods[0], "metrics"), { ...up(pods[1], "metrics"), values: "0x40" },
        tritonSeries(TRITON_METRICS.pending, { pod: pods[0] }, "5x40"),
        tritonSeries(TRITON_METRICS.pending, { pod: pods[1] }, "7x40"),
        tritonSeries(TRITON_METRICS.queueDurationUs, { pod: pods[0] }, "0+9000000x40"),
        tritonSeries(TRITON_METRICS.requestSuccess, { pod: pods[0] }, "0+450x40"),
        tritonSeries(TRITON_METRICS.queueDurationUs, { pod: pods[1] }, "0+75000x40"),
        tritonSeries(TRITON_METRICS.requestSuccess, { pod: pods[1] }, "0+150x40"),
        // 0.25 and 0.5 cores of 0.5 requested each: 75 % of the request overall.
        cpu(pods[0], "0+3.75x40"), cpu(pods[1], "0+7.5x40"),
        // kube-state-metrics on the HPA that targets the deployment (and one for another Deployment, blind).
        { series: `kube_horizontalpodautoscaler_info{namespace="seldon",horizontalpodautoscaler="keda-hpa-${TARGET.workload}",scaletargetref_kind="Deployment",scaletargetref_name="${TARGET.workload}",job="kube-state-metrics"}`, values: "1x40" },
        ...["true", "false", "unknown"].map(status => ({ series: `kube_horizontalpodautoscaler_status_condition{namespace="seldon",horizontalpodautoscaler="keda-hpa-${TARGET.workload}",condition="ScalingActive",status="${status}",job="kube-state-metrics"}`, values: status === "true" ? "1x40" : "0x40" })),
        { series: `kube_horizontalpodautoscaler_info{namespace="seldon",horizontalpodautoscaler="other",scaletargetref_kind="Deployment",scaletargetref_name="other",job="kube-state-metrics"}`, values: "1x40" },
        { series: `kube_horizontalpodautoscaler_status_condition{namespace="seldon",horizontalpodautoscaler="other",condition="ScalingActive",status="false",job="kube-state-metrics"}`, values: "1x40" },
        // Another deployment whose name starts the same: never counted.
        cpu("cifar10-default-0-cifar10-pytorch-v2-5f6d7c8b9-zzzzz", "0+150x40"),
        // kube-state-metrics' pod timestamps: pods a and b of the deployment (created 1000; scheduled 1002
        // and 1005; Triton started 1030 and 1020; Ready 1040 and 1060), and pod z of the other deployment
        // (far slower), found by its owners, never by its name.
        ...ksmPod(pods[0], "cifar10-default-0-cifar10-pytorch-7d9c8b6f5", { created: 1000, scheduled: 1002, started: 1030, ready: 1040 }),
        ...ksmPod(pods[1], "cifar10-default-0-cifar10-pytorch-7d9c8b6f5", { created: 1000, scheduled: 1005, started: 1020, ready: 1060 }),
        ...ksmPod("cifar10-default-0-cifar10-pytorch-v2-5f6d7c8b9-zzzzz", "cifar10-default-0-cifar10-pytorch-v2-5f6d7c8b9", { created: 0, scheduled: 500, started: 900, ready: 2000 }),
        ksmReplicaSet("cifar10-default-0-cifar10-pytorch-7d9c8b6f5", TARGET.workload),
        ksmReplicaSet("cifar10-default-0-cifar10-pytorch-v2-5f6d7c8b9", "cifar10-default-0-cifar10-pytorch-v2"),
    ];
    const dashboard = modelDashboard({ name: "cifar10", modelName: "cifar10-pytorch",
        signalTargets: { cpuUtilization: 50, requestsPerSecond: 20, pendingPerReplica: 16, cpuRequestCores: 0.5 } }, "seldon");
    const EXPECTED: Record<string, number> = {
        "Request rate/requests/s": 4,
        "Latency (executor)/p50": 17.5, "Latency (executor)/p95": 24.25, "Latency (executor)/p99": 24.85,
        "Replicas (Triton pods scraped)/replicas": 2,
        "Triton queue/waiting requests": 12, "Triton queue/average queue time (ms)": 15.125,
        "Signal: CPU of Triton (autoscaler hpa)/CPU % of request": 75, "Signal: CPU of Triton (autoscaler hpa)/target (hpaCpuUtilization)": 50,
        "Signal: requests per replica (autoscaler keda, kedaSignal requestRate)/requests/s per replica": 2,
        "Signal: requests per replica (autoscaler keda, kedaSignal requestRate)/target (kedaRequestsPerSecond)": 20,
        "Signal: waiting requests per replica (autoscaler keda, kedaSignal queue)/waiting requests per replica": 6,
        "Signal: waiting requests per replica (autoscaler keda, kedaSignal queue)/target (kedaQueueTarget)": 16,
        "Signal health: pods scraped, per endpoint/executor (request rate)": 1,
        "Signal health: pods scraped, per endpoint/Triton (queue)": 2,
        "Signal health: pods scraped, per endpoint/HPA cannot read its metric (1)": 0,
        // Slowest of a and b, z left out: max(2, 5), max(28, 15), max(10, 40), max(40, 60).
        "Scale-up steps: slowest of the model's pods (kube-state-metrics)/scheduling": 5,
        "Scale-up steps: slowest of the model's pods (kube-state-metrics)/scheduled → Triton started (pod start, image pulls, model download)": 28,
        "Scale-up steps: slowest of the model's pods (kube-state-metrics)/Triton started → Ready (model load, warm-up, readiness)": 40,
        "Scale-up steps: slowest of the model's pods (kube-state-metrics)/created → Ready": 60,
    };
    const queries = dashboard.panels.flatMap(p => (p.targets ?? []).map(t => ({ key: `${p.title}/${t.legendFormat}`, expr: t.expr })));

    it("every query of the dashboard has a written-down expectation", () => {
        assert.deepStrictEqual(queries.map(q => q.key).sort(), Object.keys(EXPECTED).sort());
    });

    for (const { key, expr } of queries) {
        it(`${key} = ${EXPECTED[key]}`, async () => {
            const r = await evaluate(expr, FIXTURE, "5m", EXPECTED[key]);
            assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        });
    }
});
