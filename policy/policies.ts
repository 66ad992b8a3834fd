// The guardrails of scalable-serving, as Pulumi policies. Kept apart from the PolicyPack (index.ts),
// which starts a policy server when constructed, so that they can be unit-tested without the CLI.
// Policies see secret values unwrapped: they check where credentials sit, not whether they are marked.
import * as semver from "semver";
import { imagePinProblem } from "../lib/images";
import { isKubernetesObject } from "../lib/resourceTypes";
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

const HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"];
const SELDON_DEPLOYMENT = "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/;
const CREDENTIAL_NAME = /(SECRET|PASSWORD|PASSWD|_PASS$|^PASS$|_PWD$|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)/i;
/** A URL that carries a password: `scheme://user:password@host`. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
/** A command-line flag or assignment that hands over a credential: `--password=x`, `--secret-key x`, `TOKEN=x`. */
const CREDENTIAL_ARGUMENT = /(^|\s|--?)[\w-]*(secret|password|passwd|token|access[-_]?key|private[-_]?key|credential)[\w-]*(=|\s+)(?!\$)\S+/i;
const IAM_POLICY_TYPES = ["aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/groupPolicy:GroupPolicy", "aws:iam/policy:Policy",
    "aws:s3/bucketPolicy:BucketPolicy"];

/** Every container (`containers`, `initContainers`) at any depth of a resource's properties. */
export function containersIn(props: unknown): Array<{ path: string; container: Record<string, any> }> {
    return entriesIn(props).filter(e => (e.key === "containers" || e.key === "initContainers") && Array.isArray(e.value))
        .flatMap(e => (e.value as Array<Record<string, any>>).map((c, i) => ({ path: `${e.path}[${i}]`, container: c })));
}

/** Every string in a resource's properties, with its path. */
function stringsIn(props: unknown, at = ""): Array<{ path: string; value: string }> {
    if (typeof props === "string") {
        return [{ path: at, value: props }];
    }
    if (Array.isArray(props)) {
        return props.flatMap((x, i) => stringsIn(x, `${at}[${i}]`));
    }
    if (props !== null && typeof props === "object") {
        return Object.entries(props as Record<string, unknown>).flatMap(([k, v]) => stringsIn(v, at ? `${at}.${k}` : k));
    }
    return [];
}

export const pinnedVersions: ResourceValidationPolicy = {
    name: "pinned-chart-and-image-versions",
    description: "Helm charts are installed at an exact version and container images at a pinned tag or digest, never latest.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (HELM_TYPES.includes(args.type)) {
            const version = args.props.version;
            // An exact SemVer version (Helm's chart version format), never a range.
            if (typeof version !== "string" || semver.valid(version) === null) {
                report(`Helm ${args.type.split(":").pop()} ${args.name} (chart ${args.props.chart}) has version ${JSON.stringify(version)}: pin an exact chart version.`);
            }
        }
        for (const { path, container } of containersIn(args.props)) {
            const problem = typeof container.image === "string" ? imagePinProblem(container.image) : undefined;
            if (problem) {
                report(`${args.name}: container ${container.name ?? "?"} (${path}) uses image ${container.image}, which does not pin what runs: ` +
                    `${problem}. Pin a tag other than latest, or a sha256 digest of 64 hex digits.`);
            }
        }
    },
};

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const noPublicS3: StackValidationPolicy = {
    name: "no-public-s3",
    description: "Every S3 bucket blocks all public access; no public ACL, no bucket policy that allows everyone.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const blocks = args.resources.filter(r => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        for (const bucket of args.resources.filter(r => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2")) {
            const block = blocks.find(b => (b.propertyDependencies.bucket ?? []).some(d => d.urn === bucket.urn) || b.props.bucket === bucket.props.bucket);
            const open = block ? BLOCK_FLAGS.filter(f => block.props[f] !== true) : BLOCK_FLAGS;
            if (open.length > 0) {
                report(`S3 bucket ${bucket.name} does not block public access (${block ? `${open.join(", ")} not true` : "no BucketPublicAccessBlock"}).`, bucket.urn);
            }
            if (PUBLIC_ACLS.includes(bucket.props.acl)) {
                report(`S3 bucket ${bucket.name} has the public ACL ${bucket.props.acl}.`, bucket.urn);
            }
        }
        for (const acl of args.resources.filter(r => r.type === "aws:s3/bucketAclV2:BucketAclV2" || r.type === "aws:s3/bucketAcl:BucketAcl")) {
            if (PUBLIC_ACLS.includes(acl.props.acl)) {
                report(`${acl.name} grants the public ACL ${acl.props.acl}.`, acl.urn);
            }
        }
        for (const policy of args.resources.filter(r => r.type === "aws:s3/bucketPolicy:BucketPolicy")) {
            for (const statement of statementsOf(policy.props)) {
                const principal = statement.Principal;
                const everyone = principal === "*" || (principal && typeof principal === "object" && ([] as unknown[]).concat(principal.AWS).includes("*"));
                if (statement.Effect === "Allow" && everyone) {
                    report(`bucket policy ${policy.name} allows everyone (Principal "*").`, policy.urn);
                }
            }
        }
    },
};

