#!/bin/sh
# Builds the Triton model repository: trains the network on CIFAR-10 (downloaded by torchvision)
# and exports it as cifar10-model/cifar10-pytorch/1/model.ts. Needs Python 3 with PyTorch and
# torchvision (requirements.txt) and internet access for the data set.
#   PYTHON     the interpreter (default: the first python3 that has torch and torchvision; model/python.sh)
#   EPOCHS     training epochs (default: 5, as in the tutorial)
#   FAKE_DATA  train on this many random images instead of CIFAR-10: a throw-away model, offline
set -eu
cd "$(dirname "$0")"
# shellcheck source=model/python.sh
. ./python.sh
find_python "torch, torchvision"
"$PYTHON" train.py --epochs "${EPOCHS:-5}" --data data --output checkpoints/cifar10.pt --fake-data "${FAKE_DATA:-0}"
"$PYTHON" export_to_ts.py --checkpoint checkpoints/cifar10.pt --output cifar10-model/cifar10-pytorch/1/model.ts
