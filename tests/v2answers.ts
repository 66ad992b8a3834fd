// V2 answers for tests: a valid one with fields replaced, and the wrong ones every checker must refuse.

/** A valid answer (10 probabilities of 0.1, FP32, shape [1, 10]) with `output`'s fields replaced. */
export const reply = (output: Record<string, unknown>) => ({ outputs: [{ name: "probs__0", datatype: "FP32", shape: [1, 10], data: Array(10).fill(0.1), ...output }] });

/** Answers that arrive but are wrong, and what the smoke test must say about each. */
export const WRONG_ANSWERS: Array<[string, unknown, RegExp]> = [
    ["a wrong shape", reply({ shape: [10] }), /shape \[10\], expected \[1,10\]/],
    ["a wrong datatype", reply({ datatype: "FP64" }), /datatype "FP64", expected FP32/],
    ["NaN (as Triton writes it)", JSON.stringify(reply({})).replace("0.1,", "NaN,"), /non-finite numbers/],
    ["null (NaN as JSON.stringify writes it)", reply({ data: [null, ...Array(9).fill(1 / 9)] }), /probs__0\[0\] = null is not a probability/],
    ["nine values", reply({ data: Array(9).fill(1 / 9) }), /holds 9 values, expected 10/],
    ["values that do not sum to 1", reply({ data: Array(10).fill(0.5) }), /does not sum to 1/],
    ["no probs__0", { outputs: [{ name: "logits", datatype: "FP32", shape: [1, 10], data: Array(10).fill(0.1) }] }, /no output probs__0 \(outputs: logits\)/],
    ["HTML", "<html>ok</html>", /not JSON/],
];
