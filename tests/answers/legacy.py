"""Answers to each assignment as students write them, and the points each test cell owes them.

WRONG holds typical mistakes, CORRECT correct answers written differently from the solution (tests must
check behaviour, not the solution's shape). Each submission replaces the named solution cells of the
student version; cells not named keep their stubs. `points` gives every autograded test cell's expected
score (CORRECT ones get every point), and `messages` text a failing cell's output must show.
"""

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import nbformat

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


from answers import Submission  # noqa: E402


def test_cell_points(assignment: str) -> dict[str, float]:
    """grade_id -> points of every autograded test cell of an assignment, read from its source notebooks."""
    cells = [c for path in sorted((SOLUTIONS / assignment).glob("*.ipynb")) for c in nbformat.read(path, 4).cells]
    return {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def wrong_answer(right: dict[str, str], cells: dict[str, float], student: str, lost, messages: dict[str, str],
                 **replaced: str) -> Submission:
    """A submission that is `right` except for the `replaced` solution cells; the test cells in `lost` score 0,
    every other test cell its full points."""
    return Submission(student, dict(right, **replaced), {c: 0 if c in lost else p for c, p in cells.items()}, messages)


WRONG, CORRECT = {}, {}

ACTIVATIONS = "activations"
ACTIVATIONS_CELLS = test_cell_points(ACTIVATIONS)
ACTIVATIONS_RIGHT = {
    "sigmoid": "def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n",
    "sigmoid_grad": "def sigmoid_grad(x):\n    s = sigmoid(x)\n    return s * (1 - s)\n",
    "tanh": "def tanh(x):\n    return np.tanh(x)\n",
    "tanh_grad": "def tanh_grad(x):\n    return 1 - np.tanh(x) ** 2\n",
    "relu": "def relu(x):\n    return np.maximum(x, 0.0)\n",
    "relu_grad": "def relu_grad(x):\n    return (x > 0).astype(float)\n",
    "leaky_relu": "def leaky_relu(x, alpha=0.01):\n    return np.where(x > 0, x, alpha * x)\n",
    "leaky_relu_grad": "def leaky_relu_grad(x, alpha=0.01):\n    return np.where(x > 0, 1.0, alpha)\n",
    "softmax": ("def softmax(z, axis=-1):\n    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
                "    return e / e.sum(axis=axis, keepdims=True)\n"),
}


_wrong_activation = partial(wrong_answer, ACTIVATIONS_RIGHT, ACTIVATIONS_CELLS)


WRONG[ACTIVATIONS] = [
    _wrong_activation(  # the textbook formula: right values, but exp overflows at -1e4
        "naive-sigmoid", {"sigmoid-tests": 0, "sigmoid-hidden-tests": 0},
        {"sigmoid-tests": "overflow encountered in exp"},
        sigmoid="def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"),
    _wrong_activation(  # x >= 0 gives 1 at exactly 0, not PyTorch's 0
        "relu-grad-at-zero", {"relu-hidden-tests": 0},
        {"relu-hidden-tests": "the derivative at exactly 0 is 0"},
        relu_grad="def relu_grad(x):\n    return (x >= 0).astype(float)\n"),
    _wrong_activation(  # forgets the square
        "tanh-grad-no-square", {"tanh-tests": 0, "tanh-hidden-tests": 0},
        {"tanh-tests": "did you square tanh?"},
        tanh_grad="def tanh_grad(x):\n    return 1 - np.tanh(x)\n"),
    _wrong_activation(  # no max subtracted: nan for large logits
        "naive-softmax", {"softmax-tests": 0, "softmax-hidden-tests": 0},
        {"softmax-tests": "subtract the max before exp"},
        softmax="def softmax(z, axis=-1):\n    e = np.exp(z)\n    return e / e.sum(axis=axis, keepdims=True)\n"),
    _wrong_activation(  # normalises over the whole array instead of along the axis
        "softmax-whole-array", {"softmax-tests": 0, "softmax-hidden-tests": 0},
        {"softmax-tests": "normalise along `axis` only"},
        softmax="def softmax(z, axis=-1):\n    e = np.exp(z - z.max())\n    return e / e.sum()\n"),
    _wrong_activation(  # hard-codes the default slope
        "leaky-fixed-alpha", {"relu-hidden-tests": 0},
        {"relu-hidden-tests": "use the alpha argument"},
        leaky_relu="def leaky_relu(x, alpha=0.01):\n    return np.where(x > 0, x, 0.01 * x)\n"),
]

CORRECT[ACTIVATIONS] = [
    Submission("right-as-specified", ACTIVATIONS_RIGHT),
    Submission(  # other stable formulas and plain Python loops
        "other-formulas",
        dict(ACTIVATIONS_RIGHT,
             sigmoid="def sigmoid(x):\n    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))\n",
             sigmoid_grad=("def sigmoid_grad(x):\n    t = np.tanh(0.5 * np.asarray(x, dtype=float))\n"
                           "    return 0.25 * (1 - t) * (1 + t)\n"),
             tanh="def tanh(x):\n    return 2 * sigmoid(2 * np.asarray(x, dtype=float)) - 1\n",
             relu=("def relu(x):\n    x = np.asarray(x, dtype=float)\n    out = np.zeros_like(x)\n"
                   "    for i, v in enumerate(x.flat):\n        out.flat[i] = v if v > 0 else 0.0\n    return out\n"),
             leaky_relu="def leaky_relu(x, alpha=0.01):\n    return np.maximum(x, alpha * np.asarray(x, dtype=float))\n",
             softmax=("def softmax(z, axis=-1):\n    m = np.max(z, axis=axis, keepdims=True)\n"
                      "    log_norm = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))\n"
                      "    return np.exp(z - log_norm)\n")),
    ),
]

LOSSES = "losses"
LOSSES_CELLS = test_cell_points(LOSSES)
LOSSES_RIGHT = {
    "mse": "def mse(y_true, y_pred):\n    return float(np.mean((y_pred - y_true) ** 2))\n",
    "mse_grad": "def mse_grad(y_true, y_pred):\n    return 2 * (y_pred - y_true) / y_pred.size\n",
    "binary_cross_entropy": (
        "def binary_cross_entropy(y_true, p, eps=1e-7):\n    p = np.clip(p, eps, 1 - eps)\n"
        "    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))\n"),
    "binary_cross_entropy_with_logits": (
        "def binary_cross_entropy_with_logits(y_true, logits):\n"
        "    return float(np.mean(np.maximum(logits, 0) - logits * y_true + np.log1p(np.exp(-np.abs(logits)))))\n"),
    "cross_entropy": (
        "def cross_entropy(logits, targets):\n    m = logits.max(axis=1, keepdims=True)\n"
        "    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))\n"
        "    return float(np.mean(lse - logits[np.arange(len(logits)), targets]))\n"),
    "cross_entropy_grad": (
        "def cross_entropy_grad(logits, targets):\n    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
        "    s = e / e.sum(axis=1, keepdims=True)\n    s[np.arange(len(logits)), targets] -= 1\n"
        "    return s / len(logits)\n"),
}


_wrong_loss = partial(wrong_answer, LOSSES_RIGHT, LOSSES_CELLS)


WRONG[LOSSES] = [
    _wrong_loss(  # forgets the factor 2 of the derivative of a square
        "mse-grad-no-two", {"mse_grad-tests", "mse_grad-hidden-tests"}, {"mse_grad-tests": "2 * (y_pred - y_true) / M"},
        mse_grad="def mse_grad(y_true, y_pred):\n    return (y_pred - y_true) / y_pred.size\n"),
    _wrong_loss(  # divides by the batch size instead of the number of elements
        "mse-grad-per-row", {"mse_grad-hidden-tests"}, {"mse_grad-hidden-tests": "not the number of rows"},
        mse_grad="def mse_grad(y_true, y_pred):\n    return 2 * (y_pred - y_true) / len(y_pred)\n"),
    _wrong_loss(  # no clipping: log(0)
        "bce-no-clip", {"binary_cross_entropy-tests", "binary_cross_entropy-hidden-tests"},
        {"binary_cross_entropy-tests": "clip p to [eps, 1 - eps]"},
        binary_cross_entropy=("def binary_cross_entropy(y_true, p, eps=1e-7):\n"
                              "    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))\n")),
    _wrong_loss(  # sigmoid first, then the textbook formula: overflows for large logits
        "bce-logits-via-sigmoid", {"binary_cross_entropy_with_logits-hidden-tests"},
        {"binary_cross_entropy_with_logits-hidden-tests": "never overflows"},
        binary_cross_entropy_with_logits=(
            "def binary_cross_entropy_with_logits(y_true, logits):\n    p = 1 / (1 + np.exp(-logits))\n"
            "    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))\n")),
    _wrong_loss(  # log of a softmax computed without the max
        "ce-naive", {"cross_entropy-hidden-tests"}, {"cross_entropy-hidden-tests": "log-sum-exp trick"},
        cross_entropy=("def cross_entropy(logits, targets):\n    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
                       "    return float(-np.mean(np.log(p[np.arange(len(p)), targets])))\n")),
    _wrong_loss(  # the gradient of the sum, not of the mean
        "ce-grad-sum", {"cross_entropy_grad-tests", "cross_entropy_grad-hidden-tests"},
        {"cross_entropy_grad-tests": "for the mean over N examples"},
        cross_entropy_grad=(
            "def cross_entropy_grad(logits, targets):\n    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    s = e / e.sum(axis=1, keepdims=True)\n    s[np.arange(len(logits)), targets] -= 1\n    return s\n")),
    _wrong_loss(  # binary and multi-class confused: independent sigmoids on one-hot targets
        "ce-as-binary", {"cross_entropy-tests", "cross_entropy-hidden-tests"}, {},
        cross_entropy=("def cross_entropy(logits, targets):\n    onehot = np.eye(logits.shape[1])[targets]\n"
                       "    return binary_cross_entropy_with_logits(onehot, logits)\n")),
]

CORRECT[LOSSES] = [
    Submission(  # logaddexp, one-hot matrices and explicit loops
        "other-formulas",
        dict(LOSSES_RIGHT,
             mse=("def mse(y_true, y_pred):\n    total = 0.0\n    for t, p in zip(np.ravel(y_true), np.ravel(y_pred)):\n"
                  "        total += (p - t) ** 2\n    return total / np.size(y_pred)\n"),
             binary_cross_entropy_with_logits=("def binary_cross_entropy_with_logits(y_true, logits):\n"
                                               "    return np.mean(np.logaddexp(0, logits) - y_true * logits)\n"),
             cross_entropy=("def cross_entropy(logits, targets):\n    losses = []\n"
                            "    for z, y in zip(logits, targets):\n        losses.append(np.logaddexp.reduce(z) - z[y])\n"
                            "    return np.mean(losses)\n"),
             cross_entropy_grad=("def cross_entropy_grad(logits, targets):\n"
                                 "    log_p = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)\n"
                                 "    return (np.exp(log_p) - np.eye(logits.shape[1])[targets]) / logits.shape[0]\n")),
    ),
]

GRADIENT_DESCENT = "gradient_descent"
GD_CELLS = test_cell_points(GRADIENT_DESCENT)
GD_RIGHT = {
    "gradient_descent": (
        "def gradient_descent(grad, x0, lr, steps):\n    path = [np.array(x0, dtype=float)]\n"
        "    for _ in range(steps):\n        path.append(path[-1] - lr * grad(path[-1]))\n    return np.array(path)\n"),
    "momentum": (
        "def momentum(grad, x0, lr, beta=0.9, steps=100):\n    path = [np.array(x0, dtype=float)]\n"
        "    v = np.zeros_like(path[0])\n    for _ in range(steps):\n        v = beta * v + grad(path[-1])\n"
        "        path.append(path[-1] - lr * v)\n    return np.array(path)\n"),
    "adam": (
        "def adam(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):\n    b1, b2 = betas\n"
        "    path = [np.array(x0, dtype=float)]\n    m = v = np.zeros_like(path[0])\n"
        "    for t in range(1, steps + 1):\n        g = grad(path[-1])\n        m = b1 * m + (1 - b1) * g\n"
        "        v = b2 * v + (1 - b2) * g * g\n"
        "        path.append(path[-1] - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps))\n"
        "    return np.array(path)\n"),
    "linear_regression_gd": (
        "def linear_regression_gd(X, y, lr, epochs):\n    w, b = np.zeros(X.shape[1]), 0.0\n"
        "    for _ in range(epochs):\n        r = X @ w + b - y\n"
        "        w, b = w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean()\n    return w, b\n"),
}


_wrong_gd = partial(wrong_answer, GD_RIGHT, GD_CELLS)


WRONG[GRADIENT_DESCENT] = [
    _wrong_gd(  # appends the array, then updates it in place: every row is the last point
        "gd-aliased-rows", {"gradient_descent-tests", "gradient_descent-hidden-tests"},
        {"gradient_descent-tests": "store a copy of each point"},
        gradient_descent=("def gradient_descent(grad, x0, lr, steps):\n    x = np.array(x0, dtype=float)\n"
                          "    path = [x]\n    for _ in range(steps):\n        x -= lr * grad(x)\n"
                          "        path.append(x)\n    return np.array(path)\n")),
    _wrong_gd(  # leaves out the starting point
        "gd-without-x0", {"gradient_descent-tests", "gradient_descent-hidden-tests"},
        {"gradient_descent-tests": "return steps + 1 rows"},
        gradient_descent=("def gradient_descent(grad, x0, lr, steps):\n    x, path = np.array(x0, dtype=float), []\n"
                          "    for _ in range(steps):\n        x = x - lr * grad(x)\n        path.append(x)\n"
                          "    return np.array(path)\n")),
    _wrong_gd(  # the other momentum convention
        "momentum-dampened", {"momentum-tests", "momentum-hidden-tests"}, {"momentum-tests": "no (1 - beta) factor"},
        momentum=GD_RIGHT["momentum"].replace("v = beta * v + grad(path[-1])", "v = beta * v + (1 - beta) * grad(path[-1])")),
    _wrong_gd(  # no bias correction
        "adam-no-bias-correction", {"adam-tests", "adam-hidden-tests"}, {"adam-tests": "the first Adam step"},
        adam=GD_RIGHT["adam"].replace("(m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)", "m / (np.sqrt(v) + eps)")),
    _wrong_gd(  # counts steps from 0 in the bias correction: divides by zero
        "adam-t-from-zero", {"adam-tests", "adam-hidden-tests"}, {},
        adam=GD_RIGHT["adam"].replace("for t in range(1, steps + 1):", "for t in range(steps):")),
    _wrong_gd(  # updates w, then computes b's gradient at the new w
        "linreg-sequential", {"linear_regression_gd-tests", "linear_regression_gd-hidden-tests"},
        {"linear_regression_gd-tests": "both before updating"},
        linear_regression_gd=("def linear_regression_gd(X, y, lr, epochs):\n    w, b = np.zeros(X.shape[1]), 0.0\n"
                              "    for _ in range(epochs):\n        w = w - lr * 2 * X.T @ (X @ w + b - y) / len(y)\n"
                              "        b = b - lr * 2 * (X @ w + b - y).mean()\n    return w, b\n")),
    _wrong_gd(  # forgets the 2 of the squared error's derivative
        "linreg-no-two", {"linear_regression_gd-tests", "linear_regression_gd-hidden-tests"}, {},
        linear_regression_gd=GD_RIGHT["linear_regression_gd"].replace("lr * 2 * X.T", "lr * X.T").replace(
            "lr * 2 * r.mean()", "lr * r.mean()")),
]

CORRECT[GRADIENT_DESCENT] = [
    Submission(  # velocity scaled by the learning rate, torch's own form of Adam, loops over examples
        "other-forms",
        dict(GD_RIGHT,
             momentum=("def momentum(grad, x0, lr, beta=0.9, steps=100):\n    x = np.array(x0, dtype=float)\n"
                       "    out = np.empty((steps + 1, x.size))\n    out[0] = x\n    step = np.zeros_like(x)\n"
                       "    for t in range(steps):\n        step = beta * step + lr * grad(x)\n        x = x - step\n"
                       "        out[t + 1] = x\n    return out\n"),
             adam=("def adam(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):\n"
                   "    x = np.array(x0, dtype=float)\n    m, v, path = np.zeros_like(x), np.zeros_like(x), [x]\n"
                   "    for t in range(1, steps + 1):\n        g = grad(x)\n"
                   "        m = betas[0] * m + (1 - betas[0]) * g\n        v = betas[1] * v + (1 - betas[1]) * g ** 2\n"
                   "        denom = np.sqrt(v) / np.sqrt(1 - betas[1] ** t) + eps\n"
                   "        x = x - (lr / (1 - betas[0] ** t)) * m / denom\n        path.append(x)\n"
                   "    return np.stack(path)\n"),
             linear_regression_gd=("def linear_regression_gd(X, y, lr, epochs):\n    n, d = X.shape\n"
                                   "    w, b = np.zeros(d), 0.0\n    for _ in range(epochs):\n"
                                   "        gw, gb = np.zeros(d), 0.0\n        for i in range(n):\n"
                                   "            r = X[i] @ w + b - y[i]\n            gw += 2 * r * X[i] / n\n"
                                   "            gb += 2 * r / n\n        w, b = w - lr * gw, b - lr * gb\n"
                                   "    return w, b\n")),
    ),
]

BACKPROP = "backprop"
BACKPROP_CELLS = test_cell_points(BACKPROP)
BACKPROP_RIGHT = {
    "linear_forward": "def linear_forward(X, W, b):\n    return X @ W + b\n",
    "linear_backward": "def linear_backward(dY, X, W):\n    return dY @ W.T, X.T @ dY, dY.sum(axis=0)\n",
    "relu_backward": "def relu_backward(dY, Z):\n    return dY * (Z > 0)\n",
    "softmax_cross_entropy": (
        "def softmax_cross_entropy(logits, y):\n    n = len(y)\n"
        "    shifted = logits - logits.max(axis=1, keepdims=True)\n"
        "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
        "    loss = -np.mean(log_p[np.arange(n), y])\n    d = np.exp(log_p)\n    d[np.arange(n), y] -= 1\n"
        "    return loss, d / n\n"),
    "mlp_loss_and_grads": (
        "def mlp_loss_and_grads(params, X, y):\n    Z1 = linear_forward(X, params['W1'], params['b1'])\n"
        "    A1 = np.maximum(Z1, 0)\n    Z2 = linear_forward(A1, params['W2'], params['b2'])\n"
        "    loss, dZ2 = softmax_cross_entropy(Z2, y)\n    dA1, dW2, db2 = linear_backward(dZ2, A1, params['W2'])\n"
        "    _, dW1, db1 = linear_backward(relu_backward(dA1, Z1), X, params['W1'])\n"
        "    return loss, {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}\n"),
    "numerical_gradient": (
        "def numerical_gradient(f, x, h=1e-5):\n    x = np.asarray(x, dtype=float)\n    g = np.zeros_like(x)\n"
        "    for i in np.ndindex(x.shape):\n        e = np.zeros_like(x)\n        e[i] = h\n"
        "        g[i] = (f(x + e) - f(x - e)) / (2 * h)\n    return g\n"),
}


_wrong_backprop = partial(wrong_answer, BACKPROP_RIGHT, BACKPROP_CELLS)


WRONG[BACKPROP] = [
    _wrong_backprop(  # the transpose on the wrong side: dW comes out (D_out, D_in)
        "dw-transposed", {"linear-tests", "linear-hidden-tests", "mlp_loss_and_grads-tests",
                          "mlp_loss_and_grads-hidden-tests"}, {"linear-tests": "has shape (2, 3), expected (3, 2)"},
        linear_backward="def linear_backward(dY, X, W):\n    return dY @ W.T, dY.T @ X, dY.sum(axis=0)\n"),
    _wrong_backprop(  # averages the bias gradient over the batch instead of summing it
        "db-mean", {"linear-tests", "linear-hidden-tests", "mlp_loss_and_grads-tests", "mlp_loss_and_grads-hidden-tests"},
        {"linear-tests": "db sums dY over the batch"},
        linear_backward="def linear_backward(dY, X, W):\n    return dY @ W.T, X.T @ dY, dY.mean(axis=0)\n"),
    _wrong_backprop(  # lets the gradient through at exactly 0
        "relu-at-zero", {"relu_backward-hidden-tests"}, {"relu_backward-hidden-tests": "at exactly 0 is 0"},
        relu_backward="def relu_backward(dY, Z):\n    return dY * (Z >= 0)\n"),
    _wrong_backprop(  # zeroes dY in place
        "relu-in-place", {"relu_backward-hidden-tests"}, {"relu_backward-hidden-tests": "modified dY"},
        relu_backward="def relu_backward(dY, Z):\n    dY[Z <= 0] = 0\n    return dY\n"),
    _wrong_backprop(  # the gradient of the summed loss
        "ce-grad-not-divided", {"softmax_cross_entropy-tests", "softmax_cross_entropy-hidden-tests",
                                "mlp_loss_and_grads-tests", "mlp_loss_and_grads-hidden-tests"},
        {"softmax_cross_entropy-tests": "(softmax(logits) - onehot(y)) / N"},
        softmax_cross_entropy=BACKPROP_RIGHT["softmax_cross_entropy"].replace("return loss, d / n", "return loss, d")),
    _wrong_backprop(  # forgets to backpropagate through the ReLU
        "mlp-skips-relu", {"mlp_loss_and_grads-tests", "mlp_loss_and_grads-hidden-tests"}, {},
        mlp_loss_and_grads=BACKPROP_RIGHT["mlp_loss_and_grads"].replace("relu_backward(dA1, Z1)", "dA1")),
    _wrong_backprop(  # one-sided differences: error of order h
        "one-sided-difference", {"numerical_gradient-tests", "numerical_gradient-hidden-tests"}, {},
        numerical_gradient=BACKPROP_RIGHT["numerical_gradient"].replace("(f(x + e) - f(x - e)) / (2 * h)",
                                                                        "(f(x + e) - f(x)) / h")),
]

CORRECT[BACKPROP] = [
    Submission(  # einsum, log-sum-exp, and a checker that perturbs x in place and restores it
        "other-forms",
        dict(BACKPROP_RIGHT,
             linear_backward=("def linear_backward(dY, X, W):\n    dX = np.einsum('nj,ij->ni', dY, W)\n"
                              "    dW = np.einsum('ni,nj->ij', X, dY)\n    return dX, dW, np.einsum('nj->j', dY)\n"),
             relu_backward="def relu_backward(dY, Z):\n    return np.where(Z > 0, dY, 0.0)\n",
             softmax_cross_entropy=(
                 "def softmax_cross_entropy(logits, y):\n    n = logits.shape[0]\n"
                 "    lse = np.logaddexp.reduce(logits, axis=1)\n    loss = np.mean(lse - logits[np.arange(n), y])\n"
                 "    p = np.exp(logits - lse[:, None])\n    return loss, (p - np.eye(logits.shape[1])[y]) / n\n"),
             numerical_gradient=(
                 "def numerical_gradient(f, x, h=1e-5):\n    x = np.array(x, dtype=float)\n    g = np.zeros_like(x)\n"
                 "    it = np.nditer(x, flags=['multi_index'])\n    for _ in it:\n        i = it.multi_index\n"
                 "        old = x[i]\n        x[i] = old + h\n        up = f(x)\n        x[i] = old - h\n"
                 "        down = f(x)\n        x[i] = old\n        g[i] = (up - down) / (2 * h)\n    return g\n")),
    ),
]

CNN = "cnn"
CNN_CELLS = test_cell_points(CNN)
CNN_RIGHT = {
    "conv_output_size": "def conv_output_size(n, k, stride=1, padding=0):\n    return (n + 2 * padding - k) // stride + 1\n",
    "conv2d": (
        "def conv2d(x, w, b=None, stride=1, padding=0):\n"
        "    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))\n"
        "    F, C, KH, KW = w.shape\n    OH = (x.shape[2] - KH) // stride + 1\n    OW = (x.shape[3] - KW) // stride + 1\n"
        "    out = np.zeros((x.shape[0], F, OH, OW))\n    for i in range(OH):\n        for j in range(OW):\n"
        "            patch = x[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]\n"
        "            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))\n"
        "    if b is not None:\n        out = out + b[None, :, None, None]\n    return out\n"),
    "max_pool2d": (
        "def max_pool2d(x, kernel_size=2, stride=None):\n    s = stride or kernel_size\n    k = kernel_size\n"
        "    OH, OW = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1\n"
        "    out = np.empty(x.shape[:2] + (OH, OW))\n    for i in range(OH):\n        for j in range(OW):\n"
        "            out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))\n    return out\n"),
    "build_cnn": (
        "def build_cnn():\n    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),\n"
        "                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),\n"
        "                         nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))\n"),
}


_wrong_cnn = partial(wrong_answer, CNN_RIGHT, CNN_CELLS)


WRONG[CNN] = [
    _wrong_cnn(  # rounds up
        "size-rounds-up", {"conv_output_size-hidden-tests"}, {"conv_output_size-hidden-tests": "round down, not up"},
        conv_output_size=("def conv_output_size(n, k, stride=1, padding=0):\n"
                          "    return -(-(n + 2 * padding - k) // stride) + 1\n")),
    _wrong_cnn(  # pads one side only
        "size-one-sided-padding", {"conv_output_size-tests", "conv_output_size-hidden-tests"},
        {"conv_output_size-tests": "padding is added on both sides"},
        conv_output_size="def conv_output_size(n, k, stride=1, padding=0):\n    return (n + padding - k) // stride + 1\n"),
    _wrong_cnn(  # a true convolution: flips the kernel
        "conv-flips-kernel", {"conv2d-tests", "conv2d-hidden-tests"}, {"conv2d-tests": "do not flip the kernel"},
        conv2d=CNN_RIGHT["conv2d"].replace("np.tensordot(patch, w,", "np.tensordot(patch, w[:, :, ::-1, ::-1],")),
    _wrong_cnn(  # forgets to pad
        "conv-ignores-padding", {"conv2d-tests", "conv2d-hidden-tests"}, {"conv2d-tests": "output size"},
        conv2d=CNN_RIGHT["conv2d"].replace("(padding, padding), (padding, padding)", "(0, 0), (0, 0)")),
    _wrong_cnn(  # slides by one whatever the stride
        "pool-stride-one", {"max_pool2d-tests", "max_pool2d-hidden-tests"}, {"max_pool2d-tests": "defaults to kernel_size"},
        max_pool2d=CNN_RIGHT["max_pool2d"].replace("s = stride or kernel_size", "s = stride or 1")),
    _wrong_cnn(  # a running maximum that starts at 0
        "pool-starts-at-zero", {"max_pool2d-tests", "max_pool2d-hidden-tests"},
        {"max_pool2d-hidden-tests": "values may be negative"},
        max_pool2d=CNN_RIGHT["max_pool2d"].replace(".max(axis=(2, 3))", ".max(axis=(2, 3)).clip(min=0)")),
    _wrong_cnn(  # a wide fully connected network: too many parameters
        "cnn-too-big", {"build_cnn-tests", "build_cnn-hidden-tests"}, {"build_cnn-tests": "the limit is 50,000"},
        build_cnn=("def build_cnn():\n    return nn.Sequential(nn.Flatten(), nn.Linear(64, 1024), nn.ReLU(),\n"
                   "                         nn.Linear(1024, 10))\n")),
]

CORRECT[CNN] = [
    Submission(  # sliding windows and einsum, and a different, smaller network
        "other-forms",
        dict(CNN_RIGHT,
             conv2d=("def conv2d(x, w, b=None, stride=1, padding=0):\n"
                     "    xp = np.pad(x, [(0, 0), (0, 0), (padding,) * 2, (padding,) * 2])\n"
                     "    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))\n"
                     "    win = win[:, :, ::stride, ::stride]\n    out = np.einsum('ncijuv,fcuv->nfij', win, w)\n"
                     "    return out if b is None else out + b.reshape(1, -1, 1, 1)\n"),
             max_pool2d=("def max_pool2d(x, kernel_size=2, stride=None):\n    stride = stride if stride else kernel_size\n"
                         "    win = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))\n"
                         "    return win[:, :, ::stride, ::stride].max(axis=(4, 5))\n"),
             build_cnn=("def build_cnn():\n    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),\n"
                        "                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 10))\n")),
    ),
]

RNN = "rnn"
RNN_CELLS = test_cell_points(RNN)
RNN_RIGHT = {
    "rnn_step": "def rnn_step(x_t, h_prev, W_xh, W_hh, b):\n    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b)\n",
    "rnn_forward": (
        "def rnn_forward(X, h0, W_xh, W_hh, b):\n    h, out = h0, []\n    for x_t in X:\n"
        "        h = rnn_step(x_t, h, W_xh, W_hh, b)\n        out.append(h)\n    return np.stack(out)\n"),
    "lstm_step": (
        "def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):\n    H = h_prev.shape[1]\n"
        "    a = x_t @ W_x + h_prev @ W_h + b\n    sig = lambda z: 1 / (1 + np.exp(-z))\n"
        "    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sig(a[:, 3*H:])\n"
        "    c = f * c_prev + i * g\n    h = o * np.tanh(c)\n    return h, c\n"),
    "clip_grad_norm": (
        "def clip_grad_norm(grads, max_norm):\n    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
        "    coef = min(1.0, max_norm / (total + 1e-6))\n    return [g * coef for g in grads], float(total)\n"),
}


_wrong_rnn = partial(wrong_answer, RNN_RIGHT, RNN_CELLS)


WRONG[RNN] = [
    _wrong_rnn(  # column-vector habit: W_hh @ h instead of h @ W_hh (the same as h @ W_hh.T); breaks the whole RNN
        "rnn-transposed-whh", {"rnn_step-tests", "rnn_step-hidden-tests", "rnn_forward-tests", "rnn_forward-hidden-tests"},
        {"rnn_step-tests": "h_prev @ W_hh, not W_hh @ h_prev"},
        rnn_step="def rnn_step(x_t, h_prev, W_xh, W_hh, b):\n    return np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b)\n"),
    _wrong_rnn(  # keeps h0 in the output: T + 1 states
        "rnn-forward-includes-h0", {"rnn_forward-tests", "rnn_forward-hidden-tests"},
        {"rnn_forward-tests": "without h0"},
        rnn_forward=RNN_RIGHT["rnn_forward"].replace("h, out = h0, []", "h, out = h0, [h0]")),
    _wrong_rnn(  # never updates the state: every step starts from h0
        "rnn-forward-stale-state", {"rnn_forward-tests", "rnn_forward-hidden-tests"},
        {"rnn_forward-tests": "each step uses the state of the step before"},
        rnn_forward=RNN_RIGHT["rnn_forward"].replace("h = rnn_step(x_t, h, W_xh, W_hh, b)\n        out.append(h)",
                                                     "out.append(rnn_step(x_t, h0, W_xh, W_hh, b))")),
    _wrong_rnn(  # the gate order of many textbooks (i, f, o, g) instead of PyTorch's (i, f, g, o)
        "lstm-gate-order-ifog", {"lstm_step-tests", "lstm_step-hidden-tests"},
        {"lstm_step-tests": "in the order input, forget, cell, output"},
        lstm_step=RNN_RIGHT["lstm_step"].replace("i, f, g, o = sig(a[:, :H]), sig(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sig(a[:, 3*H:])",
                                                 "i, f, o, g = sig(a[:, :H]), sig(a[:, H:2*H]), sig(a[:, 2*H:3*H]), np.tanh(a[:, 3*H:])")),
    _wrong_rnn(  # forgets the tanh of the cell in the output
        "lstm-h-without-tanh", {"lstm_step-tests", "lstm_step-hidden-tests"}, {"lstm_step-tests": "h = sigmoid(o) * tanh(c)"},
        lstm_step=RNN_RIGHT["lstm_step"].replace("h = o * np.tanh(c)", "h = o * c")),
    _wrong_rnn(  # clips each array to max_norm on its own
        "clip-per-array", {"clip_grad_norm-tests", "clip_grad_norm-hidden-tests"},
        {"clip_grad_norm-tests": "scale every array by the same factor"},
        clip_grad_norm=("def clip_grad_norm(grads, max_norm):\n    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
                        "    out = [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]\n    return out, float(total)\n")),
    _wrong_rnn(  # always rescales to max_norm, even small gradients
        "clip-always-rescales", {"clip_grad_norm-tests", "clip_grad_norm-hidden-tests"},
        {"clip_grad_norm-tests": "only if total_norm > max_norm"},
        clip_grad_norm=("def clip_grad_norm(grads, max_norm):\n    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
                        "    return [g * max_norm / total for g in grads], float(total)\n")),
    _wrong_rnn(  # right, except for gradients that are all zero: divides by a zero norm
        "clip-divides-by-zero", {"clip_grad_norm-hidden-tests"}, {"clip_grad_norm-hidden-tests": "do not divide by it"},
        clip_grad_norm=("def clip_grad_norm(grads, max_norm):\n    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
                        "    coef = min(1.0, max_norm / total)\n    return [g * coef for g in grads], float(total)\n")),
    _wrong_rnn(  # scales the caller's arrays in place, as torch's clip_grad_norm_ does to .grad
        "clip-in-place", {"clip_grad_norm-tests", "clip_grad_norm-hidden-tests"},
        {"clip_grad_norm-tests": "modified grads[0]: return new arrays"},
        clip_grad_norm=("def clip_grad_norm(grads, max_norm):\n    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
                        "    coef = min(1.0, max_norm / (total + 1e-6))\n    for g in grads:\n        g *= coef\n"
                        "    return grads, float(total)\n")),
    _wrong_rnn(  # tries to fool the tests: replaces PyTorch's layers and NumPy's comparison
        "tamperer", {"lstm_step-tests", "lstm_step-hidden-tests", "clip_grad_norm-tests", "clip_grad_norm-hidden-tests"},
        {"lstm_step-tests": "nn.LSTMCell.forward", "clip_grad_norm-tests": "replaced by code in this notebook"},
        lstm_step=("def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):\n    return np.zeros_like(h_prev), np.zeros_like(c_prev)\n\n"
                   "def fake_forward(self, x, state=None):\n    return torch.zeros(len(x), self.hidden_size, dtype=x.dtype), "
                   "torch.zeros(len(x), self.hidden_size, dtype=x.dtype)\n\n"
                   "torch.nn.LSTMCell.forward = fake_forward\nnp.allclose = lambda *args, **kwargs: True\n")),
]

CORRECT[RNN] = [
    Submission(  # loops over units, einsum, preallocated output, a norm without the epsilon
        "other-forms",
        dict(RNN_RIGHT,
             rnn_step=("def rnn_step(x_t, h_prev, W_xh, W_hh, b):\n"
                       "    return np.tanh(np.einsum('nd,dh->nh', x_t, W_xh) + np.einsum('nk,kh->nh', h_prev, W_hh) + b)\n"),
             rnn_forward=("def rnn_forward(X, h0, W_xh, W_hh, b):\n    T, N = X.shape[:2]\n"
                          "    H = W_hh.shape[0]\n    states = np.empty((T, N, H))\n    h = h0\n"
                          "    for t in range(T):\n        h = np.tanh(X[t] @ W_xh + h @ W_hh + b)\n        states[t] = h\n"
                          "    return states\n"),
             lstm_step=("def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):\n    H = W_h.shape[0]\n"
                        "    def gate(k, f):\n        return f(x_t @ W_x[:, k*H:(k+1)*H] + h_prev @ W_h[:, k*H:(k+1)*H] + b[k*H:(k+1)*H])\n"
                        "    sigmoid = lambda z: np.exp(-np.logaddexp(0, -z))\n"
                        "    i, f, g, o = gate(0, sigmoid), gate(1, sigmoid), gate(2, np.tanh), gate(3, sigmoid)\n"
                        "    c = f * c_prev + i * g\n    return o * np.tanh(c), c\n"),
             clip_grad_norm=("import math\n\ndef clip_grad_norm(grads, max_norm):\n    squares = 0.0\n"
                             "    for g in grads:\n        for v in np.ravel(g):\n            squares += float(v) ** 2\n"
                             "    norm = math.sqrt(squares)\n    clipped = []\n    for g in grads:\n"
                             "        if norm > max_norm:\n            clipped.append(np.array(g) * (max_norm / norm))\n"
                             "        else:\n            clipped.append(np.array(g, copy=True))\n    return clipped, norm\n")),
    ),
]

GAN = "gan"
GAN_CELLS = test_cell_points(GAN)
GAN_RIGHT = {
    "discriminator_loss": (
        "def discriminator_loss(real_logits, fake_logits):\n"
        "    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))\n"
        "            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))\n"),
    "generator_loss": (
        "def generator_loss(fake_logits):\n"
        "    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))\n"),
    "sample_ring": (
        "def sample_ring(n, modes=8, radius=2.0, std=0.02, generator=None):\n"
        "    k = torch.randint(modes, (n,), generator=generator)\n    a = 2 * math.pi * k / modes\n"
        "    centre = radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1)\n"
        "    return centre + std * torch.randn(n, 2, generator=generator)\n"),
    "modes_covered": (
        "def modes_covered(samples, modes=8, radius=2.0, std=0.02):\n"
        "    a = 2 * math.pi * torch.arange(modes, dtype=torch.float64) / modes\n"
        "    c = radius * torch.stack([torch.cos(a), torch.sin(a)], dim=1)\n"
        "    return int((torch.cdist(samples.double(), c) <= 3 * std).any(dim=0).sum())\n"),
    "train_gan": (
        "def train_gan(steps, seed, generator_steps=1):\n    torch.manual_seed(seed)\n"
        "    data = torch.Generator().manual_seed(seed)\n"
        "    G = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))\n"
        "    D = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))\n"
        "    opt_G = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))\n"
        "    opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))\n"
        "    decay = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1 - s / steps) for o in (opt_G, opt_D)]\n"
        "    for _ in range(steps):\n        real = sample_ring(256, generator=data)\n"
        "        fake = G(torch.randn(256, 2, generator=data))\n"
        "        loss_D = discriminator_loss(D(real), D(fake.detach()))\n"
        "        opt_D.zero_grad()\n        loss_D.backward()\n        opt_D.step()\n"
        "        for _ in range(generator_steps):\n"
        "            loss_G = generator_loss(D(G(torch.randn(256, 2, generator=data))))\n"
        "            opt_G.zero_grad()\n            loss_G.backward()\n            opt_G.step()\n"
        "        for d in decay:\n            d.step()\n    return G\n"),
}


_wrong_gan = partial(wrong_answer, GAN_RIGHT, GAN_CELLS)


WRONG[GAN] = [
    _wrong_gan(  # the textbook formula through probabilities: log(1 - sigmoid(100)) = log 0
        "d-loss-through-probabilities", {"discriminator_loss-hidden-tests"},
        {"discriminator_loss-hidden-tests": "compute it stably from the logits"},
        discriminator_loss=("def discriminator_loss(real_logits, fake_logits):\n"
                            "    return -(torch.log(torch.sigmoid(real_logits)).mean()\n"
                            "             + torch.log(1 - torch.sigmoid(fake_logits)).mean())\n")),
    _wrong_gan(  # labels swapped: real against 0, fake against 1
        "d-loss-labels-swapped", {"discriminator_loss-tests", "discriminator_loss-hidden-tests", "train_gan-tests",
                                  "train_gan-hidden-tests"},  # and train_gan, which uses it, learns nothing
        {"discriminator_loss-tests": "real logits against 1, fake logits against 0"},
        discriminator_loss=GAN_RIGHT["discriminator_loss"].replace("ones_like(real", "zeros_like(real").replace(
            "zeros_like(fake", "ones_like(fake")),
    _wrong_gan(  # one mean over all logits instead of the sum of two means
        "d-loss-one-mean", {"discriminator_loss-tests", "discriminator_loss-hidden-tests"},
        {"discriminator_loss-tests": "the mean of each, added"},
        discriminator_loss=("def discriminator_loss(real_logits, fake_logits):\n"
                            "    logits = torch.cat([real_logits.flatten(), fake_logits.flatten()])\n"
                            "    labels = torch.cat([torch.ones(real_logits.numel()), torch.zeros(fake_logits.numel())])\n"
                            "    return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))\n"),
        train_gan=GAN_RIGHT["train_gan"].replace(  # its train_gan computes the right loss inline
            "discriminator_loss(D(real), D(fake.detach()))",
            "F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()")),
    _wrong_gan(  # the minimax (saturating) generator loss of the game itself
        "g-loss-saturating", {"generator_loss-tests", "generator_loss-hidden-tests"},
        {"generator_loss-tests": "the non-saturating loss"},
        generator_loss=("def generator_loss(fake_logits):\n"
                        "    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))\n")),
    _wrong_gan(  # angles from linspace: the last mode lands on the first
        "ring-linspace-angles", {"sample_ring-tests", "sample_ring-hidden-tests", "train_gan-tests", "train_gan-hidden-tests"},
        {"sample_ring-tests": "more than 6 standard deviations from every centre"},
        sample_ring=GAN_RIGHT["sample_ring"].replace("a = 2 * math.pi * k / modes",
                                                     "a = torch.linspace(0, 2 * math.pi, modes)[k]")),
    _wrong_gan(  # the variance where the standard deviation belongs
        "ring-variance", {"sample_ring-tests", "sample_ring-hidden-tests"}, {"sample_ring-tests": "not std ** 2 * randn"},
        sample_ring=GAN_RIGHT["sample_ring"].replace("centre + std * torch.randn", "centre + std ** 2 * torch.randn")),
    _wrong_gan(  # right distribution, but the modes come from the global generator: not reproducible
        "ring-ignores-generator", {"sample_ring-hidden-tests"}, {"sample_ring-hidden-tests": "pass generator=generator"},
        sample_ring=GAN_RIGHT["sample_ring"].replace("torch.randint(modes, (n,), generator=generator)",
                                                     "torch.randint(modes, (n,))")),
    _wrong_gan(  # counts samples instead of modes
        "modes-counts-samples", {"modes_covered-tests", "modes_covered-hidden-tests"}, {"modes_covered-tests": "count modes, not samples"},
        modes_covered=GAN_RIGHT["modes_covered"].replace(".any(dim=0).sum()", ".any(dim=1).sum()")),
    _wrong_gan(  # the generator outruns the discriminator: five steps each time, and it collapses
        "gan-generator-outruns", {"train_gan-tests", "train_gan-hidden-tests"}, {"train_gan-tests": "at least 6 are needed"},
        train_gan=GAN_RIGHT["train_gan"].replace("generator_steps=1", "generator_steps=5")),
    _wrong_gan(  # tries to fool the tests: patches the loss PyTorch computes the references with
        "tamperer", {"generator_loss-tests", "generator_loss-hidden-tests", "sample_ring-tests", "sample_ring-hidden-tests",
                     "modes_covered-tests", "modes_covered-hidden-tests", "train_gan-tests", "train_gan-hidden-tests"},
        {"generator_loss-tests": "F.binary_cross_entropy_with_logits replaced", "train_gan-tests": "replaced"},
        generator_loss=(GAN_RIGHT["generator_loss"].replace("def generator_loss", "def real_generator_loss")
                        + "\ndef generator_loss(fake_logits):\n    return real_generator_loss(fake_logits) * 0\n\n"
                        "F.binary_cross_entropy_with_logits = lambda *args, **kwargs: torch.tensor(0.0, requires_grad=True)\n")),
]

CORRECT[GAN] = [
    Submission(  # softplus and logsigmoid, multinomial modes, loops, and another training recipe
        "other-forms",
        dict(GAN_RIGHT,
             discriminator_loss=("def discriminator_loss(real_logits, fake_logits):\n"
                                 "    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()\n"),
             generator_loss="def generator_loss(fake_logits):\n    return -F.logsigmoid(fake_logits).mean()\n",
             sample_ring=("def sample_ring(n, modes=8, radius=2.0, std=0.02, generator=None):\n"
                          "    k = torch.multinomial(torch.ones(modes), n, replacement=True, generator=generator)\n"
                          "    noise = torch.normal(0.0, std, size=(n, 2), generator=generator)\n"
                          "    xs = [radius * math.cos(2 * math.pi * int(j) / modes) for j in k]\n"
                          "    ys = [radius * math.sin(2 * math.pi * int(j) / modes) for j in k]\n"
                          "    return torch.tensor([xs, ys]).T + noise\n"),
             modes_covered=("def modes_covered(samples, modes=8, radius=2.0, std=0.02):\n    count = 0\n"
                            "    for k in range(modes):\n"
                            "        c = torch.tensor([radius * math.cos(2 * math.pi * k / modes), radius * math.sin(2 * math.pi * k / modes)])\n"
                            "        if ((samples.double() - c.double()).norm(dim=1) <= 3 * std).any():\n            count += 1\n"
                            "    return count\n"),
             train_gan=GAN_RIGHT["train_gan"].replace("lr=2e-3", "lr=1e-3").replace("256", "512")),
    ),
]
