/** The metadata this project sets on the objects it builds: always an explicit name (no auto-naming). */
export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A custom resource as the API server receives it. */
export interface CustomObject<ApiVersion extends string, Kind extends string, Spec> {
    apiVersion: ApiVersion;
    kind: Kind;
    metadata: ObjectMeta;
    spec: Spec;
}

/** A v1 ConfigMap with string data. */
export interface ConfigMap {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: ObjectMeta;
    data: Record<string, string>;
}
