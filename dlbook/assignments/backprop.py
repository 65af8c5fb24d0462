"""The backpropagation assignment: reference versions of the layers, the loss and the two-layer network,
computed by torch autograd (NumPy in, NumPy out), and the helpers its test cells share."""

from collections import Counter
from collections.abc import Callable

import numpy as np
import torch

from dlbook.checks import StudentError, read_only, unpack  # noqa: F401  (unpack: the test cells call reference.unpack)

NAMES = ("W1", "b1", "W2", "b2")  # the parameters of the two-layer network, in order


def _tensor(a, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def linear_forward(X, W, b) -> np.ndarray:
    """Y = X @ W + b, computed by torch."""
    return torch.addmm(_tensor(b), _tensor(X), _tensor(W)).numpy()


def linear_backward(dY, X, W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dX, dW, db) for Y = X @ W + b given dY, by autograd."""
    X, W = _tensor(X, grad=True), _tensor(W, grad=True)
    b = torch.zeros(W.shape[1], dtype=torch.float64, requires_grad=True)
    grads = torch.autograd.grad(X @ W + b, (X, W, b), grad_outputs=_tensor(dY))
    return tuple(g.numpy() for g in grads)


def relu_backward(dY, Z) -> np.ndarray:
    """dL/dZ for Y = relu(Z) given dY, by autograd (0 where Z is exactly 0)."""
    Z = _tensor(Z, grad=True)
    return torch.autograd.grad(torch.relu(Z), Z, grad_outputs=_tensor(dY))[0].numpy()


def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """The mean cross-entropy of softmax(logits) against labels y, as F.cross_entropy, and its gradient."""
    logits = _tensor(logits, grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(np.asarray(y), dtype=torch.int64))
    return float(loss.detach()), torch.autograd.grad(loss, logits)[0].numpy()


def mlp_loss_and_grads(params: dict, X, y) -> tuple[float, dict]:
    """Loss and gradients of the two-layer ReLU network with softmax cross-entropy, by autograd."""
    tensors = {name: _tensor(params[name], grad=True) for name in NAMES}
    hidden = torch.relu(_tensor(X) @ tensors["W1"] + tensors["b1"])
    loss = torch.nn.functional.cross_entropy(hidden @ tensors["W2"] + tensors["b2"],
                                             torch.as_tensor(np.asarray(y), dtype=torch.int64))
    grads = torch.autograd.grad(loss, [tensors[name] for name in NAMES])
    return float(loss.detach()), {name: g.numpy() for name, g in zip(NAMES, grads)}


def random_params(rng: np.random.Generator, D: int, H: int, K: int, scale: float = 1.0) -> dict:
    """Random parameters of a network with D inputs, H hidden units and K classes."""
    return {"W1": rng.normal(scale=scale, size=(D, H)), "b1": rng.normal(size=H),
            "W2": rng.normal(scale=scale, size=(H, K)), "b2": rng.normal(size=K)}


def counted(functions: dict[str, Callable]) -> tuple[dict[str, Callable], Counter]:
    """Stand-ins that call `functions` and count how often each is called (for "use your functions")."""
    calls: Counter = Counter()

    def counting(name: str, fn: Callable) -> Callable:
        def stand_in(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        stand_in.__name__ = name
        return stand_in

    return {name: counting(name, fn) for name, fn in functions.items()}, calls


def call_with_keys_in_order(mlp: Callable, params: dict, X, y, order: tuple[str, ...]):
    """mlp(params, X, y) with the same parameters under their keys in `order` (the specification says the order
    is not fixed): an error the student's function raises there is reported with that order and its likely cause."""
    params = {name: params[name] for name in order}
    try:
        return mlp(params, X, y)
    except StudentError as error:  # raised inside mlp_loss_and_grads: said with the student's line
        raise error.retold(f"mlp_loss_and_grads, on params whose keys come in the order {', '.join(order)},",
                           "look each parameter up by name, params['W1'], not by its position in the dict") from None


def watching(x: np.ndarray, f: Callable) -> tuple[Callable, list]:
    """`f`, and a list that gets an entry for each call of it during which `x` held other values than it holds
    now (for numerical_gradient, which must leave x unchanged also while f runs)."""
    before, changed = np.array(x, copy=True), []

    def watched(v):
        if x.shape != before.shape or not np.array_equal(x, before):
            changed.append(True)
        return f(v)

    return watched, changed


read_only(__name__)  # solution cells cannot swap the references for their own functions
