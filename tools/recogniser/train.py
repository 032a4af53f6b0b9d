"""Trains the line recogniser on shards that `ekyc-lines` keeps writing.

The generators run beside the trainer (one process per core) and the
trainer picks up each finished shard as it appears, sampling batches from
every line seen so far. Training stops after a wall-clock budget, which is
what a lent GPU gives; the learning rate follows that budget. The model is
exported to ONNX (fixed height, dynamic width), checked against PyTorch
with ONNX Runtime, and its figures on the evaluation shards are written
beside it.

    python3 train.py --shards /tmp/lines --eval heldout=DIR cards=DIR \
        --seconds 420 --out OUT
"""
import argparse
import glob
import json
import math
import os
import queue
import random
import threading
import time

import numpy as np
import torch
from torch import nn

from model import Crnn, Exported
from shards import HEIGHT, read_shard

ALPHABET_FILE = os.path.join(os.path.dirname(__file__), "../../crates/ekyc-doc/src/crnn_alphabet.txt")
# Each output step covers 4 input columns.
STRIDE = 4


def load_alphabet():
    alphabet = open(ALPHABET_FILE, encoding="utf-8").read().rstrip("\n")
    return alphabet, {c: i + 1 for i, c in enumerate(alphabet)}


def encode(label, index):
    """Class ids of the label's characters; an empty label (a box with no
    text in it) is kept: it teaches the model to answer nothing there."""
    ids = [index.get(c) for c in label]
    return None if None in ids else ids


def fits_ctc(width, ids):
    """CTC needs a step per character plus one between repeated ones."""
    repeats = sum(1 for a, b in zip(ids, ids[1:]) if a == b)
    return width // STRIDE >= len(ids) + repeats


def load_lines(paths, index):
    lines, dropped = [], 0
    for path in paths:
        for label, image in read_shard(path):
            ids = encode(label, index)
            if ids is None or not fits_ctc(image.shape[1], ids):
                dropped += 1
                continue
            lines.append((image, ids, label))
    return lines, dropped


class Pool:
    """Every training line loaded so far; a thread adds new shards."""

    def __init__(self, folder, index):
        self.folder, self.index = folder, index
        self.lines, self.seen, self.dropped = [], set(), 0
        self.stop = False
        threading.Thread(target=self.watch, daemon=True).start()

    def watch(self):
        while not self.stop:
            fresh = sorted(set(glob.glob(os.path.join(self.folder, "lines-*.bin"))) - self.seen)
            for path in fresh:
                lines, dropped = load_lines([path], self.index)
                self.lines.extend(lines)
                self.dropped += dropped
                self.seen.add(path)
            time.sleep(1.0)


def pad_batch(lines):
    """N x 1 x 32 x W, each line padded on the right with its background."""
    width = max(image.shape[1] for image, *_ in lines)
    width = (width + STRIDE - 1) // STRIDE * STRIDE
    batch = np.empty((len(lines), 1, HEIGHT, width), np.uint8)
    for row, (image, *_) in enumerate(lines):
        batch[row, 0, :, : image.shape[1]] = image
        batch[row, 0, :, image.shape[1]:] = np.percentile(image, 90)
    return batch


def batches(pool, size, out, rng):
    """Fills `out` with (pixels, targets, target lengths): lines of a
    similar width go together, so little of a batch is padding."""
    group = 8
    while True:
        count = len(pool.lines)
        picked = [pool.lines[rng.randrange(count)] for _ in range(size * group)]
        picked.sort(key=lambda line: line[0].shape[1])
        chunks = [picked[i * size:(i + 1) * size] for i in range(group)]
        rng.shuffle(chunks)
        for chunk in chunks:
            targets = [i for _, ids, _ in chunk for i in ids]
            lengths = [len(ids) for _, ids, _ in chunk]
            out.put((pad_batch(chunk), np.array(targets, np.int64), np.array(lengths, np.int64)))


def augment(pixels):
    """Contrast, brightness and noise, on the GPU: each line seen again
    looks a little different."""
    n = pixels.shape[0]
    gain = torch.empty(n, 1, 1, 1, device=pixels.device).uniform_(0.6, 1.15)
    shift = torch.empty(n, 1, 1, 1, device=pixels.device).uniform_(-25, 25)
    mean = pixels.mean(dim=(2, 3), keepdim=True)
    noise = torch.randn_like(pixels) * torch.empty(n, 1, 1, 1, device=pixels.device).uniform_(0, 6)
    return ((pixels - mean) * gain + mean + shift + noise).clamp(0, 255)


def greedy(probabilities, alphabet):
    best = probabilities.argmax(-1)
    texts = []
    for row in best.tolist():
        chars, previous = [], 0
        for k in row:
            if k != previous and k != 0:
                chars.append(alphabet[k - 1])
            previous = k
        texts.append("".join(chars))
    return texts


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def train_mode(model, frozen_norm):
    """Training mode; with `frozen_norm` the batch norms keep their running
    statistics (weights from `from_onnx.py` hold none worth updating)."""
    model.train()
    if frozen_norm:
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()


