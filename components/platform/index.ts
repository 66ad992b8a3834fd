// The serving platform: Istio, Seldon Core, metrics-server, Prometheus and KEDA as pinned Helm
// releases, each installed only when configured, and the models' namespace.
//   Platform      all of them, ordered by real dependencies only (platform.ts)
//   Istio, SeldonCore, MetricsServer, Monitoring, Keda   one component per add-on
export { Istio } from "./istio";
export { Keda } from "./keda";
export { MetricsServer } from "./metricsServer";
export { Monitoring } from "./monitoring";
export { Platform } from "./platform";
export { SeldonCore } from "./seldonCore";
