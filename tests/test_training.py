"""Does fit() do exactly what a hand-written PyTorch loop does, and does evaluate() agree with PyTorch?"""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score
from torch import nn

import dlbook
from dlbook import training


def test_accuracy_matches_sklearn_for_multiclass_and_binary():
    gen = torch.Generator().manual_seed(0)
    logits, y = torch.randn(50, 4, generator=gen), torch.randint(4, (50,), generator=gen)
    assert training.accuracy(logits, y) == pytest.approx(accuracy_score(y, logits.argmax(1)))
    scores, t = torch.randn(50, 1, generator=gen), torch.randint(2, (50,), generator=gen).float()
    assert training.accuracy(scores, t) == pytest.approx(accuracy_score(t, (scores[:, 0] > 0).float()))


def test_full_batch_fit_equals_a_hand_written_loop():
    X, y = dlbook.make_moons_data(n=64, seed=1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    reference = copy.deepcopy(model)

    history = dlbook.fit(model, (X, y), F.cross_entropy, torch.optim.SGD(model.parameters(), lr=0.5),
                         epochs=5, batch_size=64, device=torch.device("cpu"))

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.5)
    losses = []
    for _ in range(5):  # one batch holds the whole (shuffled) data set, so order does not matter
        loss = F.cross_entropy(reference(X), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-5)
    for ours, theirs in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs)


def test_fit_clips_the_total_gradient_norm_like_a_hand_written_loop():
    X, y = dlbook.make_moons_data(n=64, seed=3)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    reference = copy.deepcopy(model)
    dlbook.fit(model, (X * 50, y), F.cross_entropy, torch.optim.SGD(model.parameters(), lr=0.1),
               epochs=3, batch_size=64, device=torch.device("cpu"), max_grad_norm=0.5)

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        F.cross_entropy(reference(X * 50), y).backward()
        grads = [p.grad for p in reference.parameters()]
        norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
        assert norm > 0.5  # large inputs: clipping really happens
        for g in grads:
            g.mul_(0.5 / (norm + 1e-6))  # clip_grad_norm_'s documented rule
        optimizer.step()
    for ours, theirs in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(ours, theirs)


def test_fit_learns_moons_and_records_validation():
    dlbook.seed_everything(0)
    X, y = dlbook.make_moons_data(n=400, noise=0.1, seed=0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2))
    history = dlbook.fit(model, (X[:300], y[:300]), F.cross_entropy, torch.optim.Adam(model.parameters(), lr=0.01),
                         epochs=30, batch_size=32, val=(X[300:], y[300:]))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 30 for v in history.values())
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["val_accuracy"][-1] > 0.95


def test_evaluate_matches_pytorch_and_restores_mode():
    X, y = dlbook.make_moons_data(n=300, seed=2)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    result = dlbook.evaluate(model, (X, y), F.cross_entropy, batch_size=64)
    model.eval()
    with torch.no_grad():
        logits = model(X)
    assert result["loss"] == pytest.approx(F.cross_entropy(logits, y).item(), rel=1e-5)
    assert result["accuracy"] == pytest.approx(accuracy_score(y, logits.argmax(1)))
    model.train()
    dlbook.evaluate(model, (X, y), F.cross_entropy)
    assert model.training


def test_fit_without_metric_handles_regression():
    X = torch.linspace(-1, 1, 32).unsqueeze(1)
    y = 3 * X + 1
    model = nn.Linear(1, 1)
    history = dlbook.fit(model, (X, y), F.mse_loss, torch.optim.SGD(model.parameters(), lr=0.5),
                         epochs=100, batch_size=32, metric=None)
    assert set(history) == {"loss"}
    assert model.weight.item() == pytest.approx(3, abs=1e-3) and model.bias.item() == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize("value, shown", [("0", False), ("off", False), ("1", True)])
def test_progress_follows_the_environment(monkeypatch, value, shown):
    monkeypatch.setenv("DLBOOK_PROGRESS", value)
    assert training.progress_enabled() is shown


def test_optimizer_trajectory_follows_the_update_rules():
    """Plain SGD on f(x) = x^2 / 2 multiplies x by (1 - lr) each step; Adam's first step is lr * sign(g)."""
    points = dlbook.optimizer_trajectory(torch.optim.SGD, lambda x: x, [2.0, -4.0], steps=5, lr=0.25)
    expected = np.array([[2.0, -4.0]]) * 0.75 ** np.arange(6)[:, None]
    np.testing.assert_allclose(points, expected, rtol=1e-15)
    first = dlbook.optimizer_trajectory(torch.optim.Adam, lambda x: 3 * x, [1.0, -2.0], steps=1, lr=0.1)
    np.testing.assert_allclose(first[1], [1.0 - 0.1, -2.0 + 0.1], rtol=1e-7)
