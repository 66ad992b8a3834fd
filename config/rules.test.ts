import * as assert from "assert";
import { checkBucketName, checkS3Prefix, cidrProblem, nearestKey, unknownKeyProblems } from "./rules";

describe("configuration rules", () => {
    it("unknownKeyProblems and nearestKey are pure rules", () => {
        assert.deepStrictEqual(unknownKeyProblems("p", ["p:autoscaler", "aws:region", "other:autoscalr"]), []);
        assert.strictEqual(unknownKeyProblems("p", ["p:replica"]).length, 1);
        assert.strictEqual(nearestKey("modelstore"), "modelStore");
        assert.strictEqual(nearestKey("zzzzzz"), undefined);
    });

    it("CIDRs: IPv4 and IPv6 with a prefix length in range", () => {
        assert.deepStrictEqual(["203.0.113.0/24", "2001:db8::/32", "1.2.3.4", "1.2.3.4/33", "01.2.3.4/8", "2001:db8::/129"].map(cidrProblem),
            [undefined, undefined, "is not a CIDR (address/prefix length)", "has a prefix longer than 32", "has no valid IPv4 address", "has a prefix longer than 128"]);
    });

    it("bucket names and key prefixes", () => {
        assert.strictEqual(checkBucketName("models-bucket"), undefined);
        assert.match(checkBucketName("UPPER")!, /lowercase/);
        assert.strictEqual(checkS3Prefix("cifar10-model"), undefined);
        assert.match(checkS3Prefix("/x")!, /begin or end/);
    });
});
