// `pulumi preview --policy-pack policy` (from the project folder, after `npm ci`).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("scalable-serving", { policies });
