import * as assert from "assert";
import { readerPolicy } from "./s3ModelStore";

describe("readerPolicy", () => {
    it("scopes both statements to the prefix", () => {
        const doc = readerPolicy("arn:aws:s3:::b", "a/b");
        assert.deepStrictEqual(doc.Statement.map((s: any) => s.Action), ["s3:ListBucket", "s3:GetObject"]);
        assert.strictEqual((doc.Statement[1] as any).Resource, "arn:aws:s3:::b/a/b/*");
        assert.ok(!JSON.stringify(doc).includes("s3:Put") && !JSON.stringify(doc).includes("\"*\""));
    });
});
