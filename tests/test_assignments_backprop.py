"""The backpropagation assignment's references (dlbook.assignments.backprop) against NumPy formulas and finite
differences, never against themselves, and the helpers its test cells share."""

import numpy as np
import pytest

from dlbook.assignments import backprop as reference
from finite_differences import finite_differences


def ce_numpy(logits, y):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_linear_forward_is_x_w_plus_b(rng):
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    np.testing.assert_allclose(reference.linear_forward(X, W, b), X @ W + b, rtol=1e-14, atol=1e-14)
    assert reference.linear_forward(X[:1], W[:, :1], b[:1]).shape == (1, 1)


def test_linear_backward_matches_finite_differences(rng):
    X, W, b, dY = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 2))
    dX, dW, db = reference.linear_backward(dY, X, W)
    loss = lambda X, W, b: float(np.sum((X @ W + b) * dY))  # noqa: E731  (dL/dY = dY)
    np.testing.assert_allclose(dX, finite_differences(lambda v: loss(v, W, b), X), atol=1e-8)
    np.testing.assert_allclose(dW, finite_differences(lambda v: loss(X, v, b), W), atol=1e-8)
    np.testing.assert_allclose(db, finite_differences(lambda v: loss(X, W, v), b), atol=1e-8)
    np.testing.assert_allclose(db, dY.sum(axis=0), rtol=1e-14)


def test_relu_backward_is_zero_at_exactly_zero():
    Z = np.array([[0.0, -0.0, 1e-300, -1e-300, 2.0, -3.0]])
    dY = np.arange(1.0, 7.0)[None]
    np.testing.assert_array_equal(reference.relu_backward(dY, Z), [[0.0, 0.0, 3.0, 0.0, 5.0, 0.0]])


def test_softmax_cross_entropy_matches_numpy_and_finite_differences(rng):
    logits, y = rng.normal(scale=2.0, size=(5, 4)), np.array([0, 3, 1, 1, 2])
    loss, dlogits = reference.softmax_cross_entropy(logits, y)
    assert isinstance(loss, float)
    assert loss == pytest.approx(ce_numpy(logits, y), rel=1e-13)
    np.testing.assert_allclose(dlogits, finite_differences(lambda v: ce_numpy(v, y), logits), atol=1e-8)
    big = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    loss, dlogits = reference.softmax_cross_entropy(big, np.array([2, 0]))
    assert loss == pytest.approx((2e4 + np.log(3)) / 2, rel=1e-12) and np.isfinite(dlogits).all()


def test_mlp_loss_and_grads_match_finite_differences(rng):
    params, X, y = reference.random_params(rng, 3, 4, 3), rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    assert {k: v.shape for k, v in params.items()} == {"W1": (3, 4), "b1": (4,), "W2": (4, 3), "b2": (3,)}

    def loss_with(name, value):
        p = dict(params, **{name: value})
        return ce_numpy(np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"], y)

    loss, grads = reference.mlp_loss_and_grads(params, X, y)
    assert loss == pytest.approx(loss_with("W1", params["W1"]), rel=1e-13)
    for name in reference.NAMES:
        np.testing.assert_allclose(grads[name], finite_differences(lambda v: loss_with(name, v), params[name]),
                                   atol=1e-7)


def test_counted_stand_ins_call_through_and_count():
    stand_ins, calls = reference.counted({"double": lambda x: 2 * x, "square": lambda x: x * x})
    assert stand_ins["double"](3) == 6 and stand_ins["double"](4) == 8 and stand_ins["double"].__name__ == "double"
    assert calls == {"double": 2}


def test_the_references_cannot_be_rebound():
    with pytest.raises(AttributeError, match="read-only"):
        reference.linear_backward = lambda dY, X, W: (dY, dY, dY)
