"""The loss functions assignment's references (dlbook.assignments.losses) against NumPy formulas and finite
differences, and its checks."""

import numpy as np
import pytest

from dlbook.assignments import losses as reference
from finite_differences import finite_differences

rng = np.random.default_rng(0)


def log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def test_mse_and_its_gradient():
    y_true, y_pred = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    value = reference.mse(y_true, y_pred)
    assert isinstance(value, float) and value == pytest.approx(np.mean((y_pred - y_true) ** 2), rel=1e-14)
    grad = reference.mse_grad(y_true, y_pred)
    assert grad.shape == (4, 3)
    assert np.allclose(grad, finite_differences(lambda p: np.mean((p - y_true) ** 2), y_pred), atol=1e-8)


@pytest.mark.parametrize("eps", [1e-7, 1e-3])
def test_binary_cross_entropy_clips_with_eps(eps):
    y_true = np.array([1.0, 1.0, 0.0, 0.0, 0.3])
    p = np.array([0.0, 1e-9, 0.5, 1.0, 0.8])
    q = np.clip(p, eps, 1 - eps)
    expected = -np.mean(y_true * np.log(q) + (1 - y_true) * np.log(1 - q))
    assert reference.binary_cross_entropy(y_true, p, eps=eps) == pytest.approx(expected, rel=1e-12)


def test_binary_cross_entropy_with_logits_is_stable_and_agrees_with_sigmoid():
    y_true, z = rng.uniform(size=7), rng.normal(scale=3.0, size=7)
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    assert reference.binary_cross_entropy_with_logits(y_true, z) == pytest.approx(expected, rel=1e-12)
    big = np.array([-1e4, 1e4])
    assert reference.binary_cross_entropy_with_logits(np.array([1.0, 0.0]), big) == pytest.approx(1e4, rel=1e-12)


def test_cross_entropy_and_its_gradient():
    z, y = rng.normal(scale=2.0, size=(5, 4)), np.array([0, 3, 1, 1, 2], dtype=np.int32)
    expected = -np.mean(log_softmax(z)[np.arange(5), y])
    assert reference.cross_entropy(z, y) == pytest.approx(expected, rel=1e-12)
    grad = reference.cross_entropy_grad(z, y)
    f = lambda logits: -np.mean(log_softmax(logits)[np.arange(5), y])  # noqa: E731
    assert grad.shape == (5, 4) and np.allclose(grad, finite_differences(f, z), atol=1e-8)
    extreme = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    assert reference.cross_entropy(extreme, np.array([2, 1])) == pytest.approx((2e4 + np.log(3)) / 2, rel=1e-12)


def test_check_loss_wants_one_float_close_to_the_reference():
    reference.check_loss(1.0 + 1e-12, 1.0, "a loss")
    reference.check_loss(np.float64(2.0), 2.0, "a loss")
    for not_a_float in (np.array([1.0]), np.array(1.0), 1):
        with pytest.raises(AssertionError, match="expected a single float"):
            reference.check_loss(not_a_float, 1.0, "a loss")
    with pytest.raises(AssertionError, match=r"^a loss is wrong: expected 1\.0, got 1\.00000001"):
        reference.check_loss(1.0 + 1e-8, 1.0, "a loss")
    with pytest.raises(AssertionError, match="shape"):
        reference.check_grad(np.zeros(3), np.zeros((3, 1)), "a gradient")


def test_a_loss_divided_by_the_rows_instead_of_all_elements_is_named():
    y, p = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 0.0]]), np.array([[0.5, 1.0, 1.0], [0.0, 2.0, 0.5]])
    expected = float(np.mean((y - p) ** 2))  # over all 6 elements
    reference.check_loss(expected, expected, "mse", shape=y.shape)
    with pytest.raises(AssertionError, match="3 times too large: it was divided by the N = 2 rows"):
        reference.check_loss(float(np.sum((y - p) ** 2) / 2), expected, "mse", shape=y.shape)
    with pytest.raises(AssertionError, match=r"^mse_grad is off by"):  # another mistake: the general message
        reference.check_grad(2 * (p - y) / 5, 2 * (p - y) / 6, "mse_grad", shape=y.shape)


def test_the_references_cannot_be_replaced():
    with pytest.raises(AttributeError, match="read-only"):
        reference.mse = lambda y_true, y_pred: 0.0
