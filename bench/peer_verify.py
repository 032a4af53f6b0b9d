"""Verify latency against peers, in one run, interleaved.

The same 640x480 frames are verified against one enrolled frame by:

- this server over HTTP (`POST /v1/fr/verify`, one inference worker), with
  `ezway` and with `applemango` preferred;
- OpenCV's own pipeline on the same two models the server runs
  (`FaceDetectorYN` with YuNet, from its fixed-shape export of the same
  weights, which OpenCV's importer reads; `FaceRecognizerSF` with the very
  SFace file), one thread;
- the `face_recognition` library (dlib HOG detector and ResNet).

Each round verifies one frame with every method, in an order that rotates
from round to round, so that a noisy machine slows them alike. Every
method starts from the JPEG bytes in memory (decoding is part of the work);
the server's time is the HTTP round trip on a kept-alive connection, with
the Base64 body prepared before the clock starts.

Run it with scripts/bench-peers.sh, which builds the server and installs
the pinned peers in .cache/peer-venv.
"""

import argparse
import base64
import glob
import http.client
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import cv2
import face_recognition
import numpy as np


def cpu_name():
    """The CPU's model name, as the server's benchmarks print it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Server:
    """A release server on a loopback port with one tenant."""

    def __init__(self, binary, model_dir):
        self.data = tempfile.TemporaryDirectory()
        key = subprocess.run([binary, "master-key", "generate"], check=True,
                             capture_output=True, text=True).stdout.strip()
        env = dict(os.environ, EKYC_MODEL_DIR=model_dir, EKYC_MASTER_KEY=key,
                   EKYC_INFERENCE_WORKERS="1", RUST_LOG="warn",
                   # Strangers' frames are verified hundreds of times against
                   # one enrolment: the lockout would answer 429 after five.
                   EKYC_LOCKOUT_AFTER_FAILURES="1000000000",
                   EKYC_RATE_LIMIT_PER_SECOND="100000", EKYC_RATE_LIMIT_BURST="100000")
        self.env = env
        self.binary = binary
        self.process = subprocess.Popen(
            [binary, "--data-dir", self.data.name, "serve", "--listen", "127.0.0.1:0"],
            env=env, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit(f"server did not start: {line!r}")
        host, port = line.split()[-1].rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        tenant = json.loads(subprocess.run(
            [binary, "--data-dir", self.data.name, "tenant", "create", "--name", "peers", "--json"],
            env=env, check=True, capture_output=True, text=True).stdout)
        token = self.call("/v1/auth/token", {"accessKey": tenant["accessKey"],
                                              "secretKey": tenant["secretKey"]}, {})
        self.headers = {"Authorization": f"Bearer {token[1]['accessToken']}",
                        "X-Tenant-Token": tenant["tenantToken"]}

    def call(self, path, body, headers):
        payload = json.dumps(body)
        self.connection.request("POST", path, payload,
                                dict(headers, **{"Content-Type": "application/json"}))
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())

    def post(self, path, body):
        return self.call(path, body, self.headers)

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.data.cleanup()


class OpenCvPipeline:
    """YuNet + SFace through OpenCV's FaceDetectorYN and FaceRecognizerSF."""

    def __init__(self, model_dir, mirror_dir):
        cv2.setNumThreads(1)
        # OpenCV's importer cannot read the dynamic-shape export the server
        # runs; the fixed 640x640 export of the same weights (OpenCV Zoo's
        # face_detection_yunet_2023mar.onnx) is the one FaceDetectorYN is
        # made for, and it reshapes it to each frame.
        self.detector = cv2.FaceDetectorYN.create(
            os.path.join(mirror_dir, "yunet_s_640_640.onnx"), "", (320, 320), 0.6, 0.3, 5000)
        self.recogniser = cv2.FaceRecognizerSF.create(
            os.path.join(model_dir, "face_recognition_sface_2021dec_int8bq.onnx"), "")
        self.enrolled = None

    def embed(self, jpeg):
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        height, width = image.shape[:2]
        self.detector.setInputSize((width, height))
        _, faces = self.detector.detect(image)
        if faces is None:
            return None
        largest = max(faces, key=lambda f: f[2] * f[3])
        return self.recogniser.feature(self.recogniser.alignCrop(image, largest))

    def verify(self, jpeg):
        feature = self.embed(jpeg)
        if feature is None:
            return None
        return self.recogniser.match(self.enrolled, feature, cv2.FaceRecognizerSF_FR_COSINE)


