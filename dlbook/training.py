"""One small training loop and its evaluation, used by every chapter that trains a network."""

import os
import sys
from collections.abc import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset
from tqdm.auto import tqdm

from dlbook import runtime

Data = Dataset | tuple[torch.Tensor, torch.Tensor]


def accuracy(output: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of correct predictions: argmax of (N, K) logits, or logit > 0 for (N,) / (N, 1) logits."""
    if output.ndim == 2 and output.shape[1] > 1:
        predicted = output.argmax(dim=1)
    else:
        predicted = (output.reshape(y.shape) > 0).to(y.dtype)
    return (predicted == y).float().mean().item()


def progress_enabled() -> bool:
    """Progress bars show in Jupyter and terminals; DLBOOK_PROGRESS=0 turns them off (book builds, tests)."""
    setting = os.environ.get("DLBOOK_PROGRESS")
    if setting is not None:
        return setting.lower() not in ("0", "false", "off", "no")
    return "ipykernel" in sys.modules or sys.stderr.isatty()


def _loader(data: Data, batch_size: int, shuffle: bool) -> DataLoader:
    dataset = TensorDataset(*data) if isinstance(data, tuple) else data
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)


def evaluate(
    model: torch.nn.Module,
    data: Data,
    loss_fn: Callable,
    batch_size: int = 512,
    device: torch.device | None = None,
    metric: Callable | None = accuracy,
) -> dict[str, float]:
    """Mean loss (and metric) of `model` on `data`, without gradients; the model's mode is restored."""
    device = device or runtime.device()
    was_training = model.training
    model.to(device).eval()
    total_loss, total_metric, count = 0.0, 0.0, 0
    with torch.no_grad():
        for X, y in _loader(data, batch_size, shuffle=False):
            X, y = X.to(device), y.to(device)
            output = model(X)
            total_loss += loss_fn(output, y).item() * len(X)
            if metric is not None:
                total_metric += metric(output, y) * len(X)
            count += len(X)
    model.train(was_training)
    result = {"loss": total_loss / count}
    if metric is not None:
        result[metric.__name__] = total_metric / count
    return result


def fit(
    model: torch.nn.Module,
    train: Data,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    epochs: int = 10,
    batch_size: int = 64,
    val: Data | None = None,
    device: torch.device | None = None,
    metric: Callable | None = accuracy,
    progress: bool | None = None,
    max_grad_norm: float | None = None,
) -> dict[str, list[float]]:
    """Train `model` with mini-batches on `device` (default: the best one) and return its history.

    `train` and `val` are (X, y) tensors or Datasets. The history holds one value per epoch: training
    loss and metric averaged over the epoch's batches, and the validation ones when `val` is given.
    With `max_grad_norm`, gradients are clipped to that total norm before each step.
    """
    device = device or runtime.device()
    model.to(device)
    history: dict[str, list[float]] = {"loss": []}
    loader = _loader(train, batch_size, shuffle=True)
    show = progress_enabled() if progress is None else progress
    for _ in tqdm(range(epochs), desc="epochs", disable=not show):
        model.train()
        total_loss, total_metric, count = 0.0, 0.0, 0
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            output = model(X)
            loss = loss_fn(output, y)
            optimizer.zero_grad()
            loss.backward()
            if max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            total_loss += loss.item() * len(X)
            if metric is not None:
                total_metric += metric(output.detach(), y) * len(X)
            count += len(X)
        history["loss"].append(total_loss / count)
        if metric is not None:
            history.setdefault(metric.__name__, []).append(total_metric / count)
        if val is not None:
            for key, value in evaluate(model, val, loss_fn, device=device, metric=metric).items():
                history.setdefault(f"val_{key}", []).append(value)
    return history


def optimizer_trajectory(optimizer: type, grad: Callable, x0, steps: int, **hyperparameters):
    """The points a torch.optim optimizer visits from x0 in `steps` steps, as a NumPy array (steps + 1, d).

    The gradient at each point comes from `grad` (NumPy in, NumPy out), so any function can be explored.
    """
    x = torch.tensor(np.asarray(x0, dtype=np.float64), requires_grad=True)
    opt = optimizer([x], **hyperparameters)
    points = [x.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        x.grad = torch.as_tensor(np.asarray(grad(x.detach().numpy().copy()), dtype=np.float64))
        opt.step()
        points.append(x.detach().clone())
    return torch.stack(points).numpy()
