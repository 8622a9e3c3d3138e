#!/usr/bin/python3
"""PyTorch reference for carbonbench's quickstart cell: the same cnn, data
subset, optimizer and batch size, timed per epoch, fp32 or bf16 autocast.

Run with Debian's interpreter, which sees python3-torch:
  /usr/bin/python3 bench/reference/cnn_fashion_mnist.py [--bf16] [--epochs 3]
Compare with the epoch times carbonbench stores for suites/quickstart.yaml
(the loop here mirrors harness/src/training/trainer.cpp).
"""
import argparse
import gzip
import time

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split, size, seed):
    images = read_idx(f"{DATA}/{split}-images-idx3-ubyte.gz")
    labels = read_idx(f"{DATA}/{split}-labels-idx1-ubyte.gz")
    x = (torch.from_numpy(images.copy()).float().div(255).sub(0.2860).div(0.3530)).unsqueeze(1)
    y = torch.from_numpy(labels.copy()).long()
    if 0 < size < len(y):
        order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))[:size]
        x, y = x[order], y[order]
    return x, y


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)


class Cnn(nn.Module):
    def __init__(self, channels=32, hidden=128, classes=10):
        super().__init__()
        self.block1 = ConvBlock(1, channels)
        self.block2 = ConvBlock(channels, 2 * channels)
        self.fc1 = nn.Linear(2 * channels * 7 * 7, hidden)
        self.dropout = nn.Dropout(0.25)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = self.block2(self.block1(x))
        return self.fc2(self.dropout(torch.relu(self.fc1(x.flatten(1)))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    seed = 42
    train_x, train_y = load("train", 12000, seed)
    test_x, test_y = load("t10k", 2000, seed + 1)
    torch.manual_seed(seed)
    model = Cnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_y), generator=generator)
        for begin in range(0, len(train_y), 64):
            idx = order[begin:begin + 64]
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(train_x[idx])
            loss = nn.functional.cross_entropy(logits.float(), train_y[idx])
            loss.backward()
            optimizer.step()
        train_s = time.perf_counter() - start
        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            correct = sum((model(test_x[b:b + 1024]).argmax(1) == test_y[b:b + 1024]).sum().item()
                          for b in range(0, len(test_y), 1024))
        print(f"epoch {epoch}: train {train_s:.2f} s, test acc {100 * correct / len(test_y):.2f}% "
              f"(threads {torch.get_num_threads()}, {'bf16' if args.bf16 else 'fp32'})")


if __name__ == "__main__":
    main()
