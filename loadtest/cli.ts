// `npm run loadtest -- --host URL --users N --spawn-rate R --run-time 180s --report DIR [--watch]`
import { main } from "./main";
import { undiciLoadClient } from "./undiciClient";

// Exit explicitly: a hanging API connection of --watch must not keep the process alive after the run.
main(process.argv.slice(2), {
    client: undiciLoadClient,
    // The Kubernetes client costs a second of start-up: loaded only for --watch.
    startWatch: (opts, startedAt) => (require("./watch") as typeof import("./watch")).startWatch(opts, startedAt),
}).then(code => process.exit(code), e => {
    console.error(`loadgen: ${(e as Error).stack ?? e}`);
    process.exit(1);
});
