// How long each step of a scale-up may take on the kind stack of the end-to-end workflow, in one
// place: a step over its budget fails the run, because it means something is wrong, not slow. The
// numbers are the first e2e reports' with room for a busy runner, except where zero is the point.
import { Cause } from "../../loadtest/anatomy";

export const STEP_BUDGETS_S: Record<Cause, number> = {
    // The HPA syncs every 15 s; the signal behind it lags by a scrape (15 s) and the rate() window (1m).
    "signal": 90,
    // The ReplicaSet controller creates a pod within a second of the new scale.
    "pod creation": 5,
    // One or two nodes with room: a pod that waits longer did not fit.
    "scheduling": 10,
    // Sandbox, network and Istio's proxy, images already on the node.
    "pod start": 30,
    // The cifar10 model is a few MB from the in-cluster store.
    "model download": 30,
    "Triton start": 15,
    // Triton loads a TorchScript CNN and warms it up in seconds; the startup probe asks every 2 s.
    "model load + readiness": 60,
    // The executor's counter is scraped every 15 s: up to two scrapes after Ready.
    "first request": 45,
    // The lifecycle loads every image into the kind node before `up`: a pull during a scale-up means
    // an image is not the one pre-loaded (a tag changed, a pull policy of Always).
    "image pull": 0,
};