export const autoscaledCpuRequests: ResourceValidationPolicy = {
    name: "autoscaled-containers-request-cpu",
    description: "Containers of an autoscaled SeldonDeployment request CPU: utilisation targets and scheduling depend on it.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type !== SELDON_DEPLOYMENT) {
            return;
        }
        for (const predictor of args.props.spec?.predictors ?? []) {
            for (const component of predictor.componentSpecs ?? []) {
                if (!component.hpaSpec && !component.kedaSpec) {
                    continue;
                }
                const containers: Array<Record<string, any>> = component.spec?.containers ?? [];
                if (containers.length === 0) {
                    report(`${args.name}: predictor ${predictor.name} is autoscaled but declares no container with a CPU request.`);
                }
                for (const c of containers) {
                    if (!c.resources?.requests?.cpu) {
                        report(`${args.name}: container ${c.name} of autoscaled predictor ${predictor.name} has no CPU request.`);
                    }
                }
                for (const metric of component.hpaSpec?.metricsv2 ?? []) {
                    const named = metric.containerResource?.container;
                    if (named && !containers.some(c => c.name === named && c.resources?.requests?.cpu)) {
                        report(`${args.name}: the HPA measures container ${named}, which is not declared with a CPU request.`);
                    }
                }
            }
        }
    },
};

export const noPlaintextCredentials: ResourceValidationPolicy = {
    name: "no-plaintext-credentials",
    description: "Credentials live in Kubernetes Secrets or Pulumi secrets: no AWS key ids in plain properties, no literal credential env vars or ConfigMap entries, no passwords in URLs, no credentials on command lines.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type === "kubernetes:core/v1:Secret") {
            return;
        }
        for (const { path, value } of stringsIn(args.props)) {
            if (AWS_ACCESS_KEY_ID.test(value)) {
                report(`${args.name}: ${path} holds what looks like an AWS access key id in plain text: keep it in a Secret.`);
            }
        }
        if (args.type === "kubernetes:core/v1:ConfigMap") {
            for (const key of Object.keys(args.props.data ?? {}).filter(k => CREDENTIAL_NAME.test(k))) {
                report(`${args.name}: ConfigMap entry ${key} looks like a credential: use a Secret.`);
            }
        }
        for (const { path, container } of containersIn(args.props)) {
            for (const env of container.env ?? []) {
                if (CREDENTIAL_NAME.test(env.name ?? "") && typeof env.value === "string" && env.value !== "") {
                    report(`${args.name}: ${path} sets ${env.name} as a literal value: use valueFrom.secretKeyRef.`);
                }
            }
        }
        if (args.type === "command:local:Command") {
            for (const key of Object.keys(args.props.environment ?? {}).filter(k => CREDENTIAL_NAME.test(k))) {
                report(`${args.name}: environment variable ${key} passes a credential to a local command.`);
            }
            for (const field of ["create", "update", "delete"].filter(f => typeof args.props[f] === "string" && CREDENTIAL_ARGUMENT.test(args.props[f]))) {
                report(`${args.name}: its ${field} command line passes a credential (${field} is stored in the state and shown in plans).`);
            }
        }
        for (const { path, value } of stringsIn(args.props)) {
            if (URL_WITH_PASSWORD.test(value)) {
                report(`${args.name}: ${path} is a URL with a password in it: pass the credential through a Secret.`);
            }
        }
        if (isKubernetesObject(args.type) && args.type !== "kubernetes:core/v1:Secret") {
            for (const { path, container } of containersIn(args.props)) {
                // As the process sees it: a flag and its value may be two words.
                const commandLine = ([] as unknown[]).concat(container.command ?? [], container.args ?? []).map(String).join(" ");
                if (CREDENTIAL_ARGUMENT.test(commandLine)) {
                    report(`${args.name}: ${path} passes a credential on its command line: read it from a Secret instead.`);
                }
            }
        }
    },
};

