#!/usr/bin/python3
"""PyTorch reference for the carbonbench-against-Python comparison: one case, one mode, one line of JSON.

Builds the same network as carbonbench's model plugin (plugins/models/<name>), on
synthetic inputs of the case's shape, and times either the training step of
harness/src/training/trainer.cpp (zero_grad, forward under autocast, fp32
cross-entropy, backward, Adam step) or the forward pass of
harness/src/training/inference.cpp (eval mode, no_grad). Each run warms up for 3
iterations, then times at least --seconds and at least 3 steps or 10 passes.

Run with Debian's interpreter, which sees python3-torch:
  /usr/bin/python3 bench/reference/torch_reference.py --case resnet18 --dtype bf16 \
      --threads 2 --mode train --seconds 20
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456 \
      /usr/bin/python3 bench/reference/torch_reference.py --case cnn --mode infer64
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
      /usr/bin/python3 bench/reference/torch_reference.py --case cnn --mode infer64
bench/compare_python.sh runs every case as users run it and under carbonbench's allocator.
"""
import argparse
import json
import math
import os
import resource
import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F

from cnn_fashion_mnist import Cnn  # the cnn plugin at its defaults

# Each case as carbonbench's quickstart-shaped data gives it to the model.
CASES = {
    "cnn": {"input_shape": (1, 28, 28), "classes": 10, "batch": 64},
    "resnet18": {"input_shape": (3, 32, 32), "classes": 10, "batch": 128},
    "mobilenet_v2": {"input_shape": (3, 32, 32), "classes": 10, "batch": 128},
    # fortunes: 4 default categories, a built vocabulary of at most 8000 tokens.
    "bert_tiny": {"input_shape": (128,), "classes": 4, "batch": 32, "vocab": 8000},
}
INFERENCE_BATCHES = {"infer1": 1, "infer64": 64}  # InferenceSettings.batch_sizes
PAD_TOKEN_ID = 0
LR = 1e-3  # TrainingSettings.lr
DISTINCT_BATCHES = 8  # inference.cpp's kMaxBatches
# Training shuffles this many batches' worth, as python_parity_bench's TrainCase
# does (its kBatches): the same training set in memory on both sides.
TRAIN_BATCHES = 32
WARMUP_ITERATIONS = 3
MIN_TRAIN_STEPS = 3
MIN_INFER_ITERATIONS = 10  # InferenceSettings.min_iterations
TUNED_MARKER = "glibc.malloc"  # what ApplyAllocatorTuning looks for in GLIBC_TUNABLES


# --- resnet18: torchvision's ResNet-18 with the CIFAR stem (3x3/1 conv, no max-pool).

def conv3x3(cin, cout, stride):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes, 1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class ResNet18(nn.Module):
    def __init__(self, in_channels, classes):
        super().__init__()
        self.conv1 = conv3x3(in_channels, 64, 1)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        planes = [64, 128, 256, 512]
        for stage, (cin, cout) in enumerate(zip([64] + planes[:-1], planes), start=1):
            stride = 1 if stage == 1 else 2
            setattr(self, f"layer{stage}",
                    nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


# --- mobilenet_v2: torchvision's MobileNetV2, width 1.0, small-input variant.

# torchvision's inverted_residual_setting (t, c, n, s); at width 1.0 its
# rounding to multiples of 8 leaves every channel count as it is.
STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
SMALL_INPUT_STAGE = 1  # runs at stride 1, as does the first conv


class ConvBnReLU6(nn.Sequential):
    """Conv2dNormActivation's children 0, 1, 2; ReLU6 applied as a clamp, as the plugin does."""

    def __init__(self, cin, cout, kernel, stride, groups=1):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride=stride, padding=(kernel - 1) // 2, groups=groups,
                      bias=False),
            nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))

    def forward(self, x):
        return torch.clamp(self[1](self[0](x)), 0.0, 6.0)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand_ratio):
        super().__init__()
        hidden = cin * expand_ratio
        layers = [ConvBnReLU6(cin, hidden, 1, 1)] if expand_ratio != 1 else []
        layers += [ConvBnReLU6(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, in_channels, classes, dropout=0.2):
        super().__init__()
        channels = 32
        layers = [ConvBnReLU6(in_channels, channels, 3, 1)]
        for index, (t, c, n, s) in enumerate(STAGES):
            stride = 1 if index == SMALL_INPUT_STAGE else s
            for i in range(n):
                layers.append(InvertedResidual(channels, c, stride if i == 0 else 1, t))
                channels = c
        layers.append(ConvBnReLU6(channels, 1280, 1, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(1280, classes))
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.01)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1)).flatten(1)
        return self.classifier(x)


