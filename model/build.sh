#!/bin/sh
# Builds the Triton model repository: trains the network on CIFAR-10 (downloaded by torchvision)
# and exports it as cifar10-model/cifar10-pytorch/1/model.ts. Needs Python 3 with PyTorch and
# torchvision (requirements.txt) and internet access for the data set.
#   PYTHON   the interpreter (default: python3)
#   EPOCHS   training epochs (default: 5, as in the tutorial)
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
"$PYTHON" train.py --epochs "${EPOCHS:-5}" --data data --output checkpoints/cifar10.pt
"$PYTHON" export_to_ts.py --checkpoint checkpoints/cifar10.pt --output cifar10-model/cifar10-pytorch/1/model.ts