/** Every statement of a resource's JSON policy document (`policy`, a string or an object). */
function statementsOf(props: Record<string, any>): Array<Record<string, any>> {
    try {
        const doc = typeof props.policy === "string" ? JSON.parse(props.policy) : props.policy;
        return ([] as Array<Record<string, any>>).concat(doc?.Statement ?? []);
    } catch {
        return [];
    }
}

export const iamLeastPrivilege: ResourceValidationPolicy = {
    name: "iam-least-privilege",
    description: "IAM and bucket policies allow named actions on named resources: no `*` or `service:*` action, no `*` resource in an Allow.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!IAM_POLICY_TYPES.includes(args.type)) {
            return;
        }
        for (const statement of statementsOf(args.props).filter(st => st.Effect === "Allow")) {
            const sid = statement.Sid ? ` (statement ${statement.Sid})` : "";
            for (const action of ([] as unknown[]).concat(statement.Action ?? [], statement.NotAction ?? [])) {
                if (typeof action === "string" && (action === "*" || /:\*$/.test(action))) {
                    report(`${args.name}${sid} allows the wildcard action ${action}: name the actions it needs (e.g. s3:GetObject).`);
                }
            }
            if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
                report(`${args.name}${sid} allows with NotAction or NotResource, which grants everything not listed: name what it allows.`);
            }
            for (const resource of ([] as unknown[]).concat(statement.Resource ?? [])) {
                if (resource === "*") {
                    report(`${args.name}${sid} allows on every resource ("*"): name the bucket and key prefix.`);
                }
            }
        }
    },
};

export const hardenedContainers: ResourceValidationPolicy = {
    name: "hardened-containers",
    description: "Containers the program defines carry a securityContext, are not privileged and cannot escalate privileges.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!isKubernetesObject(args.type)) {
            return; // Helm releases' containers are their charts'; the namespaces' Pod Security levels cover them.
        }
        for (const { path, container } of containersIn(args.props)) {
            const sc = container.securityContext;
            const name = `${args.name}: container ${container.name ?? "?"} (${path})`;
            if (!sc || typeof sc !== "object") {
                report(`${name} has no securityContext: set allowPrivilegeEscalation: false and drop ALL capabilities.`);
                continue;
            }
            if (sc.privileged === true) {
                report(`${name} is privileged: it would own the node.`);
            }
            if (sc.allowPrivilegeEscalation !== false) {
                report(`${name} may escalate privileges: set allowPrivilegeEscalation: false.`);
            }
            if (!([] as unknown[]).concat(sc.capabilities?.drop ?? []).includes("ALL")) {
                report(`${name} keeps the default capabilities: drop ALL.`);
            }
        }
    },
};

