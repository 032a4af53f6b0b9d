"""The line recogniser: a small CRNN read with CTC.

Sized for a few milliseconds per line on one CPU core through ONNX Runtime
and a file under 10 MB: a VGG-style convolution stack that takes the
32-pixel line down to one row of features every 4 pixels (narrow enough
for CTC to separate repeated digits), two bidirectional LSTM layers for
context, and a linear layer over the alphabet plus the CTC blank.
"""
import torch
from torch import nn


def conv(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class Crnn(nn.Module):
    def __init__(self, classes, hidden=128):
        super().__init__()
        self.features = nn.Sequential(
            *conv(1, 32), nn.MaxPool2d(2, 2),             # 16 x W/2
            *conv(32, 64), nn.MaxPool2d(2, 2),            # 8 x W/4
            *conv(64, 96), *conv(96, 96), nn.MaxPool2d((2, 1), (2, 1)),  # 4 x W/4
            *conv(96, 128), *conv(128, 128), nn.MaxPool2d((2, 1), (2, 1)),  # 2 x W/4
        )
        self.project = nn.Linear(128 * 2, 2 * hidden)
        self.context = nn.LSTM(2 * hidden, hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.classify = nn.Linear(2 * hidden, classes)

    def forward(self, lines):
        """lines: N x 1 x 32 x W grey levels in 0..255. Returns N x W/4 x classes logits."""
        x = self.features(lines / 127.5 - 1.0)
        n, c, h, w = x.shape
        x = x.permute(0, 3, 1, 2).reshape(n, w, c * h)
        x, _ = self.context(torch.relu(self.project(x)))
        return self.classify(x)


class Exported(nn.Module):
    """What ships: class probabilities, N x T x classes."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, lines):
        return torch.softmax(self.model(lines), dim=-1)
