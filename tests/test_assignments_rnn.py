"""The rnn assignment's references (dlbook.assignments.rnn) against the formulas they stand for, in NumPy,
and against finite differences where a formula could be wrong in the same way twice."""

import numpy as np
import pytest

from dlbook.assignments import rnn as reference

rng = np.random.default_rng(0)


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def test_rnn_step_is_the_tanh_recurrence_with_row_vectors():
    x_t, h_prev = rng.normal(size=(3, 4)), rng.normal(size=(3, 5))
    W_xh, W_hh, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 5)), rng.normal(size=5)
    got = reference.rnn_step(x_t, h_prev, W_xh, W_hh, b)
    np.testing.assert_allclose(got, np.tanh(x_t @ W_xh + h_prev @ W_hh + b), atol=1e-13)
    assert got.dtype == np.float64 and got.shape == (3, 5)
    assert np.abs(got - np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b)).max() > 1e-3  # W_hh is not symmetric


def test_torch_rnn_carries_the_state_and_leaves_out_h0():
    X, h0 = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4))
    W_xh, W_hh, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    h, expected = h0, []
    for x_t in X:
        h = np.tanh(x_t @ W_xh + h @ W_hh + b)
        expected.append(h)
    np.testing.assert_allclose(reference.torch_rnn(X, h0, W_xh, W_hh, b), np.stack(expected), atol=1e-13)


def test_torch_lstm_step_uses_pytorchs_gate_order():
    N, D, H = 2, 3, 4
    x_t, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    W_x, W_h, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
    a = x_t @ W_x + h_prev @ W_h + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h_got, c_got = reference.torch_lstm_step(x_t, h_prev, c_prev, W_x, W_h, b)
    np.testing.assert_allclose(c_got, c, atol=1e-13)
    np.testing.assert_allclose(h_got, o * np.tanh(c), atol=1e-13)


def test_torch_lstm_step_gradient_of_c_along_the_cell_path_is_the_forget_gate():
    """dc_t/dc_(t-1) = diag(f_t), the identity the written question is about, by central differences."""
    N, D, H = 1, 2, 3
    x_t, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    W_x, W_h, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
    f = sigmoid((x_t @ W_x + h_prev @ W_h + b)[:, H:2 * H])
    eps = 1e-6
    for j in range(H):
        step = np.zeros_like(c_prev)
        step[0, j] = eps
        up = reference.torch_lstm_step(x_t, h_prev, c_prev + step, W_x, W_h, b)[1]
        down = reference.torch_lstm_step(x_t, h_prev, c_prev - step, W_x, W_h, b)[1]
        column = (up - down)[0] / (2 * eps)
        np.testing.assert_allclose(column, np.eye(H)[j] * f[0, j], atol=1e-8)


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_torch_clip_scales_all_arrays_by_one_factor(max_norm):
    grads = [rng.normal(size=(3, 4)), rng.normal(size=2)]
    copies = [g.copy() for g in grads]
    clipped, total = reference.torch_clip(grads, max_norm)
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    assert total == pytest.approx(norm, rel=1e-12)
    for got, g in zip(clipped, grads):
        np.testing.assert_allclose(got, g * min(1.0, max_norm / norm), rtol=1e-5, atol=1e-12)
    assert all(np.array_equal(g, c) for g, c in zip(grads, copies))  # the caller's arrays are left alone


def test_check_clip_accepts_lists_and_refuses_wrong_norms():
    grads = [np.array([3.0, 4.0])]
    reference.check_clip(lambda g, m: [[a * 0.2 for a in g], 5.0], grads, 1.0, "a list")
    with pytest.raises(AssertionError, match="total_norm"):
        reference.check_clip(lambda g, m: ([a * 0.2 for a in g], 7.0), grads, 1.0, "a wrong norm")
    with pytest.raises(AssertionError, match="not a pair"):
        reference.check_clip(lambda g, m: [a * 0.2 for a in g], grads, 1.0, "no norm")


def test_check_float64_refuses_float32_and_pair_accepts_a_list():
    expected = np.tanh(np.linspace(-2, 2, 6)).reshape(2, 3)
    reference.check_float64(expected + 1e-12, expected, "float64")
    with pytest.raises(AssertionError, match="compute in float64"):
        reference.check_float64(expected.astype(np.float32), expected, "float32")
    assert reference.pair([1, 2], "f", "(h, c)") == (1, 2)
    with pytest.raises(AssertionError, match=r"not a pair \(h, c\)"):
        reference.pair((1, 2, 3), "f", "(h, c)")


def test_the_references_cannot_be_replaced():
    with pytest.raises(AttributeError):
        reference.rnn_step = lambda *args: None