export const authenticatedChartSources: ResourceValidationPolicy = {
    name: "authenticated-chart-sources",
    description: "Helm charts come from https:// repositories or oci:// registries, never plain http:// (a chart runs with the cluster's highest rights).",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!HELM_TYPES.includes(args.type)) {
            return;
        }
        for (const source of [args.props.repositoryOpts?.repo, args.props.chart, args.props.repository]) {
            if (typeof source === "string" && /^http:\/\//i.test(source)) {
                report(`Helm ${args.type.split(":").pop()} ${args.name} takes its chart from ${source} over plain http://: use https:// or oci://.`);
            }
        }
    },
};

const AVERAGING = /\bavg(_over_time)?\s*(\(|\bby\b|\bwithout\b)/;

export const kedaTotalRate: ResourceValidationPolicy = {
    name: "keda-scales-on-total-rate",
    description: "A KEDA Prometheus trigger with metricType AverageValue must query a total (sum), not a per-pod average that falls as pods are added.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const triggerLists: unknown[][] = [];
        if (args.type === SELDON_DEPLOYMENT) {
            for (const predictor of args.props.spec?.predictors ?? []) {
                for (const component of predictor.componentSpecs ?? []) {
                    triggerLists.push(component.kedaSpec?.triggers ?? []);
                }
            }
        } else if (args.type === SCALED_OBJECT) {
            triggerLists.push(args.props.spec?.triggers ?? []);
        }
        for (const trigger of triggerLists.flat() as Array<Record<string, any>>) {
            const metricType = trigger.metricType ?? "AverageValue";
            if (trigger.type === "prometheus" && metricType === "AverageValue" && AVERAGING.test(trigger.metadata?.query ?? "")) {
                report(`${args.name}: the Prometheus trigger averages per pod (${trigger.metadata.query}) under metricType AverageValue: ` +
                    "the HPA divides by the threshold regardless of the replica count, so a second pod halves the signal and the " +
                    "deployment flaps. Query the total with sum(...).");
            }
        }
    },
};


/** Every pod spec at any depth (a Job's template, a SeldonDeployment's componentSpecs), with its path. */
function podSpecsIn(props: unknown, at = ""): Array<{ path: string; spec: Record<string, any> }> {
    if (Array.isArray(props)) {
        return props.flatMap((x, i) => podSpecsIn(x, `${at}[${i}]`));
    }
    if (props === null || typeof props !== "object") {
        return [];
    }
    const o = props as Record<string, any>;
    const here = Array.isArray(o.containers) ? [{ path: at || "spec", spec: o }] : [];
    return [...here, ...Object.entries(o).filter(([k]) => k !== "containers" && k !== "initContainers")
        .flatMap(([k, v]) => podSpecsIn(v, at ? `${at}.${k}` : k))];
}

export const podSecurityBaseline: ResourceValidationPolicy = {
    name: "pod-security-baseline",
    description: "Pods the program defines share nothing of the node (no hostPath, host network, PID or IPC), do not run as root, add no " +
        "capability, mount no service-account token and set a memory limit. Charts' pods are their charts' (each namespace's Pod " +
        "Security level covers them; docs/security.md names the exemptions they need).",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!isKubernetesObject(args.type)) {
            return;
        }
        for (const { path, spec } of podSpecsIn(args.props)) {
            const where = `${args.name} (${path})`;
            for (const v of ([] as Array<Record<string, any>>).concat(spec.volumes ?? []).filter(v => v?.hostPath)) {
                report(`${where}: volume ${v.name} is a hostPath (${v.hostPath.path}): the pod could read or write the node's files.`);
            }
            for (const key of ["hostNetwork", "hostPID", "hostIPC"].filter(k => spec[k] === true)) {
                report(`${where}: ${key} shares the node's namespace with the pod.`);
            }
            if (spec.automountServiceAccountToken !== false) {
                report(`${where}: mounts a service-account token: set automountServiceAccountToken: false (nothing in it calls the API).`);
            }
            const podRoot = spec.securityContext?.runAsUser === 0 || spec.securityContext?.runAsNonRoot === false;
            for (const { container } of containersIn(spec)) {
                const sc = container.securityContext ?? {};
                const name = `${where}: container ${container.name ?? "?"}`;
                if (sc.runAsUser === 0 || sc.runAsNonRoot === false || (podRoot && sc.runAsUser === undefined)) {
                    report(`${name} runs as root: run as a non-root user.`);
                }
                const added = ([] as unknown[]).concat(sc.capabilities?.add ?? []);
                if (added.length > 0) {
                    report(`${name} adds capabilities ${added.join(", ")}: drop ALL and add none.`);
                }
            }
            for (const { container } of containersIn({ containers: spec.containers ?? [] })) {
                if (container.resources?.limits?.memory === undefined) {
                    report(`${where}: container ${container.name ?? "?"} has no memory limit: one leak could take the node's memory.`);
                }
            }
        }
    },
};

