// Entry point of the in-cluster load-test Job: bundled with what it imports into one script that
// needs only Node's built-ins (components/loadTest.ts). No --watch there: it has no Kubernetes client.
import { main } from "./main";

main(process.argv.slice(2)).then(code => process.exit(code), e => {
    console.error(`loadgen: ${(e as Error).stack ?? e}`);
    process.exit(1);
});
