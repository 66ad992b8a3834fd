#!/bin/sh
# Brings the dev stack up on a local kind cluster, with Pulumi state kept in this folder
# (.pulumi-state, through ./pulumi-dev: no Pulumi Cloud account needed). Safe to run again: each step
# is skipped when done, and a cluster deleted or recreated by hand is reconciled with the state.
#   PULUMI_CONFIG_PASSPHRASE  passphrase for the stack's secrets (default: empty, fine for a laptop)
set -eu
cd "$(dirname "$0")/.."

command -v node >/dev/null 2>&1 || { echo "up-kind: Node.js is not installed (README, 'Prerequisites')" >&2; exit 1; }
[ -d node_modules ] || npm ci

# Everything checked first, every problem reported at once, before anything slow.
node --import tsx scripts/preflight.ts

if [ ! -f model/cifar10-model/cifar10-pytorch/1/model.ts ]; then
  echo "up-kind: no model built yet; training and exporting it (npm run build:model)"
  npm run build:model
fi

# The cluster, the images loaded into it, the state reconciled with it, then `pulumi up`.
exec node --import tsx scripts/kind.ts up
