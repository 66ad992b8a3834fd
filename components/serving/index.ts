// Serving: the model itself and the load that shows its autoscaler at work.
//   ModelDeployment  rclone Secret, SeldonDeployment (none | hpa | keda), smoke test
//   LoadTest         the optional in-cluster load-test Job
export { LoadTest } from "./loadTest";
export { ModelDeployment } from "./modelDeployment";
