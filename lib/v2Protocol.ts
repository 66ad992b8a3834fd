// The KServe V2 inference protocol as the cifar10 model speaks it (names and types from config.pbtxt).

export interface V2Tensor {
    name: string;
    datatype: "UINT8" | "FP32" | "INT64" | "BYTES";
    shape: number[];
    data: number[];
}

export interface V2InferenceRequest {
    inputs: V2Tensor[];
}

export interface V2InferenceResponse {
    model_name?: string;
    outputs: V2Tensor[];
}

export const INPUT_NAME = "image__0";
export const OUTPUT_NAME = "probs__0";
export const IMAGE_SHAPE = [1, 3, 32, 32];
export const CLASSES = 10;

/** A request for one 3x32x32 image, pixels from `pixel(i)` (0-255, flattened in row-major order). */
export function imageRequest(pixel: (i: number) => number): V2InferenceRequest {
    const size = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
    return {
        inputs: [{ name: INPUT_NAME, datatype: "UINT8", shape: IMAGE_SHAPE, data: Array.from({ length: size }, (_, i) => pixel(i) & 0xff) }],
    };
}

/** The same request on every run (a fixed pattern), so outputs and previews stay quiet. */
export function sampleRequest(): V2InferenceRequest {
    return imageRequest(i => (i * 37) % 256);
}

/**
 * The class probabilities of a reply, or a description of what is wrong with it. A valid reply holds
 * one output `probs__0` of FP32 with 10 values in [0, 1] that sum to 1.
 */
export function probabilitiesOf(reply: unknown): { ok: true; probabilities: number[] } | { ok: false; problem: string } {
    const outputs = (reply as V2InferenceResponse | undefined)?.outputs;
    if (!Array.isArray(outputs)) {
        return { ok: false, problem: "the reply has no outputs" };
    }
    const out = outputs.find(o => o?.name === OUTPUT_NAME);
    if (!out) {
        return { ok: false, problem: `the reply has no output ${OUTPUT_NAME} (outputs: ${outputs.map(o => o?.name).join(", ") || "none"})` };
    }
    const data = (out.data as unknown[]).flat(Infinity as 1) as unknown[];
    if (data.length !== CLASSES || !data.every(x => typeof x === "number" && x >= 0 && x <= 1)) {
        return { ok: false, problem: `${OUTPUT_NAME} holds ${data.length} values, expected ${CLASSES} probabilities in [0, 1]` };
    }
    const sum = (data as number[]).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-3) {
        return { ok: false, problem: `${OUTPUT_NAME} does not sum to 1 (sum ${sum})` };
    }
    return { ok: true, probabilities: data as number[] };
}
