"""The CIFAR-10 network of the PyTorch tutorial, and the serving wrapper exported for Triton."""
import torch
import torch.nn as nn
import torch.nn.functional as F

CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

# Training and serving normalise the same way: x -> (x - 0.5) / 0.5 per channel.
MEAN = 0.5
STD = 0.5
IMAGE_SIZE = 32


class Net(nn.Module):
    """conv 3->6 k5, maxpool 2, conv 6->16 k5, maxpool 2, fc 400->120->84->10."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class ServingModel(nn.Module):
    """Takes raw uint8 NCHW images of any size and returns class probabilities of shape [N, 10]."""

    # Final attributes are compiled into the TorchScript as constants.
    size: torch.jit.Final[int]
    mean: torch.jit.Final[float]
    std: torch.jit.Final[float]

    def __init__(self, net: Net) -> None:
        super().__init__()
        self.net = net
        self.size = IMAGE_SIZE
        self.mean = MEAN
        self.std = STD

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = image.to(torch.float32) / 255.0
        # The tutorial resizes without antialiasing; keep it so served and tutorial results agree.
        x = F.interpolate(x, size=[self.size, self.size], mode="bilinear", align_corners=False, antialias=False)
        x = (x - self.mean) / self.std
        return F.softmax(self.net(x), dim=1)
