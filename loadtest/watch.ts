// Follows the model's Deployment and the HPA that scales it (Seldon's, or the one KEDA creates for
// its ScaledObject) through the Kubernetes API while the load runs: replicas and the autoscaler's
// current metric, on the load's time axis.
import * as k8s from "@kubernetes/client-node";
import { ScalingSample, Watcher, WatchOptions } from "./loadgen";

/** Starts sampling every `opts.intervalMs`; `stop()` takes a last sample and returns them all. */
export function startWatch(opts: WatchOptions, startedAt: number, kubeConfig?: k8s.KubeConfig): Watcher {
    const kc = kubeConfig ?? defaultKubeConfig(opts.context);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
    const samples: ScalingSample[] = [];
    let errors = 0;
    let lastError: string | undefined;

    const sample = async () => {
        try {
            const t = Math.round((Date.now() - startedAt) / 100) / 10;
            const [deployment, hpas] = await Promise.all([
                apps.readNamespacedDeployment({ name: opts.deployment, namespace: opts.namespace }),
                autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: opts.namespace }),
            ]);
            const hpa = hpas.items.find(h => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec.scaleTargetRef.name === opts.deployment);
            samples.push({
                t,
                replicas: deployment.status?.replicas ?? 0,
                readyReplicas: deployment.status?.readyReplicas ?? 0,
                ...(hpa ? { hpa: hpaState(hpa) } : {}),
            });
        } catch (e) {
            errors++;
            lastError = (e as Error).message.split("\n")[0];
        }
    };

    let running = sample();
    const timer = setInterval(() => { running = running.then(sample); }, opts.intervalMs);
    return {
        async stop() {
            clearInterval(timer);
            await running;
            await sample();
            return { samples, errors, ...(lastError ? { lastError } : {}) };
        },
    };
}

function defaultKubeConfig(context?: string): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    if (context) {
        kc.setCurrentContext(context);
    }
    return kc;
}

/**
 * The HPA's replicas and its first metric: CPU utilisation in % for hpa mode (ContainerResource or
 * Resource), the external metric's value for KEDA (requests per second, as the HPA sees it).
 */
export function hpaState(hpa: k8s.V2HorizontalPodAutoscaler): NonNullable<ScalingSample["hpa"]> {
    const current = hpa.status?.currentMetrics?.[0];
    const spec = hpa.spec?.metrics?.[0];
    let metric: number | undefined;
    let target: number | undefined;
    let unit = "";
    if (current?.containerResource || current?.resource) {
        metric = (current.containerResource ?? current.resource)!.current.averageUtilization;
        target = (spec?.containerResource ?? spec?.resource)?.target.averageUtilization;
        unit = "% CPU of request";
    } else if (current?.external) {
        metric = parseQuantity(current.external.current.averageValue ?? current.external.current.value);
        target = parseQuantity(spec?.external?.target.averageValue ?? spec?.external?.target.value);
        unit = `${current.external.metric.name} (total)`;
    }
    return {
        name: hpa.metadata?.name ?? "",
        currentReplicas: hpa.status?.currentReplicas ?? 0,
        desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        ...(metric !== undefined ? { metric } : {}),
        ...(target !== undefined ? { target } : {}),
        unit,
    };
}

/** A Kubernetes quantity as a number: `20500m` → 20.5, `3` → 3, `1k` → 1000. */
export function parseQuantity(q: string | undefined): number | undefined {
    if (q === undefined) {
        return undefined;
    }
    const m = /^([0-9.]+)(m|k|M|G)?$/.exec(String(q));
    if (!m) {
        return undefined;
    }
    const factor = { m: 0.001, k: 1e3, M: 1e6, G: 1e9 }[m[2] as "m" | "k" | "M" | "G"] ?? 1;
    return Math.round(Number(m[1]) * factor * 1000) / 1000;
}
