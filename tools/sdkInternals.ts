// The only place that touches Pulumi SDK internals (@pulumi/pulumi 3.248). The SDK's mocks answer
// resource registrations but offer no public way to see what a program registered, with which
// inputs, secrets and dependencies (pulumi/pulumi#14421), so the evaluator listens on the mock
// monitor's gRPC-shaped calls. sdkInternals.test.ts fails with a clear message if any of this moves.
import * as pulumi from "@pulumi/pulumi";

/** What one registration request carries, read from the mock monitor's protobuf request. */
export interface RegistrationRequest {
    type: string;
    name: string;
    /** Inputs as serialised for the engine (secrets still wrapped). */
    inputs: Record<string, unknown>;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    provider?: string;
    custom: boolean;
}

/** The SDK's markers of a serialised secret (runtime/rpc.ts: specialSigKey, specialSecretSig). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface MockMonitor {
    registerResource(req: any, callback: (err: any, resp: any) => void): void;
    registerResourceOutputs(req: any, callback: (err: any, resp: any) => void): void;
}

function monitor(): MockMonitor {
    const m = pulumi.runtime.getMonitor() as unknown as Partial<MockMonitor> | undefined;
    if (typeof m?.registerResource !== "function" || typeof m.registerResourceOutputs !== "function") {
        throw new Error("the Pulumi SDK's mock monitor has no registerResource/registerResourceOutputs: tools/sdkInternals.ts needs updating for this SDK version");
    }
    return m as MockMonitor;
}

/** Calls `onRegistered(request, urn)` for every resource registered from now on (after setMocks). */
export function onRegistration(onRegistered: (request: RegistrationRequest, urn: string) => void): void {
    const m = monitor();
    const register = m.registerResource.bind(m);
    m.registerResource = (req, callback) => {
        const request: RegistrationRequest = {
            type: req.getType(),
            name: req.getName(),
            inputs: req.getObject()?.toJavaScript() ?? {},
            parent: req.getParent() || undefined,
            dependencies: req.getDependenciesList(),
            propertyDependencies: Object.fromEntries((req.getPropertydependenciesMap()?.toArray() ?? [])
                .map(([key, deps]: [string, any]) => [key, deps[0] ?? []])),
            provider: req.getProvider() || undefined,
            custom: req.getCustom(),
        };
        return register(req, (err, resp) => {
            if (!err) {
                onRegistered(request, resp.getUrn());
            }
            callback(err, resp);
        });
    };
}

/** Calls `onOutputs(urn, outputs)` for every component's registerOutputs from now on. */
export function onComponentOutputs(onOutputs: (urn: string, outputs: Record<string, unknown>) => void): void {
    const m = monitor();
    const registerOutputs = m.registerResourceOutputs.bind(m);
    m.registerResourceOutputs = (req, callback) => {
        onOutputs(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
        return registerOutputs(req, callback);
    };
}

/** Waits until the SDK has sent every pending registration (runtime/settings.ts: waitForRPCs). */
export async function waitForRegistrations(): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
    if (typeof settings.waitForRPCs !== "function") {
        throw new Error("@pulumi/pulumi/runtime/settings has no waitForRPCs: tools/sdkInternals.ts needs updating for this SDK version");
    }
    await settings.waitForRPCs();
}
