// The arguments the policy runtime passes, built by hand, so policies run without the Pulumi CLI.
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { RegisteredResource } from "./harness";

/** The arguments the policy runtime would pass for one resource. */
export function resourceArgs(type: string, name: string, props: Record<string, any>): ResourceValidationArgs {
    return {
        type, name, props, urn: `urn:pulumi:test::scalable-serving::${type}::${name}`, opts: {} as any, stackTags: new Map(),
        isType: () => false, asType: () => undefined, getConfig: () => ({}) as any,
        notApplicable: (reason?: string) => { throw new Error(`not applicable: ${reason}`); },
    } as unknown as ResourceValidationArgs;
}

export function validate(policy: ResourceValidationPolicy, type: string, props: Record<string, any>, name = "r"): string[] {
    const violations: string[] = [];
    (policy.validateResource as any)(resourceArgs(type, name, props), (m: string) => violations.push(m));
    return violations;
}

/** The stack as the policy runtime sees it, from a program run. */
export function stackArgs(resources: Array<Pick<RegisteredResource, "type" | "name" | "urn" | "inputs"> & { propertyDependencies?: Record<string, string[]> }>): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const list = resources.map(r => {
        const pr = { type: r.type, name: r.name, urn: r.urn, props: r.inputs, opts: {}, dependencies: [], propertyDependencies: {} } as unknown as PolicyResource;
        byUrn.set(r.urn, pr);
        return pr;
    });
    resources.forEach((r, i) => {
        list[i].propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {})
            .map(([k, urns]) => [k, urns.map(u => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined)]));
    });
    return { resources: list, getConfig: () => ({}) as any, stackTags: new Map() } as unknown as StackValidationArgs;
}

export function validateStack(policy: StackValidationPolicy, args: StackValidationArgs): string[] {
    const violations: string[] = [];
    (policy.validateStack as any)(args, (m: string) => violations.push(m));
    return violations;
}

