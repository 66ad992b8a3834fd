// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): a decimal number with an
// optional binary (Ki…Ei), decimal (n, u, m, k, M…E) or exponent (e3) suffix.

const SUFFIX: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The value of a quantity in base units (cores, bytes), or undefined when it is not a quantity. */
export function parseQuantity(text: string | undefined): number | undefined {
    if (text === undefined) {
        return undefined;
    }
    const m = QUANTITY.exec(String(text));
    if (!m) {
        return undefined;
    }
    const number = Number(m[1]);
    return m[2] !== undefined ? number * 10 ** Number(m[2].slice(1)) : number * SUFFIX[m[3] ?? ""];
}
