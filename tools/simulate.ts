// `npm run simulate -- --stack dev [options]`: the autoscaling twin (twin/cli.ts has the options).
import { simulateCommand } from "../twin/cli";

simulateCommand(process.argv.slice(2), { out: text => process.stdout.write(text), err: line => console.error(line) })
    .then(code => { process.exitCode = code; });
