// `npm run plan -- --stack dev [--set key=value ...] [--output FILE]`
// Prints what the program would create for a stack, without a backend, a cluster or a cloud account.
import { planCommand } from "./planCommand";

planCommand(process.argv.slice(2), { out: text => process.stdout.write(text), err: line => console.error(line) })
    .then(code => { process.exitCode = code; });
