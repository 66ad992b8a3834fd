import * as assert from "assert";
import { reply, WRONG_ANSWERS } from "../tests/v2answers";
import { validReply } from "../tests/v2server";
import { checkAnswer, imageRequestBody, probabilitiesOf, sampleRequest, sampleRequestBody } from "./v2Protocol";

describe("V2 protocol: what a valid answer is", () => {
    it("the sample request is one UINT8 image of shape [1,3,32,32], the same every time", () => {
        const r = sampleRequest();
        assert.deepStrictEqual(r, sampleRequest());
        assert.deepStrictEqual([r.inputs[0].name, r.inputs[0].datatype, r.inputs[0].shape], ["image__0", "UINT8", [1, 3, 32, 32]]);
        assert.strictEqual(r.inputs[0].data.length, 3072);
        assert.ok(r.inputs[0].data.every(x => Number.isInteger(x) && x >= 0 && x <= 255));
        assert.ok(new Set(r.inputs[0].data).size > 200, "not a constant image");
    });

    it("accepts 10 FP32 probabilities of shape [1, 10], flat or nested", () => {
        assert.deepStrictEqual(probabilitiesOf(validReply()), { ok: true, probabilities: Array(10).fill(0.1) });
        assert.strictEqual(probabilitiesOf(reply({ data: [Array(10).fill(0.1)] })).ok, true);
        assert.strictEqual(checkAnswer(JSON.stringify(reply({ data: [0.9995, ...Array(9).fill(0)] }))).ok, true, "within the tolerance");
    });

    for (const [what, body, problem] of WRONG_ANSWERS) {
        it(`rejects ${what}`, () => {
            const result = checkAnswer(typeof body === "string" ? body : JSON.stringify(body));
            assert.ok(!result.ok && problem.test(result.problem), JSON.stringify(result));
        });
    }
    for (const [what, data] of [["a negative value", [-0.1, 0.2, ...Array(8).fill(0.1125)]], ["a value above 1", [1.5, ...Array(9).fill(0)]], ["a string", ["0.1", ...Array(9).fill(0.1)]]] as const) {
        it(`rejects ${what}`, () => {
            const result = probabilitiesOf(reply({ data }));
            assert.ok(!result.ok && /is not a probability/.test(result.problem), JSON.stringify(result));
        });
    }

    it("request bodies are the requests' JSON, written directly", () => {
        assert.strictEqual(sampleRequestBody(), JSON.stringify(sampleRequest()));
        assert.deepStrictEqual(JSON.parse(imageRequestBody(i => i + 300)).inputs[0].data.slice(0, 3), [44, 45, 46]);
    });
});
