#!/bin/sh
# Runs the model contract tests with a Python that has PyTorch, chosen by the same rule as the model
# build (model/python.sh).
set -eu
cd "$(dirname "$0")"
# shellcheck source=model/python.sh
. ../../model/python.sh
find_python "torch, torchvision, pytest"
exec "$PYTHON" -m pytest -q -p no:cacheprovider "$@" .