# --- bert_tiny: the bert plugin's bert-tiny preset (google/bert_uncased_L-2_H-128_A-2
# shape, Hugging Face module names), trained from scratch.

BERT_TINY = {"layers": 2, "hidden": 128, "heads": 2, "intermediate": 512,
             "max_positions": 512, "type_vocab": 2, "eps": 1e-12, "dropout": 0.1}


def attend(q, k, v, padding, heads, dropout, training):
    """Multi-head scaled dot-product attention; padding is true at padded keys."""
    batch, length, hidden = q.shape
    head_size = hidden // heads

    def split(t):
        return t.view(batch, length, heads, head_size).transpose(1, 2)

    scores = torch.matmul(split(q), split(k).transpose(-2, -1)) / math.sqrt(head_size)
    mask = torch.zeros(batch, 1, 1, length, dtype=scores.dtype).masked_fill(
        padding.view(batch, 1, 1, length), torch.finfo(scores.dtype).min)
    probs = F.dropout(torch.softmax(scores + mask, -1), dropout, training)
    return torch.matmul(probs, split(v)).transpose(1, 2).reshape(batch, length, hidden)


class BertEmbeddings(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        c = BERT_TINY
        self.word_embeddings = nn.Embedding(vocab, c["hidden"], padding_idx=PAD_TOKEN_ID)
        self.position_embeddings = nn.Embedding(c["max_positions"], c["hidden"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=c["eps"])

    def forward(self, ids):
        positions = torch.arange(ids.size(1), dtype=ids.dtype)
        x = self.word_embeddings(ids) + self.position_embeddings(positions)
        x = x + self.token_type_embeddings.weight[0]  # single segment: type 0 everywhere
        return F.dropout(self.LayerNorm(x), BERT_TINY["dropout"], self.training)


class BertSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        hidden = BERT_TINY["hidden"]
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x, padding):
        return attend(self.query(x), self.key(x), self.value(x), padding, BERT_TINY["heads"],
                      BERT_TINY["dropout"], self.training)


class BertResidualOutput(nn.Module):
    """dense -> dropout -> LayerNorm(residual + .): BERT's attention.output and output."""

    def __init__(self, in_features):
        super().__init__()
        self.dense = nn.Linear(in_features, BERT_TINY["hidden"])
        self.LayerNorm = nn.LayerNorm(BERT_TINY["hidden"], eps=BERT_TINY["eps"])

    def forward(self, x, residual):
        return self.LayerNorm(F.dropout(self.dense(x), BERT_TINY["dropout"], self.training)
                              + residual)


class BertAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = BertSelfAttention()
        self.output = BertResidualOutput(BERT_TINY["hidden"])

    def forward(self, x, padding):
        return self.output(self.self(x, padding), x)


class BertIntermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(BERT_TINY["hidden"], BERT_TINY["intermediate"])

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = BertAttention()
        self.intermediate = BertIntermediate()
        self.output = BertResidualOutput(BERT_TINY["intermediate"])

    def forward(self, x, padding):
        attended = self.attention(x, padding)
        return self.output(self.intermediate(attended), attended)


class LayerStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer() for _ in range(BERT_TINY["layers"]))


class BertPooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(BERT_TINY["hidden"], BERT_TINY["hidden"])

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))


class BertEncoder(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab)
        self.encoder = LayerStack()
        self.pooler = BertPooler()

    def forward(self, ids, padding):
        x = self.embeddings(ids)
        for block in self.encoder.layer:
            x = block(x, padding)
        return x


class BertClassifier(nn.Module):
    def __init__(self, vocab, classes):
        super().__init__()
        self.bert = BertEncoder(vocab)
        self.classifier = nn.Linear(BERT_TINY["hidden"], classes)
        with torch.no_grad():  # Hugging Face's _init_weights
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    nn.init.normal_(module.weight, 0.0, 0.02)
                    nn.init.zeros_(module.bias)
                elif isinstance(module, nn.Embedding):
                    nn.init.normal_(module.weight, 0.0, 0.02)
                    if module.padding_idx is not None:
                        module.weight[module.padding_idx].zero_()
                elif isinstance(module, nn.LayerNorm):
                    nn.init.ones_(module.weight)
                    nn.init.zeros_(module.bias)

    def forward(self, ids):
        ids = ids.long()
        hidden = self.bert(ids, ids.eq(PAD_TOKEN_ID))
        pooled = self.bert.pooler(hidden)
        return self.classifier(F.dropout(pooled, BERT_TINY["dropout"], self.training))


# --- measurement

