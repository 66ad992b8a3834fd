// Every alert of the model's PrometheusRule (components/serving/alerts.ts) run by Prometheus's own rule
// engine (`promtool test rules`) over series written down with the labels kube-state-metrics 2.20
// (internal/store/horizontalpodautoscaler.go, deployment.go), Seldon's executor, Triton and the
// PodMonitor really produce: each fires after its `for:` and not a step before, and stays quiet when
// the model is healthy.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { modelAlertRules } from "../../components/serving/alerts";
import { DEFAULTS } from "../../config";
import { TRITON_METRICS } from "../../lib/triton";
import { AlertingRule } from "../../lib/types/prometheusOperator";
import { runProcess } from "../harness";
import { requireTool } from "./tools";

const NS = "seldon";
const WORKLOAD = "cifar10-default-0-cifar10-pytorch";
const HPA = `keda-hpa-${WORKLOAD}`;
const RULES = modelAlertRules({ name: "cifar10", modelName: "cifar10-pytorch" },
    { latencyP99Ms: DEFAULTS.alertLatencyP99Ms, queueTimeMs: DEFAULTS.alertQueueTimeMs }, NS);

type Labels = Record<string, string>;
interface Series { series: string; values: string; labels: Labels }
const s = (metric: string, labels: Labels, values: string): Series =>
    ({ series: `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values, labels });

// kube-state-metrics' series as Prometheus stores them (honorLabels: the object's namespace).
const KSM = { job: "kube-state-metrics", instance: "10.244.0.9:8080", container: "kube-state-metrics" };
const available = (values: string) => s("kube_deployment_status_replicas_available", { ...KSM, namespace: NS, deployment: WORKLOAD }, values);
const hpa = (metric: string, values: string, extra: Labels = {}) => s(`kube_horizontalpodautoscaler_${metric}`, { ...KSM, namespace: NS, horizontalpodautoscaler: HPA, ...extra }, values);
const hpaInfo = () => hpa("info", "1x200", { scaletargetref_api_version: "apps/v1", scaletargetref_kind: "Deployment", scaletargetref_name: WORKLOAD });
const target = { metric_name: "s0-prometheus", metric_target_type: "average" };
// Prometheus's `up` of the PodMonitor's targets, and the executor's and Triton's series.
const up = (endpoint: "metrics" | "http", values: string) => s("up", { namespace: NS, pod: "p1", endpoint, deployment: WORKLOAD, job: "seldon-monitoring/seldon-podmonitor" }, values);
const EXEC = { deployment_name: "cifar10", namespace: NS, pod: "p1", endpoint: "metrics", deployment: WORKLOAD, method: "post" };
const requests = (code: string, values: string) => s("seldon_api_executor_client_requests_seconds_count", { ...EXEC, code }, values);
const bucket = (le: string, values: string) => s("seldon_api_executor_client_requests_seconds_bucket", { ...EXEC, code: "200", le }, values);
const TRITON = { namespace: NS, pod: "p1", endpoint: "http", deployment: WORKLOAD, model: "cifar10-pytorch", version: "1" };
const triton = (metric: string, values: string) => s(metric, TRITON, values);

/** The alert, as promtool reports it: the series' labels that the expression keeps, the rule's labels, its annotations. */
function firing(rule: AlertingRule, seriesLabels: Labels) {
    return { exp_labels: { ...seriesLabels, ...rule.labels }, exp_annotations: rule.annotations };
}
const rule = (name: string) => RULES.find(r => r.alert === name)!;

/** Runs promtool over the rules: each case says which alerts of `alertname` fire at `eval_time`. */
async function promtool(input: Series[], cases: Array<{ alertname: string; eval_time: string; exp_alerts: unknown[] }>) {
    const bin = requireTool("promtool", "apt-get install prometheus (Debian's package ships promtool)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alerts-"));
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: [{ name: "model", rules: RULES }] }));
    fs.writeFileSync(path.join(dir, "test.yaml"), stringify({
        rule_files: ["rules.yaml"],
        evaluation_interval: "15s",
        tests: [{ interval: "15s", input_series: input.map(({ series, values }) => ({ series, values })), alert_rule_test: cases }],
    }));
    const r = await runProcess(bin, ["test", "rules", "test.yaml"], { cwd: dir });
    return { ok: r.status === 0, out: r.stdout + r.stderr };
}

describe("the model's alerts in Prometheus's rule engine (promtool test rules)", function () {
    this.timeout(60000);

    it("the rule file is valid for promtool (`promtool check rules`)", async () => {
        const bin = requireTool("promtool", "apt-get install prometheus");
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rules-")), "rules.yaml");
        fs.writeFileSync(file, stringify({ groups: [{ name: "model", rules: RULES }] }));
        const r = await runProcess(bin, ["check", "rules", file]);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /SUCCESS: 6 rules found/);
    });

    it("ModelMetricsMissing: pods run, the targets vanish after 5m: quiet at 7m (2m after the stale mark at 5m15s), firing at 7m15s; quiet while scraped", async () => {
        const r = rule("ModelMetricsMissing");
        // The targets vanish at 5m: Prometheus writes staleness markers for their series at once.
        const lost = [available("1x60"), up("metrics", "1x20 stale"), up("http", "1x20 stale")];
        const res = await promtool(lost, [
            { alertname: r.alert, eval_time: "4m", exp_alerts: [] },
            { alertname: r.alert, eval_time: "7m", exp_alerts: [] },
            { alertname: r.alert, eval_time: "7m15s", exp_alerts: [firing(r, available("1").labels)] },
        ]);
        assert.ok(res.ok, res.out);
        const healthy = await promtool([available("1x60"), up("metrics", "1x60"), up("http", "1x60")], [{ alertname: r.alert, eval_time: "14m", exp_alerts: [] }]);
        assert.ok(healthy.ok, healthy.out);
        // Triton's endpoint alone lost is enough; no pods running is not this alert's business.
        const tritonLost = await promtool([available("1x60"), up("metrics", "1x60"), up("http", "0x60")], [{ alertname: r.alert, eval_time: "3m", exp_alerts: [firing(r, available("1").labels)] }]);
        assert.ok(tritonLost.ok, tritonLost.out);
        const noPods = await promtool([available("0x60")], [{ alertname: r.alert, eval_time: "10m", exp_alerts: [] }]);
        assert.ok(noPods.ok, noPods.out);
    });

    it("ModelAutoscalerAtMax: 3 of 3 replicas: quiet before 15m, firing at 15m; 2 of 3 never", async () => {
        const r = rule("ModelAutoscalerAtMax");
        const atMax = [hpaInfo(), hpa("spec_max_replicas", "3x200"), hpa("status_current_replicas", "3x200")];
        // A comparison matched on(namespace, horizontalpodautoscaler) keeps just those labels.
        const current = { namespace: NS, horizontalpodautoscaler: HPA };
        const res = await promtool(atMax, [
            { alertname: r.alert, eval_time: "14m45s", exp_alerts: [] },
            { alertname: r.alert, eval_time: "15m", exp_alerts: [firing(r, current)] },
        ]);
        assert.ok(res.ok, res.out);
        const below = await promtool([hpaInfo(), hpa("spec_max_replicas", "3x200"), hpa("status_current_replicas", "2x200")], [{ alertname: r.alert, eval_time: "20m", exp_alerts: [] }]);
        assert.ok(below.ok, below.out);
        // Another Deployment's HPA at its maximum is not this model's.
        const other = [hpa("info", "1x200", { scaletargetref_api_version: "apps/v1", scaletargetref_kind: "Deployment", scaletargetref_name: "other" }),
            hpa("spec_max_replicas", "3x200"), hpa("status_current_replicas", "3x200")];
        const res2 = await promtool(other, [{ alertname: r.alert, eval_time: "20m", exp_alerts: [] }]);
        assert.ok(res2.ok, res2.out);
    });

    it("ModelScalingStuck: the HPA sees 25 against 20 with room to grow and wants no more: firing after 10m; at 22 (within 10%) or scaling up, quiet", async () => {
        const r = rule("ModelScalingStuck");
        const base = [hpaInfo(), hpa("spec_max_replicas", "3x100"), hpa("status_current_replicas", "1x100"), hpa("spec_target_metric", "20x100", target)];
        const stuck = [...base, hpa("status_target_metric", "25x100", target), hpa("status_desired_replicas", "1x100")];
        const res = await promtool(stuck, [
            { alertname: r.alert, eval_time: "9m45s", exp_alerts: [] },
            { alertname: r.alert, eval_time: "10m", exp_alerts: [firing(r, { namespace: NS, horizontalpodautoscaler: HPA, ...target, container: KSM.container })] },
        ]);
        assert.ok(res.ok, res.out);
        const tolerated = await promtool([...base, hpa("status_target_metric", "22x100", target), hpa("status_desired_replicas", "1x100")], [{ alertname: r.alert, eval_time: "20m", exp_alerts: [] }]);
        assert.ok(tolerated.ok, tolerated.out);
        const scaling = await promtool([...base, hpa("status_target_metric", "25x100", target), hpa("status_desired_replicas", "2x100")], [{ alertname: r.alert, eval_time: "20m", exp_alerts: [] }]);
        assert.ok(scaling.ok, scaling.out);
    });

    it("ModelRequestsFailing: 2% failing: firing after 5m; 0.5% quiet", async () => {
        const r = rule("ModelRequestsFailing");
        // 15 s samples: +1470 ok and +30 failed per sample is 2% failing.
        const res = await promtool([requests("200", "0+1470x60"), requests("500", "0+30x60")], [
            // True from the second sample (15 s: a rate needs two), so firing 5 minutes later.
            { alertname: r.alert, eval_time: "5m", exp_alerts: [] },
            { alertname: r.alert, eval_time: "5m15s", exp_alerts: [firing(r, {})] },
        ]);
        assert.ok(res.ok, res.out);
        const few = await promtool([requests("200", "0+1990x60"), requests("500", "0+10x60")], [{ alertname: r.alert, eval_time: "14m", exp_alerts: [] }]);
        assert.ok(few.ok, few.out);
    });

    it(`ModelLatencyHigh: every request between 0.5 and 1 s (p99 995 ms > ${DEFAULTS.alertLatencyP99Ms}): firing after 10m; all under 25 ms quiet`, async () => {
        const r = rule("ModelLatencyHigh");
        const slow = [bucket("0.025", "0x80"), bucket("0.5", "0x80"), bucket("1", "0+100x80"), bucket("+Inf", "0+100x80")];
        const res = await promtool(slow, [
            { alertname: r.alert, eval_time: "10m", exp_alerts: [] },
            { alertname: r.alert, eval_time: "10m15s", exp_alerts: [firing(r, {})] },
        ]);
        assert.ok(res.ok, res.out);
        const fast = [bucket("0.025", "0+100x80"), bucket("0.5", "0+100x80"), bucket("1", "0+100x80"), bucket("+Inf", "0+100x80")];
        const quiet = await promtool(fast, [{ alertname: r.alert, eval_time: "15m", exp_alerts: [] }]);
        assert.ok(quiet.ok, quiet.out);
    });

    it(`ModelQueueTimeHigh: 60 ms in the queue on average (> ${DEFAULTS.alertQueueTimeMs}): firing after 10m; 40 ms quiet`, async () => {
        const r = rule("ModelQueueTimeHigh");
        // +100 requests and +6,000,000 µs per 15 s sample: 60 ms each.
        const res = await promtool([triton(TRITON_METRICS.requestSuccess, "0+100x80"), triton(TRITON_METRICS.queueDurationUs, "0+6000000x80")], [
            { alertname: r.alert, eval_time: "10m", exp_alerts: [] },
            { alertname: r.alert, eval_time: "10m15s", exp_alerts: [firing(r, {})] },
        ]);
        assert.ok(res.ok, res.out);
        const ok = await promtool([triton(TRITON_METRICS.requestSuccess, "0+100x80"), triton(TRITON_METRICS.queueDurationUs, "0+4000000x80")], [{ alertname: r.alert, eval_time: "15m", exp_alerts: [] }]);
        assert.ok(ok.ok, ok.out);
    });

    it("a wrong expectation fails (the check is real)", async () => {
        const r = rule("ModelAutoscalerAtMax");
        const res = await promtool([hpaInfo(), hpa("spec_max_replicas", "3x200"), hpa("status_current_replicas", "2x200")],
            [{ alertname: r.alert, eval_time: "20m", exp_alerts: [firing(r, hpa("status_current_replicas", "2").labels)] }]);
        assert.ok(!res.ok);
        assert.match(res.out, /ModelAutoscalerAtMax/);
    });
});
