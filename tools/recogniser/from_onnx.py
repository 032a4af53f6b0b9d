"""Turns a shipped recogniser (ONNX) back into PyTorch weights to fine-tune.

The shipped model is the only copy of its weights that the repository
keeps, and ONNX export folds each batch norm into the convolution before
it and reorders the LSTM gates. This undoes both: the convolutions take the
folded weights, each batch norm becomes the identity plus the folded bias
(mean 0, variance 1 - eps, scale 1), and the gates go back from ONNX's
i, o, f, c to PyTorch's i, f, g, o. Fine-tune such weights with
`train.py --frozen-norm`: batch statistics would otherwise replace the
identity on the first step. The result is checked against ONNX Runtime.

    python3 from_onnx.py models/recogniser/ko_crnn.onnx OUT.pt
"""
import sys

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import numpy_helper

from model import Crnn

CONVOLUTIONS = [0, 4, 8, 11, 15, 18]


def gates(block, hidden):
    """ONNX i, o, f, c rows to PyTorch i, f, g, o."""
    i, o, f, c = (block[k * hidden:(k + 1) * hidden] for k in range(4))
    return np.concatenate([i, f, c, o])


def convert(onnx_path):
    graph = onnx.load(onnx_path).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    nodes = {n.op_type: [] for n in graph.node}
    for node in graph.node:
        nodes[node.op_type].append(node)
    classes = weights["model.classify.bias"].shape[0]
    model = Crnn(classes)
    state = model.state_dict()

    def put(name, array):
        state[name] = torch.from_numpy(np.array(array, copy=True)).to(state[name].dtype)

    for position, node in zip(CONVOLUTIONS, nodes["Conv"]):
        put(f"features.{position}.weight", weights[node.input[1]])
        norm = f"features.{position + 1}"
        bias = weights[node.input[2]]
        eps = model.features[position + 1].eps
        put(f"{norm}.weight", np.ones_like(bias))
        put(f"{norm}.bias", bias)
        put(f"{norm}.running_mean", np.zeros_like(bias))
        put(f"{norm}.running_var", np.full_like(bias, 1.0 - eps))
    project, classify = nodes["MatMul"]
    put("project.weight", weights[project.input[1]].T)
    put("project.bias", weights["model.project.bias"])
    put("classify.weight", weights[classify.input[1]].T)
    put("classify.bias", weights["model.classify.bias"])
    hidden = model.context.hidden_size
    for layer, node in enumerate(nodes["LSTM"]):
        w, r, b = (weights[node.input[k]] for k in (1, 2, 3))
        for direction, suffix in enumerate(["", "_reverse"]):
            put(f"context.weight_ih_l{layer}{suffix}", gates(w[direction], hidden))
            put(f"context.weight_hh_l{layer}{suffix}", gates(r[direction], hidden))
            put(f"context.bias_ih_l{layer}{suffix}", gates(b[direction][: 4 * hidden], hidden))
            put(f"context.bias_hh_l{layer}{suffix}", gates(b[direction][4 * hidden:], hidden))
    model.load_state_dict(state)
    return model.eval()


def check(model, onnx_path):
    """Largest difference from ONNX Runtime on random lines of three widths."""
    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(7)
    worst = 0.0
    for width in (64, 200, 480):
        pixels = rng.integers(0, 256, (2, 1, 32, width)).astype(np.float32)
        with torch.no_grad():
            ours = torch.softmax(model(torch.from_numpy(pixels)), -1).numpy()
        theirs = session.run(None, {"line": pixels})[0]
        worst = max(worst, float(np.abs(ours - theirs).max()))
    return worst


def main(onnx_path, out):
    model = convert(onnx_path)
    worst = check(model, onnx_path)
    print(f"largest difference from ONNX Runtime: {worst:.2e}")
    if worst > 1e-4:
        sys.exit("the converted weights do not reproduce the ONNX model")
    torch.save(model.state_dict(), out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