const RBAC_ROLES = ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubernetes:rbac.authorization.k8s.io/v1:Role"];
const RBAC_BINDINGS = ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"];

export const rbacLeastPrivilege: ResourceValidationPolicy = {
    name: "rbac-least-privilege",
    description: "Roles name their verbs, resources and groups (no `*`), and nothing is bound to cluster-admin.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (RBAC_ROLES.includes(args.type)) {
            for (const [i, rule] of ([] as Array<Record<string, any>>).concat(args.props.rules ?? []).entries()) {
                for (const field of ["verbs", "resources", "apiGroups"].filter(f => ([] as unknown[]).concat(rule[f] ?? []).includes("*"))) {
                    report(`${args.name}: rule ${i} grants every ${field.replace(/s$/, "").replace("apiGroup", "API group")} (\`*\`): name them.`);
                }
            }
        }
        if (RBAC_BINDINGS.includes(args.type) && args.props.roleRef?.kind === "ClusterRole" && args.props.roleRef?.name === "cluster-admin") {
            report(`${args.name}: binds cluster-admin: grant a role with just what is needed.`);
        }
    },
};

export const exposureIsExplicit: ResourceValidationPolicy = {
    name: "exposure-is-explicit",
    description: "A load balancer is internal, or restricted to named source ranges; one open to 0.0.0.0/0 is the user's explicit choice " +
        "(advisory: it is allowed, and said).",
    enforcementLevel: "advisory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const services: Array<{ where: string; service: Record<string, any> | undefined }> = [];
        if (args.type === "kubernetes:core/v1:Service") {
            services.push({ where: args.name, service: { ...args.props.spec, annotations: args.props.metadata?.annotations } });
        } else if (HELM_TYPES.includes(args.type)) {
            services.push({ where: `Helm release ${args.name}`, service: args.props.values?.service });
        }
        for (const { where, service } of services) {
            if (service?.type !== "LoadBalancer") {
                continue;
            }
            const internal = Object.entries(service.annotations ?? {}).some(([k, v]) => /load-balancer-(internal|scheme)$/.test(k) && /^(true|internal)$/.test(String(v)));
            const ranges = ([] as string[]).concat(service.loadBalancerSourceRanges ?? []);
            if (!internal && (ranges.length === 0 || ranges.some(r => /\/0$/.test(r)))) {
                report(`${where}: a public load balancer open to ${ranges.length ? ranges.join(", ") : "any address"}: make it internal or name the source ranges.`);
            }
        }
    },
};



const ATTACHMENT_TYPES = ["aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"];
/** AWS managed policies that grant everything, or everything but IAM. */
const ADMIN_POLICIES = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

