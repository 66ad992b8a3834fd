// The KEDA trigger's query, evaluated by Prometheus's own engine (promtool test rules) over series
// written down with the labels Seldon's executor and the PodMonitor really produce.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { requestRateQuery } from "../../components/serving/modelDeployment";
import { runProcess } from "../harness";
import { requireTool } from "./tools";

const METRIC = "seldon_api_executor_client_requests_seconds_count";

/** One executor's request counter, as Prometheus stores it after scraping the PodMonitor's target. */
function series(labels: { namespace: string; pod: string; deployment: string }, values: string): { series: string; values: string } {
    const l = {
        // The executor's own labels (Seldon Core 1.17.1 executor, api/rest/metrics).
        deployment_name: labels.deployment, predictor_name: "default", predictor_version: "", service: "infer",
        model_name: "cifar10-pytorch", model_image: "", model_version: "", method: "post", code: "200",
        // Added by Prometheus from the PodMonitor's target (prometheus-operator).
        namespace: labels.namespace, pod: labels.pod, container: "seldon-container-engine", endpoint: "metrics", job: `${labels.namespace}/seldon-podmonitor`,
    };
    return { series: `${METRIC}{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values };
}

/** Runs promtool on one test case: the query at `evalTime` must give `expected` (undefined: no sample). */
async function evaluate(query: string, input: Array<{ series: string; values: string }>, evalTime: string, expected: number | undefined) {
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

describe("the KEDA query in Prometheus's engine (promtool)", () => {
    const query = requestRateQuery("cifar10", "seldon");
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

    it("no series gives an empty result, which KEDA reads as 0 (no load)", async () => {
        const result = await evaluate(query, [series(pod("x", "other-model"), "0+15x40")], "5m", undefined);
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    });

    it("fails when the expectation is wrong: the check is real", async () => {
        // The tutorial's per-pod average gives 2, not the total of 4.
        const averaged = await evaluate(query.replace(/^sum\(/, "avg("), [series(pod("a"), "0+15x40"), series(pod("b"), "0+45x40")], "5m", 4);
        assert.notStrictEqual(averaged.status, 0);
        assert.match(averaged.stdout + averaged.stderr, /exp:.*4[\s\S]*got:.*2/);
    });
});
