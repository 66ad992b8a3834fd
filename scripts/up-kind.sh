#!/bin/sh
# Brings the dev stack up on a local kind cluster, with Pulumi state kept in this folder
# (.pulumi-state, through ./pulumi-dev: no Pulumi Cloud account needed). Safe to run again: each step
# is skipped when done, and a cluster deleted or recreated by hand is reconciled with the state.
#   PULUMI_CONFIG_PASSPHRASE  passphrase for the stack's secrets (default: empty, fine for a laptop)
#   FAKE_DATA=512             build a throw-away model in seconds instead of training on CIFAR-10
#   --drop-host-images        remove Docker's copy of each image once the kind node has its own
set -eu
cd "$(dirname "$0")/.."

command -v node >/dev/null 2>&1 || { echo "up-kind: Node.js is not installed (README, 'Prerequisites')" >&2; exit 1; }
[ -d node_modules ] || npm ci

# Everything checked first, every problem reported at once, before anything slow.
node --import tsx scripts/preflight.ts

# The model built (when missing) alongside the cluster and the images loaded into it, the state
# reconciled with the cluster, then `pulumi up` and the first request.
exec node --import tsx scripts/kind.ts up "$@"
