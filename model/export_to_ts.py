"""Exports the CIFAR-10 network as TorchScript for Triton's PyTorch backend.

The exported model takes raw uint8 NCHW images of any size (input image__0) and returns softmax
probabilities of shape [N, 10] (output probs__0); see cifar10-model/cifar10-pytorch/config.pbtxt.
"""
import argparse
import os
import sys

import torch

from cifar10 import Net, ServingModel

UNTRAINED_BANNER = """
==============================================================================
 WARNING: UNTRAINED MODEL. --random-init exports a network with random weights.
 Its predictions are meaningless: use it for tests only, never for serving.
==============================================================================
"""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="weights saved by train.py")
    source.add_argument("--random-init", action="store_true", help="export an untrained network (tests only)")
    p.add_argument("--output", required=True, help="TorchScript file to write, e.g. .../cifar10-pytorch/1/model.ts")
    p.add_argument("--seed", type=int, default=0, help="seed for --random-init")
    return p.parse_args(argv)


def build(args) -> torch.jit.ScriptModule:
    net = Net()
    if args.random_init:
        torch.manual_seed(args.seed)
        net = Net()
    else:
        net.load_state_dict(torch.load(args.checkpoint, map_location="cpu"))
    model = ServingModel(net).eval()
    for param in model.parameters():
        param.requires_grad_(False)
    # Scripting (not tracing) keeps the resize correct for every input size.
    return torch.jit.script(model)


def main(argv=None):
    args = parse_args(argv)
    if args.random_init:
        print(UNTRAINED_BANNER, file=sys.stderr)
    scripted = build(args)
    with torch.no_grad():
        probs = scripted(torch.zeros(1, 3, 32, 32, dtype=torch.uint8))
    if tuple(probs.shape) != (1, 10):
        sys.exit(f"export check failed: expected output shape (1, 10), got {tuple(probs.shape)}")
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    scripted.save(args.output)
    print(f"exported {'UNTRAINED ' if args.random_init else ''}TorchScript model to {args.output}")
    if args.random_init:
        print(UNTRAINED_BANNER, file=sys.stderr)


if __name__ == "__main__":
    main()
