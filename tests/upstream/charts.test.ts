// Every Helm release the program installs, rendered by real Helm (pinned) with exactly the values,
// release name, namespace and chart version the program passes, in every configuration.
import * as assert from "assert";
import { CONFIGURATIONS, RenderedConfiguration, renderAll } from "./configurations";
import { helm, HELM_VERSION, kindKubernetesVersion } from "./helm";
import { runTool } from "./tools";

describe("Helm renders every chart the program installs", function () {
    this.timeout(600000);
    let rendered: Record<string, RenderedConfiguration>;

    before(async () => {
        rendered = await renderAll();
    });

    it(`uses Helm ${HELM_VERSION} (or an accepted one on PATH), and the kind node's Kubernetes version`, async () => {
        const version = await runTool(helm(), ["version", "--short"]);
        assert.match(version.stdout, /^v(3\.17\.|4\.1\.)/);
        assert.strictEqual(kindKubernetesVersion(), "1.33.1");
    });

    for (const name of Object.keys(CONFIGURATIONS)) {
        it(`${name}: every release renders`, () => {
            const config = rendered[name];
            assert.ok(config.releases.length > 0 || name.includes("existing"), "no release rendered");
            for (const release of config.releases) {
                assert.ok(release.objects.length > 0, `${release.name} rendered nothing`);
                for (const o of release.objects) {
                    assert.ok(o.apiVersion && o.kind && o.metadata?.name, `${release.name}: an object without apiVersion, kind or name`);
                }
            }
        });
    }
});
