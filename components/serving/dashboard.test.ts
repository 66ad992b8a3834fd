import * as assert from "assert";
import { dashboardConfigMap, dashboardUid, modelDashboard, PROMETHEUS_DATASOURCE_UID } from "./dashboard";

const D = { name: "cifar10", modelName: "cifar10-pytorch", signalTargets: { cpuUtilization: 50, requestsPerSecond: 20, pendingPerReplica: 16, cpuRequestCores: 0.5 } };

describe("the model's dashboard (components/serving/dashboard.ts)", () => {
    const dash = modelDashboard(D, "seldon");
    const exprs = dash.panels.flatMap(p => p.targets ?? []).map(t => t.expr);

    it("has request rate, latency, replicas, Triton's queue, and each signal against its target", () => {
        assert.deepStrictEqual(dash.panels.map(p => p.title), [
            "Request rate", "Latency (executor)", "Replicas (Triton pods scraped)", "Triton queue",
            "Signal: CPU of Triton (autoscaler hpa)",
            "Signal: requests per replica (autoscaler keda, kedaSignal requestRate)",
            "Signal: waiting requests per replica (autoscaler keda, kedaSignal queue)",
            "Signal health: pods scraped, per endpoint",
            "Scale-up steps: slowest of the model's pods (kube-state-metrics)",
        ]);
        for (const [title, target] of [["CPU", "vector(50)"], ["requests per replica", "vector(20)"], ["waiting requests", "vector(16)"]]) {
            const p = dash.panels.find(x => x.title.includes(title))!;
            assert.strictEqual(p.targets![1].expr, target);
        }
    });

    it("every query selects this deployment and never averages per pod", () => {
        for (const e of exprs.filter(x => !x.startsWith("vector("))) {
            assert.match(e, /namespace="seldon"/);
            assert.match(e, /deployment_name="cifar10"|deployment="cifar10-default-0-cifar10-pytorch"|pod=~"cifar10-default-0-cifar10-pytorch-|scaletargetref_name="cifar10-default-0-cifar10-pytorch"|owner_kind="Deployment",owner_name="cifar10-default-0-cifar10-pytorch"/);
            assert.ok(!/\bavg\b/.test(e), e);
        }
    });

    it("panels use kube-prometheus-stack's Prometheus datasource, unique ids, and do not overlap", () => {
        assert.ok(dash.panels.every(p => p.datasource?.uid === PROMETHEUS_DATASOURCE_UID));
        assert.strictEqual(new Set(dash.panels.map(p => p.id)).size, dash.panels.length);
        const cells = dash.panels.flatMap(p => Array.from({ length: p.gridPos.h }, (_, dy) => Array.from({ length: p.gridPos.w }, (_, dx) => `${p.gridPos.x + dx},${p.gridPos.y + dy}`)).flat());
        assert.strictEqual(new Set(cells).size, cells.length, "panels overlap");
        assert.ok(dash.panels.every(p => p.gridPos.x + p.gridPos.w <= 24));
    });

    it("a stable uid of at most 40 characters, and a ConfigMap the Grafana sidecar picks up", () => {
        assert.strictEqual(dash.uid, "ss-seldon-cifar10");
        assert.strictEqual(dashboardUid("a-very-long-namespace-name", "a-very-long-deployment-name").length, 40);
        const cm = dashboardConfigMap(D, "seldon");
        assert.deepStrictEqual(cm.metadata, { name: "cifar10-dashboard", namespace: "seldon", labels: { grafana_dashboard: "1" } });
        assert.deepStrictEqual(JSON.parse(cm.data["cifar10.json"]), dash);
    });
});
