"""Small offline data sets: nothing here downloads anything."""

from importlib import resources
from typing import NamedTuple

import numpy as np
import torch
from sklearn.datasets import load_digits, make_moons
from sklearn.model_selection import train_test_split


class Split(NamedTuple):
    """A fixed train/test split of tensors."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digits_split(test_size: float = 0.2, seed: int = 0, flat: bool = False) -> Split:
    """scikit-learn's 8x8 digits scaled to [0, 1]: images (N, 1, 8, 8), or (N, 64) with flat=True.

    The split is stratified by class and fixed by `seed`; labels are int64 in 0..9.
    """
    digits = load_digits()
    X = digits.images.astype(np.float32) / 16.0  # pixel values are 0..16
    X = X.reshape(len(X), 64) if flat else X[:, None, :, :]  # (N, 64) or (N, 1, 8, 8)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, digits.target, test_size=test_size, random_state=seed, stratify=digits.target
    )
    return Split(*(torch.from_numpy(a) for a in (X_tr, y_tr.astype(np.int64), X_te, y_te.astype(np.int64))))


def make_moons_data(n: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles: points (n, 2) float32 and labels (n,) int64 in {0, 1}."""
    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.int64))


def make_ring_data(
    n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """A ring of `modes` Gaussians: points (n, 2) float32 and the mode (n,) int64 each came from.

    Mode k is centred at radius * (cos 2πk/modes, sin 2πk/modes); modes are drawn uniformly.
    """
    gen = torch.Generator().manual_seed(seed)
    mode = torch.randint(modes, (n,), generator=gen)
    angle = 2 * torch.pi * mode.double() / modes
    centres = radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)  # (n, 2)
    noise = std * torch.randn(n, 2, generator=gen, dtype=torch.float64)
    return (centres + noise).float(), mode


def truth_table(op: str) -> tuple[np.ndarray, np.ndarray]:
    """The four inputs of a two-input logic gate, (4, 2) float64, and its outputs (4,) int in {0, 1}.

    `op` is "and", "or", "xor" or "nand".
    """
    gates = {
        "and": lambda a, b: a & b,
        "or": lambda a, b: a | b,
        "xor": lambda a, b: a ^ b,
        "nand": lambda a, b: 1 - (a & b),
    }
    if op not in gates:
        raise ValueError(f"unknown gate {op!r}; choose one of {sorted(gates)}")
    a = np.array([0, 0, 1, 1])
    b = np.array([0, 1, 0, 1])
    return np.stack([a, b], axis=1).astype(np.float64), gates[op](a, b)


def load_text(name: str = "learning_machines") -> str:
    """A plain-text file shipped in `dlbook/texts/` (written for this book), for character-level models."""
    path = resources.files("dlbook") / "texts" / f"{name}.txt"
    if not path.is_file():
        names = sorted(p.name.removesuffix(".txt") for p in (resources.files("dlbook") / "texts").iterdir())
        raise ValueError(f"no text named {name!r}; choose one of {names}")
    return path.read_text(encoding="utf-8")


class CharText(NamedTuple):
    """A text as character ids: the vocabulary, each character's id, and the ids split for training and held out."""

    chars: list[str]
    index: dict[str, int]
    train_ids: torch.Tensor
    val_ids: torch.Tensor


def char_split(text: str, train_fraction: float = 0.9) -> CharText:
    """Every distinct character of `text`, sorted, is a symbol with its position as id; the first `train_fraction`
    of the ids (int64) are for training and the rest are held out, as in the recurrent-networks chapter."""
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([index[ch] for ch in text])
    split = int(train_fraction * len(ids))
    return CharText(chars, index, ids[:split], ids[split:])


def text_windows(
    source: torch.Tensor, batch_size: int, length: int, generator: torch.Generator, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """`batch_size` windows of `length` ids at random positions of `source`, (batch_size, length), and the same
    windows shifted by one id: the next-symbol targets. The positions come from `generator`."""
    starts = torch.randint(len(source) - length - 1, (batch_size,), generator=generator)
    x = torch.stack([source[s:s + length] for s in starts])
    y = torch.stack([source[s + 1:s + length + 1] for s in starts])
    return (x, y) if device is None else (x.to(device), y.to(device))
