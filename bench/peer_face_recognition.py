"""Peer baseline for `ekyc bench fr`: the same photos and pairs through the
`face_recognition` library (dlib's HOG detector, 68-point alignment and
ResNet embedding), the open-source default many face servers wrap.

Run it with scripts/bench-peer.sh, which installs the pinned packages in
.cache/peer-venv. Prints the same TAR/EER table as `ekyc bench fr` and the
time of one verification (detect + encode one photo, compare) on 640x480
photos, one process, so the two can be set side by side.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from multiprocessing import Pool

import face_recognition
import numpy as np


def embed(path):
    image = face_recognition.load_image_file(path)
    boxes = face_recognition.face_locations(image)
    if not boxes:
        return None
    largest = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    return face_recognition.face_encodings(image, known_face_locations=[largest])[0]


def embed_row(row):
    folder, path, identity = row
    return identity, embed(os.path.join(folder, path))


def threshold_at(impostors, fmr):
    """Lowest similarity at which at most `fmr` of the sorted impostors pass."""
    allowed = int(len(impostors) * fmr)
    if allowed >= len(impostors):
        return -np.inf
    return impostors[len(impostors) - 1 - allowed] + 1e-6


def eer(genuine, impostors):
    best = (1.0, 0.0)
    for t in np.linspace(-1.5, 0.0, 1501):
        frr = float(np.mean(genuine < t))
        far = float(np.mean(impostors >= t))
        best = min(best, (abs(frr - far), (frr + far) / 2))
    return best[1]


def accuracy(data):
    with open(os.path.join(data, "labels.csv")) as f:
        rows = [(data, r["path"], r["identity"]) for r in csv.DictReader(f)]
    with Pool(os.cpu_count()) as pool:
        results = pool.map(embed_row, rows, chunksize=16)
    kept = [(i, e) for i, e in results if e is not None]
    print(f"images: {len(kept)} embedded, {len(rows) - len(kept)} failed to enrol (no face found)")
    identities = np.array([i for i, _ in kept])
    vectors = np.stack([e for _, e in kept])
    population = np.array([i.split(":")[0] for i in identities])
    # Similarity = minus the Euclidean distance (dlib's rule: distance < 0.6).
    sets = {
        "LFW": population == "lfw",
        "CASIA (East-Asian)": population == "casia",
        "East-Asian all (CASIA+RMFD)": (population == "casia") | (population == "rmfd"),
    }
    for name, members in sets.items():
        index = np.flatnonzero(members)
        sub = vectors[index]
        squared = (sub**2).sum(1)
        distance = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * sub @ sub.T, 0.0))
        same = identities[index][:, None] == identities[index][None, :]
        upper = np.triu(np.ones_like(same, dtype=bool), 1)
        genuine = -distance[same & upper]
        impostors = np.sort(-distance[~same & upper])
        line = f"  {name:<28} {genuine.size} genuine / {impostors.size} impostor pairs:"
        for fmr in (1e-3, 1e-4, 1e-5):
            t = threshold_at(impostors, fmr)
            line += f"  TAR@{fmr:.0e} {100 * np.mean(genuine >= t):.2f} % (dist {-t:.3f})"
        line += f"  EER {100 * eer(genuine, impostors):.2f} %"
        rule_far = np.mean(impostors > -0.6)
        line += f"  | dlib rule d<0.6: TAR {100 * np.mean(genuine > -0.6):.2f} %, FMR {rule_far:.1e}"
        print(line)


def latency(folder, count):
    photos = sorted(
        os.path.join(root, f) for root, _, files in os.walk(folder) for f in files if f.endswith(".jpg")
    )
    photos = photos[:: max(1, len(photos) // count)][:count]
    reference = next(e for e in map(embed, photos) if e is not None)
    times = []
    for path in photos:
        start = time.perf_counter()
        probe = embed(path)
        if probe is not None:
            face_recognition.face_distance([reference], probe)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"verify face_recognition: {len(times)} requests, median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="../shared/data/faces")
    parser.add_argument("--latency-images", default="../shared/data/liveness/nuaa/ClientRaw")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    print(f"face_recognition {face_recognition.__version__}, {os.cpu_count()} processes for accuracy")
    latency(args.latency_images, args.requests)
    accuracy(args.data)


if __name__ == "__main__":
    sys.exit(main())
