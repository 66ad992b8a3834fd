#!/bin/sh
# Tears the dev stack down: `pulumi destroy` (custom resources before their operators and CRDs), then
# the kind cluster; says what it kept on this machine (state, built model, pulled images) and how to
# remove it. Safe to run again, and when the cluster was already deleted by hand.
set -eu
cd "$(dirname "$0")/.."

command -v node >/dev/null 2>&1 || { echo "down-kind: Node.js is not installed (README, 'Prerequisites')" >&2; exit 1; }
[ -d node_modules ] || npm ci
exec node --import tsx scripts/kind.ts down
