"""One matplotlib style for the whole book and the plots that several chapters share."""

from collections.abc import Callable

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

# Okabe–Ito colours: distinguishable with every common form of colour blindness.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "image.cmap": "viridis",
    "legend.frameon": False,
}


def use_style() -> None:
    """Apply the book's matplotlib style to every figure drawn after this call."""
    mpl.rcParams.update(STYLE)


def decision_grid(
    predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, resolution: int = 200, padding: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate `predict` on a (resolution, resolution) grid covering the 2-D points X plus `padding`.

    Returns the grid's x and y coordinates and the predictions, each (resolution, resolution).
    """
    X = np.asarray(X, dtype=np.float64)
    (x_min, y_min), (x_max, y_max) = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    points = np.column_stack([xx.ravel(), yy.ravel()])  # (resolution**2, 2)
    zz = np.asarray(predict(points)).reshape(xx.shape)
    return xx, yy, zz


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax: plt.Axes | None = None,
    resolution: int = 200,
    padding: float = 0.5,
) -> plt.Axes:
    """Shade the regions a classifier assigns to each class and scatter the labelled points on top.

    `predict` maps points (M, 2) to class labels (M,); X is (N, 2) and y (N,).
    """
    ax = ax or plt.gca()
    X, y = np.asarray(X), np.asarray(y)
    xx, yy, zz = decision_grid(predict, X, resolution, padding)
    classes = np.unique(np.concatenate([np.unique(zz), np.unique(y)]))
    colors = [COLORS[i % len(COLORS)] for i in range(len(classes))]
    levels = np.concatenate([[classes[0] - 0.5], (classes[:-1] + classes[1:]) / 2, [classes[-1] + 0.5]])
    ax.contourf(xx, yy, zz, levels=levels, colors=colors, alpha=0.25)
    for color, label in zip(colors, classes):
        mask = y == label
        if mask.any():
            ax.scatter(X[mask, 0], X[mask, 1], color=color, edgecolor="k", s=40, label=f"class {label:g}")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_history(history: dict[str, list[float]], axes: np.ndarray | None = None) -> np.ndarray:
    """Draw training curves from `fit`'s history: loss on the left, the metric (if any) on the right."""
    metrics = [key for key in history if key not in ("loss", "val_loss") and not key.startswith("val_")]
    if axes is None:
        _, axes = plt.subplots(1, 1 + len(metrics[:1]), figsize=(5.2 * (1 + len(metrics[:1])), 3.6), squeeze=False)
        axes = axes.ravel()
    for ax, key in zip(axes, ["loss"] + metrics[:1]):
        epochs = np.arange(1, len(history[key]) + 1)
        ax.plot(epochs, history[key], label="training")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.legend()
    return axes