export const noAdminIdentities: ResourceValidationPolicy = {
    name: "no-admin-identities",
    description: "No identity gets an administrator policy, and no role may be assumed by anyone (`*`) or by every account (`arn:aws:iam::*:root`).",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (ATTACHMENT_TYPES.includes(args.type) && ADMIN_POLICIES.test(String(args.props.policyArn ?? ""))) {
            report(`${args.name} attaches ${args.props.policyArn}: grant the named actions the identity needs instead.`);
        }
        if (args.type === "aws:iam/role:Role") {
            for (const statement of statementsOf({ policy: args.props.assumeRolePolicy }).filter(st => st.Effect === "Allow")) {
                const principal = statement.Principal;
                const aws = principal && typeof principal === "object" ? ([] as unknown[]).concat(principal.AWS ?? []) : [];
                if (principal === "*" || aws.includes("*") || aws.some(p => /^arn:aws[\w-]*:iam::\*:root$/.test(String(p)))) {
                    report(`${args.name} may be assumed by anyone (${JSON.stringify(principal)}): name the accounts or services that may.`);
                }
            }
        }
    },
};

/** Keys anywhere in a values tree, with their paths. */
function entriesIn(v: unknown, at = ""): Array<{ path: string; key: string; value: unknown }> {
    if (Array.isArray(v)) {
        return v.flatMap((x, i) => entriesIn(x, `${at}[${i}]`));
    }
    if (v === null || typeof v !== "object") {
        return [];
    }
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => {
        const here = at ? `${at}.${k}` : k;
        return [{ path: here, key: k, value: x }, ...entriesIn(x, here)];
    });
}

export const noPrivilegedHelmValues: ResourceValidationPolicy = {
    name: "no-privileged-helm-values",
    description: "Values the program passes to a chart never turn on privileged containers or the node's namespaces.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!HELM_TYPES.includes(args.type)) {
            return;
        }
        for (const { path, key, value } of entriesIn(args.props.values)) {
            if (["privileged", "hostNetwork", "hostPID", "hostIPC"].includes(key) && value === true) {
                report(`Helm release ${args.name}: values.${path} is true: the chart's pods would share or own the node.`);
            }
        }
    },
};

export const encryptedBuckets: StackValidationPolicy = {
    name: "encrypted-buckets",
    description: "Every S3 bucket has a default server-side encryption configuration.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const configs = args.resources.filter(r => /^aws:s3\/bucketServerSideEncryptionConfiguration(V2)?:/.test(r.type));
        for (const bucket of args.resources.filter(r => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2")) {
            const inline = bucket.props.serverSideEncryptionConfiguration !== undefined;
            const config = configs.find(c => (c.propertyDependencies.bucket ?? []).some(d => d.urn === bucket.urn) || c.props.bucket === bucket.props.bucket);
            if (!inline && !config) {
                report(`S3 bucket ${bucket.name} has no default encryption: add a BucketServerSideEncryptionConfiguration (SSE-S3 or SSE-KMS).`, bucket.urn);
            }
        }
    },
};

export const explicitServing: ResourceValidationPolicy = {
    name: "explicit-serving",
    description: "Advisory: a NodePort reaches every node's address (right on kind, where kind maps it to 127.0.0.1; not on cloud), " +
        "and a Gateway without an HTTPS server serves plain HTTP only (ingressTlsSecret adds one).",
    enforcementLevel: "advisory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (args.type === "kubernetes:core/v1:Service" && args.props.spec?.type === "NodePort") {
            report(`${args.name} is a NodePort Service: fine on kind, where only 127.0.0.1 reaches it; on cloud use an internal load balancer.`);
        }
        if (args.type === "kubernetes:networking.istio.io/v1:Gateway" &&
            !([] as Array<Record<string, any>>).concat(args.props.spec?.servers ?? []).some(s => s.port?.protocol === "HTTPS")) {
            report(`${args.name} serves plain HTTP only: on cloud, set ingressTlsSecret to serve HTTPS too.`);
        }
    },
};

export const policies = [pinnedVersions, noPublicS3, autoscaledCpuRequests, noPlaintextCredentials, kedaTotalRate, iamLeastPrivilege,
    hardenedContainers, authenticatedChartSources, podSecurityBaseline, rbacLeastPrivilege, exposureIsExplicit, noAdminIdentities,
    noPrivilegedHelmValues, encryptedBuckets, explicitServing];