def build_model(case):
    """The network for a case, seeded as the C++ benchmarks seed theirs."""
    spec = CASES[case]
    torch.manual_seed(0)
    if case == "cnn":
        return Cnn(classes=spec["classes"])
    if case == "resnet18":
        return ResNet18(spec["input_shape"][0], spec["classes"])
    if case == "mobilenet_v2":
        return MobileNetV2(spec["input_shape"][0], spec["classes"])
    return BertClassifier(spec["vocab"], spec["classes"])


def synthetic_inputs(case, count):
    """count inputs shaped like the case's data: standardised pixels or token ids (no padding)."""
    spec = CASES[case]
    shape = (count, *spec["input_shape"])
    if "vocab" in spec:
        return torch.randint(1, spec["vocab"], shape, dtype=torch.long)
    return torch.randn(shape)


def timed_loop(iterate, seconds, min_iterations):
    """Runs warm-up iterations, then times iterations until both minimums are met."""
    for _ in range(WARMUP_ITERATIONS):
        iterate()
    latencies_s = []
    start = time.perf_counter()
    while len(latencies_s) < min_iterations or time.perf_counter() - start < seconds:
        begin = time.perf_counter()
        iterate()
        latencies_s.append(time.perf_counter() - begin)
    return latencies_s, time.perf_counter() - start


def measure_training(model, case, autocast, seconds, batch):
    """The trainer's step on batches gathered from a shuffled synthetic set."""
    count = TRAIN_BATCHES * batch
    inputs = synthetic_inputs(case, count)
    targets = torch.randint(0, CASES[case]["classes"], (count,))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    order = torch.randperm(count)
    position = 0

    def step():
        nonlocal order, position
        if position + batch > count:
            order, position = torch.randperm(count), 0
        index = order[position:position + batch]
        position += batch
        optimizer.zero_grad()
        with autocast():
            outputs = model(inputs[index])
        loss = F.cross_entropy(outputs.float(), targets[index])
        loss.backward()
        optimizer.step()

    return timed_loop(step, seconds, MIN_TRAIN_STEPS)


def measure_inference(model, case, autocast, seconds, batch):
    """inference.cpp's loop: a few distinct batches prepared up front, cycled through.

    Autocast is entered per forward pass, as the harness's forward scopes are, so
    bf16 copies of the weights are not cached from one pass to the next.
    """
    batches = list(synthetic_inputs(case, DISTINCT_BATCHES * batch).split(batch))
    model.eval()
    position = 0

    def forward():
        nonlocal position
        with autocast():
            model(batches[position])
        position = (position + 1) % len(batches)

    with torch.no_grad():
        return timed_loop(forward, seconds, MIN_INFER_ITERATIONS)


def loaded_blas():
    """The BLAS library mapped into this process, as carbonbench's LoadedBlas() reports it."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line[line.find("/"):].strip() if "/" in line else ""
            if "blas" in os.path.basename(path):
                return os.path.realpath(path)
    return "none mapped"


def malloc_replacement():
    """The allocator preloaded in place of glibc's malloc (tcmalloc, jemalloc), or None."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            name = os.path.basename(line.strip())
            if name.startswith(("libtcmalloc", "libjemalloc", "libmimalloc")):
                return name
    return None


def settings(args):
    """The runtime settings the figures were measured under."""
    tunables = os.environ.get("GLIBC_TUNABLES")
    replacement = malloc_replacement()
    tuned = replacement is not None or bool(tunables and TUNED_MARKER in tunables)
    return {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "dtype": args.dtype,
        "allocator": "tuned" if tuned else "default",
        "malloc": replacement or "glibc",
        "glibc_tunables": tunables,
        "blas": loaded_blas(),
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), required=True)
    parser.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="torch.set_num_threads (default: every usable core, as the host does)")
    parser.add_argument("--mode", choices=["train", *INFERENCE_BATCHES], default="train")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="time measured after the warm-up (at least)")
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    model = build_model(args.case)

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.dtype == "bf16")

    if args.mode == "train":
        batch = CASES[args.case]["batch"]
        measure = measure_training
    else:
        batch = INFERENCE_BATCHES[args.mode]
        measure = measure_inference
    latencies_s, loop_s = measure(model, args.case, autocast, args.seconds, batch)
    record = {
        "source": "python",
        "case": args.case,
        "mode": args.mode,
        "batch": batch,
        "iterations": len(latencies_s),
        "seconds": round(loop_s, 3),
        "steps_per_s": round(len(latencies_s) / loop_s, 3),
        "samples_per_s": round(len(latencies_s) * batch / loop_s, 2),
        "median_ms": round(statistics.median(latencies_s) * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **settings(args),
    }
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