def evaluate(model, lines, alphabet, device, frozen_norm=False):
    """Line CER and exact-line rate, one line at a time as the server reads."""
    model.eval()
    errors = chars = exact = 0
    with torch.no_grad():
        for image, _, label in lines:
            pixels = torch.from_numpy(image.copy()).to(device).float()[None, None]
            text = greedy(model(pixels), alphabet)[0]
            distance = edit_distance(text, label)
            errors += distance
            chars += len(label)
            exact += distance == 0
    train_mode(model, frozen_norm)
    return {"lines": len(lines), "cer": errors / max(chars, 1), "exact": exact / max(len(lines), 1)}


def export(model, path, probe):
    """ONNX with a fixed height and a dynamic width; checked with ONNX Runtime."""
    import onnxruntime

    exported = Exported(model.cpu()).eval()
    example = torch.from_numpy(probe[0].copy()).float()[None, None]
    torch.onnx.export(
        exported, example, path, input_names=["line"], output_names=["probabilities"],
        dynamic_axes={"line": {0: "lines", 3: "width"}, "probabilities": {0: "lines", 1: "steps"}},
        opset_version=17, dynamo=False,
    )
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    worst = 0.0
    for image in probe:
        pixels = image[None, None].astype(np.float32)
        with torch.no_grad():
            reference = exported(torch.from_numpy(pixels)).numpy()
        got = session.run(None, {"line": pixels})[0]
        worst = max(worst, float(np.abs(reference - got).max()))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", required=True, help="folder the generators write to")
    parser.add_argument("--eval", nargs="*", default=[], help="NAME=FOLDER of evaluation shards")
    parser.add_argument("--seconds", type=float, default=420)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--min-lines", type=int, default=3000, help="lines to wait for before the first step")
    parser.add_argument("--init", help="weights to start from (a recogniser.pt of an earlier run)")
    parser.add_argument("--warmup", type=int, default=300, help="steps of linear learning-rate warm-up")
    parser.add_argument("--frozen-norm", action="store_true",
                        help="keep the batch norms' statistics (fine-tuning weights from from_onnx.py)")
    parser.add_argument("--report-seconds", type=float, default=60,
                        help="seconds between evaluations (each costs several seconds on a CPU)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    alphabet, index = load_alphabet()
    evals = {}
    for spec in args.eval:
        name, folder = spec.split("=", 1)
        evals[name], _ = load_lines(sorted(glob.glob(os.path.join(folder, "*.bin"))), index)
    os.makedirs(args.out, exist_ok=True)

    pool = Pool(args.shards, index)
    while len(pool.lines) < args.min_lines:
        time.sleep(0.5)
    ready = queue.Queue(maxsize=16)
    threading.Thread(target=batches, args=(pool, args.batch, ready, rng), daemon=True).start()

    model = Crnn(len(alphabet) + 1)
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    model = model.to(device)
    train_mode(model, args.frozen_norm)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    warmup = args.warmup
    started = time.time()
    step, seen, last_report, history = 0, 0, started, []
    while (elapsed := time.time() - started) < args.seconds:
        progress = elapsed / args.seconds
        scale = min(1.0, (step + 1) / warmup) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))
        for group in optimiser.param_groups:
            group["lr"] = args.lr * scale
        pixels, targets, lengths = ready.get()
        pixels = augment(torch.from_numpy(pixels).to(device, non_blocking=True).float())
        logits = model(pixels)
        log_probs = logits.float().log_softmax(-1).permute(1, 0, 2)
        steps = torch.full((pixels.shape[0],), log_probs.shape[0], dtype=torch.long)
        loss = ctc(log_probs, torch.from_numpy(targets).to(device), steps.to(device), torch.from_numpy(lengths).to(device))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimiser.step()
        step += 1
        seen += pixels.shape[0]
        if time.time() - last_report > args.report_seconds:
            last_report = time.time()
            report = {"seconds": round(elapsed), "step": step, "loss": round(loss.item(), 4),
                      "lines_seen": seen, "pool": len(pool.lines)}
            report.update({name: evaluate(model, lines[:400], alphabet, device, args.frozen_norm) for name, lines in evals.items()})
            history.append(report)
            print(json.dumps(report), flush=True)

    pool.stop = True
    figures = {"seconds": round(time.time() - started), "steps": step, "lines_seen": seen,
               "distinct_lines": len(pool.lines), "dropped_lines": pool.dropped, "batch": args.batch,
               "lr": args.lr, "seed": args.seed, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
               "parameters": sum(p.numel() for p in model.parameters()), "history": history}
    figures.update({name: evaluate(model, lines, alphabet, device) for name, lines in evals.items()})
    torch.save(model.state_dict(), os.path.join(args.out, "recogniser.pt"))
    probe = [image for image, _, _ in (next(iter(evals.values()), None) or pool.lines)[:8]]
    figures["onnx_max_abs_difference"] = export(model, os.path.join(args.out, "recogniser.onnx"), probe)
    with open(os.path.join(args.out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=1)
    print(json.dumps({k: v for k, v in figures.items() if k != "history"}), flush=True)


if __name__ == "__main__":
    main()
