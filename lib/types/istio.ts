import { CustomObject } from "./kubernetes";

/** networking.istio.io/v1 Gateway (served by Istio >= 1.22). */
export type Gateway = CustomObject<"networking.istio.io/v1", "Gateway", GatewaySpec>;

export interface GatewaySpec {
    /** Labels of the gateway pods that implement it. */
    selector: Record<string, string>;
    servers: GatewayServer[];
}

export interface GatewayServer {
    port: {
        number: number;
        name: string;
        protocol: "HTTP" | "HTTPS" | "GRPC" | "HTTP2" | "MONGO" | "TCP" | "TLS";
    };
    hosts: string[];
    /** HTTPS: SIMPLE TLS with the certificate of a kubernetes.io/tls Secret in the gateway's namespace. */
    tls?: { mode: "SIMPLE"; credentialName: string };
}
