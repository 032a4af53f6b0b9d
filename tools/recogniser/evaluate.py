"""Line CER and exact-line rate of an exported recogniser on shards, read
one line at a time through ONNX Runtime on one CPU thread, as the server
reads them; also the median time per line, and the same figures on the
number lines alone (more than half digits: dates, registration, licence
and serial numbers), where one misread character costs a key field.

    python3 evaluate.py MODEL.onnx NAME=FOLDER...
"""
import glob
import json
import os
import sys
import time

import numpy as np
import onnxruntime

from shards import read_shard
from train import edit_distance, greedy, load_alphabet


def main(model, specs):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    alphabet, _ = load_alphabet()
    figures = {}
    for spec in specs:
        name, folder = spec.split("=", 1)
        errors = chars = exact = 0
        numbers = [0, 0, 0, 0]  # lines, errors, characters, exact
        times, worst = [], []
        for path in sorted(glob.glob(os.path.join(folder, "*.bin"))):
            for label, image in read_shard(path):
                started = time.perf_counter()
                probabilities = session.run(None, {"line": image[None, None].astype(np.float32)})[0]
                text = greedy(probabilities, alphabet)[0]
                times.append(time.perf_counter() - started)
                distance = edit_distance(text, label)
                errors, chars, exact = errors + distance, chars + len(label), exact + (distance == 0)
                if label and sum(c.isdigit() for c in label) * 2 > len(label):
                    numbers = [numbers[0] + 1, numbers[1] + distance, numbers[2] + len(label),
                               numbers[3] + (distance == 0)]
                if distance:
                    worst.append((distance, label, text))
        figures[name] = {"lines": len(times), "cer": round(errors / max(chars, 1), 5),
                         "exact": round(exact / max(len(times), 1), 5),
                         "median_ms_per_line": round(1000 * float(np.median(times)), 2),
                         "number_lines": {"lines": numbers[0], "cer": round(numbers[1] / max(numbers[2], 1), 5),
                                          "exact": round(numbers[3] / max(numbers[0], 1), 5)},
                         "errors": [f"{label} -> {text}" for _, label, text in sorted(worst, reverse=True)[:15]]}
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
