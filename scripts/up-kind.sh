#!/bin/sh
# Brings the dev stack up on a local kind cluster, with Pulumi state kept in this folder
# (.pulumi-state, no Pulumi Cloud account needed). Safe to run again: each step is skipped when done.
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

if ! kind get clusters 2>/dev/null | grep -qx scalable-serving; then
  kind create cluster --config kind/cluster.yaml
fi
kubectl config use-context kind-scalable-serving >/dev/null

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-}"
pulumi stack select --create dev
pulumi up --yes --stack dev
