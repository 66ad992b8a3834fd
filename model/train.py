"""Trains the CIFAR-10 network of the PyTorch tutorial and saves its weights (a state dict)."""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.optim as optim
import torchvision
import torchvision.transforms as transforms

from cifar10 import MEAN, STD, Net


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--epochs", type=int, default=5, help="passes over the training set (default 5)")
    p.add_argument("--data", default="data", help="folder for the CIFAR-10 download (default ./data)")
    p.add_argument("--output", default="checkpoints/cifar10.pt", help="where to save the weights")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fake-data", type=int, metavar="N", default=0,
                   help="train on N random images instead of CIFAR-10 (offline smoke test; the result is useless)")
    args = p.parse_args(argv)
    if args.epochs < 1:
        p.error(f"--epochs must be at least 1, got {args.epochs}")
    if args.batch_size < 1:
        p.error(f"--batch-size must be at least 1, got {args.batch_size}")
    return args


def dataset(args):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,) * 3, (STD,) * 3)])
    if args.fake_data:
        print(f"WARNING: training on {args.fake_data} random images (--fake-data): the model learns nothing.",
              file=sys.stderr)
        return torchvision.datasets.FakeData(size=args.fake_data, image_size=(3, 32, 32), num_classes=10,
                                             transform=transform, random_offset=args.seed)
    try:
        return torchvision.datasets.CIFAR10(root=args.data, train=True, download=True, transform=transform)
    except (OSError, RuntimeError) as e:  # URLError is an OSError; torchvision raises RuntimeError on bad archives
        sys.exit(f"train.py: cannot download CIFAR-10 into {args.data} ({type(e).__name__}: {e}); without internet, build a "
                 "throw-away model with `FAKE_DATA=512 npm run build:model` (train.py --fake-data N)")


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    loader = torch.utils.data.DataLoader(dataset(args), batch_size=args.batch_size, shuffle=True)
    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    for epoch in range(args.epochs):
        running = 0.0
        for i, (inputs, labels) in enumerate(loader, start=1):
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
            running += loss.item()
            if i % 2000 == 0:
                print(f"epoch {epoch + 1} batch {i}: loss {running / 2000:.3f}")
                running = 0.0
        print(f"epoch {epoch + 1}/{args.epochs} done")
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    torch.save(net.state_dict(), args.output)
    print(f"saved weights to {args.output}")


if __name__ == "__main__":
    main()
