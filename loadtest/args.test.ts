import * as assert from "assert";
import { parseArgs, UsageError } from "./args";

describe("load generator command line", () => {
    it("defaults match the deployment's outputs and the tutorial's load", () => {
        const o = parseArgs([]);
        assert.strictEqual(o.host + o.path, "http://localhost:8080/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer");
        assert.deepStrictEqual([o.users, o.spawnRate, o.runTimeMs, o.minWaitMs, o.maxWaitMs, o.timeoutMs], [100, 10, 180000, 10, 100, 10000]);
        assert.strictEqual(o.watch, undefined);
    });

    it("reads every option, in both --key value and --key=value forms", () => {
        const o = parseArgs(["--host", "http://gw.example.com/", "--users=7", "--spawn-rate", "2.5", "--run-time", "1m30s", "--min-wait", "0",
            "--max-wait=5", "--timeout", "500ms", "--report", "out", "--quiet", "--path", "/x/infer",
            "--watch", "--context", "kind-scalable-serving", "--namespace", "ml", "--deployment", "d", "--watch-interval", "2s"]);
        assert.deepStrictEqual(o, {
            host: "http://gw.example.com", path: "/x/infer", users: 7, spawnRate: 2.5, runTimeMs: 90000, minWaitMs: 0, maxWaitMs: 5,
            timeoutMs: 500, reportDir: "out", progress: "none",
            watch: { context: "kind-scalable-serving", namespace: "ml", deployment: "d", intervalMs: 2000, cooldownMs: 0,
                prometheus: { namespace: "seldon-monitoring", service: "seldon-monitoring-prometheus", port: 9090 } },
        });
    });

    it("--prometheus names the Service the first requests are read from, or none", () => {
        assert.deepStrictEqual(parseArgs(["--watch", "--prometheus", "monitoring/prometheus-k8s:9091"]).watch?.prometheus, { namespace: "monitoring", service: "prometheus-k8s", port: 9091 });
        assert.strictEqual(parseArgs(["--watch", "--prometheus", "none"]).watch?.prometheus, undefined);
        assert.deepStrictEqual(parseArgs(["--watch", "--prometheus=a/b:65535"]).watch?.prometheus, { namespace: "a", service: "b", port: 65535 });
    });


    it("--cooldown with --watch", () => {
        assert.strictEqual(parseArgs(["--watch", "--cooldown", "7m"]).watch?.cooldownMs, 420000);
    });

    const bad: Array<[string[], RegExp]> = [
        [["--users", "0"], /--users "0" is not allowed: use a whole number from 1 to 10000/],
        [["--users", "many"], /--users "many"/],
        [["--spawn-rate", "0"], /--spawn-rate "0" is not allowed/],
        [["--run-time", "soon"], /--run-time "soon" is not a duration/],
        [["--host", "localhost:8080"], /--host "localhost:8080" must be http/],
        [["--host", "not a url"], /--host "not a url" is not a URL/],
        [["--path", "infer"], /--path "infer" must start with \//],
        [["--min-wait", "100", "--max-wait", "10"], /--max-wait 10 is less than --min-wait 100/],
        [["--users"], /Option '--users <value>' argument missing/],
        [["--userz", "3"], /Unknown option '--userz'/],
        [["--namespace", "x"], /--namespace only applies with --watch/],
        [["--watch", "--watch-interval", "200ms"], /--watch-interval "200ms" is too short: use at least 1s/],
        [["--watch", "--cooldown", "2h"], /--cooldown "2h" is too long: use at most 1h/],
        [["--watch", "--cooldown", "later"], /--cooldown "later" is not a duration/],
        [["--cooldown", "5m"], /--cooldown only applies with --watch/],
        [["--prometheus", "none"], /--prometheus only applies with --watch/],
        [["--watch", "--prometheus", "http://prometheus:9090"], /^--prometheus "http:\/\/prometheus:9090" is not <namespace>\/<service>:<port> \(e\.g\. seldon-monitoring\/seldon-monitoring-prometheus:9090\) or none$/],
        [["--watch", "--prometheus", "a/b:65536"], /--prometheus "a\/b:65536" is not/],
        [["--watch", "--prometheus", "a/b:0"], /--prometheus "a\/b:0" is not/],
        // Credentials in --host would end up in report.json and report.html: refused, and never echoed.
        [["--host", "http://user:hunter2@localhost:8080"], /^--host "http:\/\/REDACTED@localhost:8080\/" carries credentials inside the URL, which the reports would keep in plain text/],
        [["--host", "http://user@localhost:8080"], /carries credentials/],
        [["--host", "ftp://u:hunter2@localhost"], /^--host "ftp:\/\/REDACTED@localhost\/" must be http:\/\/ or https:\/\//],
    ];
    for (const [argv, message] of bad) {
        it(`rejects ${argv.join(" ")}`, () => {
            assert.throws(() => parseArgs(argv), (e: Error) => e instanceof UsageError && message.test(e.message) && !e.message.includes("hunter2"));
        });
    }
});
