// `npm run loadtest -- --host URL --users N --spawn-rate R --run-time 180s --report DIR [--watch]`
import { main } from "./loadgen";
import { startWatch } from "./watch";

main(process.argv.slice(2), { startWatch: (opts, startedAt) => startWatch(opts, startedAt) })
    .then(code => { process.exitCode = code; })
    .catch(e => {
        console.error(`loadgen: ${(e as Error).stack ?? e}`);
        process.exitCode = 1;
    });
