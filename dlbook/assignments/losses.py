"""The loss functions assignment: PyTorch's losses and their autograd gradients, target first as in the notebook
(NumPy in, NumPy out, computed by torch in float64), and the checks its test cells share."""

import numpy as np
import torch
import torch.nn.functional as F

from dlbook.checks import TestFailure, _fail, check_close, read_only, reference_torch  # noqa: F401 (snapshots torch before any student code)

TOL = {"atol": 1e-10, "rtol": 1e-10}  # the precision the notebook states: within 1e-10 of PyTorch's float64 value


def _loss_and_grad(loss, wrt: np.ndarray, *others) -> tuple[float, np.ndarray]:
    """loss(wrt, *others) by torch in float64, and its autograd gradient with respect to `wrt`."""
    x = torch.tensor(np.asarray(wrt, dtype=np.float64), requires_grad=True)
    value = loss(x, *others)
    (grad,) = torch.autograd.grad(value, x)
    return float(value.detach()), grad.numpy()


def _floats(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64))


def mse(y_true, y_pred) -> float:
    """F.mse_loss: the mean of (y_pred - y_true)**2 over all elements."""
    return _loss_and_grad(lambda p, t: F.mse_loss(p, t), y_pred, _floats(y_true))[0]


def mse_grad(y_true, y_pred) -> np.ndarray:
    """The gradient of mse with respect to y_pred, by autograd."""
    return _loss_and_grad(lambda p, t: F.mse_loss(p, t), y_pred, _floats(y_true))[1]


def binary_cross_entropy(y_true, p, eps: float = 1e-7) -> float:
    """F.binary_cross_entropy of p clamped to [eps, 1 - eps]."""
    return float(F.binary_cross_entropy(_floats(p).clamp(eps, 1 - eps), _floats(y_true)))


def binary_cross_entropy_with_logits(y_true, logits) -> float:
    """F.binary_cross_entropy_with_logits: the same loss for p = sigmoid(logits), computed stably."""
    return float(F.binary_cross_entropy_with_logits(_floats(logits), _floats(y_true)))


def _targets(targets) -> torch.Tensor:
    return torch.tensor(np.asarray(targets).astype(np.int64))


def cross_entropy(logits, targets) -> float:
    """F.cross_entropy of logits (N, K) against integer class indices (N,), mean over the batch."""
    return _loss_and_grad(F.cross_entropy, logits, _targets(targets))[0]


def cross_entropy_grad(logits, targets) -> np.ndarray:
    """The gradient of cross_entropy with respect to the logits, by autograd."""
    return _loss_and_grad(F.cross_entropy, logits, _targets(targets))[1]


def check_not_per_row(got, expected, shape: tuple, name: str) -> None:
    """Fail with the hint for that mistake when a loss (or its gradient) taken on an input of `shape` (N, D) was
    divided by the N rows instead of all N * D elements: then it is D times too large."""
    rows, elements = shape[0], int(np.prod(shape))
    try:
        got = np.asarray(got, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        per_row = (got.shape == expected.shape and not np.allclose(got, expected, **TOL)
                   and np.allclose(got, expected * (elements / rows), **TOL))
    except (TypeError, ValueError):  # not numbers of the right shape: the checks that follow say so
        return
    if per_row and elements != rows:
        _fail(f"{name} is {elements // rows} times too large: it was divided by the N = {rows} rows",
              f"the mean runs over all N * D = {elements} elements (np.mean, or divide by the array's .size)")


def check_loss(got, expected: float, name: str, hint: str | None = None, shape: tuple | None = None) -> None:
    """Fail unless the loss `got` is one float (Python's or NumPy's, not an array) within TOL of `expected`;
    `shape`, the shape of an (N, D) input, adds the hint for dividing by N instead of N * D."""
    if isinstance(got, np.ndarray) or not isinstance(got, (float, np.floating)):
        of_shape = f" of shape {got.shape}" if isinstance(got, np.ndarray) else ""
        raise TestFailure(f"{name} returned {type(got).__name__}{of_shape}, expected a single float\n"
                             "Hint: a loss is one number: return float(...) of the mean")
    if shape is not None:
        check_not_per_row(got, expected, shape, name)
    check_close(got, expected, name, **TOL, hint=hint)


def check_grad(got, expected: np.ndarray, name: str, hint: str | None = None, shape: tuple | None = None) -> None:
    """Fail unless the gradient `got` has the shape of `expected` and is within TOL of it; `shape`, the shape of
    an (N, D) input, adds the hint for dividing by N instead of N * D."""
    if shape is not None:
        check_not_per_row(got, expected, shape, name)
    check_close(got, expected, name, **TOL, hint=hint)


read_only(__name__)  # solution cells cannot swap the references for their own functions