class FaceRecognitionPipeline:
    """dlib's HOG detector and ResNet through face_recognition."""

    def __init__(self):
        self.enrolled = None

    def embed(self, jpeg):
        image = face_recognition.load_image_file(io.BytesIO(jpeg))
        boxes = face_recognition.face_locations(image)
        if not boxes:
            return None
        largest = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
        return face_recognition.face_encodings(image, known_face_locations=[largest])[0]

    def verify(self, jpeg):
        encoding = self.embed(jpeg)
        if encoding is None:
            return None
        return face_recognition.face_distance([self.enrolled], encoding)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="target/release/ekyc")
    parser.add_argument("--models", default=".cache/models")
    parser.add_argument("--mirror", default="../shared/models",
                        help="the model mirror, for the fixed-shape YuNet OpenCV reads")
    parser.add_argument("--frames", default="../shared/data/liveness/nuaa/ClientRaw")
    parser.add_argument("--rounds", type=int, default=150)
    args = parser.parse_args()

    files = sorted(glob.glob(os.path.join(args.frames, "**", "*.jpg"), recursive=True))
    step = max(1, len(files) // args.rounds)
    frames = [open(f, "rb").read() for f in files[::step][:args.rounds]]
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores; "
          f"{len(frames)} frames from {args.frames}")

    server = Server(os.path.abspath(args.server), os.path.abspath(args.models))
    opencv = OpenCvPipeline(args.models, args.mirror)
    dlib = FaceRecognitionPipeline()
    try:
        enrolment = next(f for f in frames if opencv.embed(f) is not None and dlib.embed(f) is not None)
        image = base64.b64encode(enrolment).decode()
        for engine in ("ezway", "applemango"):
            status, body = server.post("/v1/fr/register",
                                       {"userCode": f"peer-{engine}", "image": image, "engine": engine})
            if status != 200:
                raise SystemExit(f"registration failed: {status} {body}")
        opencv.enrolled = opencv.embed(enrolment)
        dlib.enrolled = dlib.embed(enrolment)

        bodies = [base64.b64encode(f).decode() for f in frames]

        def served(engine):
            def run(index):
                status, _ = server.post("/v1/fr/verify", {"userCode": f"peer-{engine}",
                                                          "image": bodies[index]})
                return status == 200
            return run

        methods = [
            (f"ekyc ezway (HTTP, 1 worker)", served("ezway")),
            (f"ekyc applemango (HTTP, 1 worker)", served("applemango")),
            ("OpenCV YuNet + SFace (same models, 1 thread)", lambda i: opencv.verify(frames[i]) is not None),
            ("face_recognition (dlib HOG + ResNet)", lambda i: dlib.verify(frames[i]) is not None),
        ]
        times = {name: [] for name, _ in methods}
        answered = {name: 0 for name, _ in methods}
        for name, run in methods:  # warm-up
            run(0)
        for index in range(len(frames)):
            shift = index % len(methods)
            for name, run in methods[shift:] + methods[:shift]:
                started = time.perf_counter()
                answered[name] += bool(run(index))
                times[name].append(1000 * (time.perf_counter() - started))
    finally:
        server.close()

    print(f"{'method':<46} {'median':>8} {'p95':>8} {'answered':>9}")
    for name, _ in methods:
        values = times[name]
        print(f"{name:<46} {statistics.median(values):7.1f}ms {percentile(values, 0.95):7.1f}ms "
              f"{answered[name]:>5}/{len(values)}")
    ezway = statistics.median(times[methods[0][0]])
    for name, _ in methods[2:]:
        print(f"ezway is {statistics.median(times[name]) / ezway:.2f}x faster than {name}")


if __name__ == "__main__":
    sys.exit(main())
