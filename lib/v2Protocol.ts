// The KServe V2 inference protocol as the cifar10 model speaks it (names and types from config.pbtxt).
// One definition of a valid answer, shared by the smoke test and the load generator. Node's built-ins
// only: the load generator is bundled with it into the script the in-cluster Job runs.

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
export const OUTPUT_DATATYPE = "FP32";
export const IMAGE_SHAPE = [1, 3, 32, 32];
/** The CIFAR-10 classes, in the order of the model's output. */
export const CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
export const CLASSES = CIFAR10_CLASSES.length;
/** What one image's answer looks like: a batch of one, ten class probabilities. */
export const OUTPUT_SHAPE = [1, CLASSES];
/** How far the probabilities may sum from 1 (FP32 softmax rounding). */
export const SUM_TOLERANCE = 1e-3;
/** A valid answer is about 300 bytes; anything far larger is not one (and is not read to the end). */
export const MAX_REPLY_BYTES = 64 * 1024;

/** A request for one 3x32x32 image, pixels from `pixel(i)` (0-255, flattened in row-major order). */
export function imageRequest(pixel: (i: number) => number): V2InferenceRequest {
    const size = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
    return {
        inputs: [{ name: INPUT_NAME, datatype: "UINT8", shape: IMAGE_SHAPE, data: Array.from({ length: size }, (_, i) => pixel(i) & 0xff) }],
    };
}

/**
 * The JSON body of `imageRequest(pixel)`, written directly: the load generator builds hundreds of
 * them, and the smoke test sends the same shape.
 */
export function imageRequestBody(pixel: (i: number) => number): string {
    const size = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
    const data = new Array<number>(size);
    for (let i = 0; i < size; i++) {
        data[i] = pixel(i) & 0xff;
    }
    return `{"inputs":[{"name":"${INPUT_NAME}","datatype":"UINT8","shape":[${IMAGE_SHAPE.join(",")}],"data":[${data.join(",")}]}]}`;
}

/** The pattern of the sample request: the same on every run, so outputs and previews stay quiet. */
const SAMPLE_PIXEL = (i: number) => (i * 37) % 256;

/** The same request on every run (a fixed pattern), so outputs and previews stay quiet. */
export function sampleRequest(): V2InferenceRequest {
    return imageRequest(SAMPLE_PIXEL);
}

/** The sample request's body, as the smoke test sends it. */
export function sampleRequestBody(): string {
    return imageRequestBody(SAMPLE_PIXEL);
}

export type AnswerCheck = { ok: true; probabilities: number[] } | { ok: false; problem: string };

/**
 * The class probabilities of a reply's text, or what is wrong with it. A valid reply is JSON with an
 * output `probs__0` of datatype FP32 and shape [1, 10] holding ten finite numbers in [0, 1] that sum
 * to 1 (within SUM_TOLERANCE).
 */
export function checkAnswer(text: string): AnswerCheck {
    let reply: unknown;
    try {
        reply = JSON.parse(text);
    } catch {
        // Triton's JSON writer can emit bare NaN/Infinity, which JSON.parse refuses: name the real problem.
        return /\b(NaN|-?Infinity)\b/.test(text)
            ? { ok: false, problem: `${OUTPUT_NAME} holds non-finite numbers (NaN or Infinity)` }
            : { ok: false, problem: "the reply is not JSON" };
    }
    return probabilitiesOf(reply);
}

/** As checkAnswer, for a reply already parsed. */
export function probabilitiesOf(reply: unknown): AnswerCheck {
    const outputs = (reply as V2InferenceResponse | undefined)?.outputs;
    if (!Array.isArray(outputs)) {
        return { ok: false, problem: "the reply has no outputs" };
    }
    const out = outputs.find(o => o?.name === OUTPUT_NAME);
    if (!out) {
        return { ok: false, problem: `the reply has no output ${OUTPUT_NAME} (outputs: ${outputs.map(o => o?.name).join(", ") || "none"})` };
    }
    if (out.datatype !== OUTPUT_DATATYPE) {
        return { ok: false, problem: `${OUTPUT_NAME} has datatype ${JSON.stringify(out.datatype)}, expected ${OUTPUT_DATATYPE}` };
    }
    if (!Array.isArray(out.shape) || out.shape.length !== OUTPUT_SHAPE.length || out.shape.some((d, i) => d !== OUTPUT_SHAPE[i])) {
        return { ok: false, problem: `${OUTPUT_NAME} has shape ${JSON.stringify(out.shape)}, expected ${JSON.stringify(OUTPUT_SHAPE)}` };
    }
    if (!Array.isArray(out.data)) {
        return { ok: false, problem: `${OUTPUT_NAME} has no data` };
    }
    // V2 sends data flat; a row-major nested form is accepted too.
    const data = (out.data as unknown[]).flat(Infinity as 1) as unknown[];
    if (data.length !== CLASSES) {
        return { ok: false, problem: `${OUTPUT_NAME} holds ${data.length} values, expected ${CLASSES}` };
    }
    const bad = data.findIndex(x => typeof x !== "number" || !Number.isFinite(x) || x < 0 || x > 1);
    if (bad >= 0) {
        return { ok: false, problem: `${OUTPUT_NAME}[${bad}] = ${JSON.stringify(data[bad])} is not a probability (a finite number in [0, 1])` };
    }
    const sum = (data as number[]).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
        return { ok: false, problem: `${OUTPUT_NAME} does not sum to 1 (sum ${sum}, tolerance ${SUM_TOLERANCE})` };
    }
    return { ok: true, probabilities: data as number[] };
}
