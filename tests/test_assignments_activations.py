"""The activations assignment's references and checks (dlbook/assignments/activations.py), against NumPy
formulas and finite differences, never against themselves."""

import warnings

import numpy as np
import pytest

from dlbook.assignments import activations as reference

X = np.concatenate([np.linspace(-30, 30, 121), [-1e4, -746.0, -0.5, 0.5, 746.0, 1e4]])
SMOOTH = np.linspace(-8, 8, 33) + 0.01  # away from 0, where ReLU's kink is


def numeric_slope(f, x, h=1e-6, **kwargs):
    return (f(x + h, **kwargs) - f(x - h, **kwargs)) / (2 * h)


def test_values_agree_with_numpy_formulas():
    e = np.exp(-np.abs(X))
    sigmoid = np.where(X >= 0, 1 / (1 + e), e / (1 + e))
    np.testing.assert_allclose(reference.sigmoid(X), sigmoid, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(reference.tanh(X), np.tanh(X), rtol=1e-14)
    np.testing.assert_array_equal(reference.relu(X), np.maximum(X, 0))
    for alpha in (0.01, 0.3):
        np.testing.assert_allclose(reference.leaky_relu(X, alpha=alpha), np.where(X > 0, X, alpha * X), rtol=1e-15)
    assert reference.leaky_relu(np.array([-2.0])).item() == pytest.approx(-0.02)  # alpha defaults to 0.01


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_derivatives_agree_with_finite_differences(name):
    f, grad = getattr(reference, name), getattr(reference, f"{name}_grad")
    np.testing.assert_allclose(grad(SMOOTH), numeric_slope(f, SMOOTH), rtol=1e-6, atol=1e-9)
    if name == "leaky_relu":
        np.testing.assert_allclose(grad(SMOOTH, alpha=0.2), numeric_slope(f, SMOOTH, alpha=0.2), rtol=1e-6)


def test_derivatives_follow_pytorch_at_zero_and_stay_finite_at_the_extremes():
    zeros = np.array([-0.0, 0.0])
    np.testing.assert_array_equal(reference.relu_grad(zeros), [0.0, 0.0])
    np.testing.assert_array_equal(reference.leaky_relu_grad(zeros, alpha=0.2), [0.2, 0.2])
    np.testing.assert_array_equal(reference.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])
    for grad in (reference.sigmoid_grad, reference.tanh_grad):
        values = grad(X)
        assert np.all(np.isfinite(values)) and values[X == 1e4] == 0.0


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_agrees_with_numpy_along_each_axis(axis):
    z = np.random.default_rng(0).normal(scale=5.0, size=(3, 4, 5))
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    np.testing.assert_allclose(reference.softmax(z, axis=axis), e / e.sum(axis=axis, keepdims=True), rtol=1e-13)
    far = np.array([[1000.0, 1001.0], [-1000.0, -1001.0]])
    np.testing.assert_allclose(reference.softmax(far).sum(axis=-1), [1.0, 1.0])


def test_references_take_integers_return_new_floats_and_leave_the_input_alone():
    x = np.array([[-2, 0], [3, 7]])
    for name in reference.ORDER:
        got = getattr(reference, name)(x)
        assert got.dtype == np.float64 and got.shape == x.shape, name
        assert not np.shares_memory(got, x)
    y = np.array([-1.0, 2.0])
    for name in reference.ORDER:
        assert not np.shares_memory(getattr(reference, name)(y), y), name
    np.testing.assert_array_equal(y, [-1.0, 2.0])


def test_earlier_gives_the_references_a_function_may_call():
    assert reference.earlier("sigmoid") == {}
    assert list(reference.earlier("tanh_grad")) == ["sigmoid", "sigmoid_grad", "tanh"]
    assert reference.earlier("softmax")["relu"] is reference.relu


def quiet_sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def getattr_sigmoid(x):
    with getattr(np, "errstate")(all="ignore"):
        return 1 / (1 + np.exp(-x))


def warnings_tanh(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.tanh(x)


def helper(x):
    with np.errstate(all="ignore"):
        return np.exp(x)


def sigmoid_with_helper(x):
    return 1 / (1 + helper(-x))


def honest_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_silencing_warnings_is_found_in_the_code():
    assert reference._silencers(quiet_sigmoid) == ["errstate"]
    assert reference._silencers(getattr_sigmoid) == ["errstate"]
    assert set(reference._silencers(warnings_tanh)) == {"catch_warnings", "simplefilter"}
    assert reference._silencers(sigmoid_with_helper) == ["errstate"]  # in a helper it calls
    assert reference._silencers(honest_sigmoid) == []
    with pytest.raises(AssertionError, match=r"quiet_sigmoid silences NumPy's warnings \(errstate\)"):
        reference.check(quiet_sigmoid, reference.sigmoid, np.array([0.0]), "sigmoid(0)")


def test_check_names_the_case_and_the_rule_broken():
    reference.check(honest_sigmoid, reference.sigmoid, X, "sigmoid(X)")
    with pytest.raises(AssertionError, match=r"softmax\(z\) warned: overflow"):
        reference.check(lambda z: np.exp(z) / np.exp(z).sum(), reference.softmax, np.array([1e3, 1.0]), "softmax(z)")
    with pytest.raises(AssertionError, match=r"relu\(x\) raised ValueError"):
        reference.check(lambda x: [v if v > 0 else 0.0 for v in x], reference.relu, np.ones((2, 2)), "relu(x)")
    with pytest.raises(AssertionError, match="tanh_grad is off by up to"):
        reference.check(lambda x: 1 - np.tanh(x), reference.tanh_grad, SMOOTH, "tanh_grad")
    with pytest.raises(AssertionError, match="returned an array of int64: every function must return floats"):
        reference.check_floats(lambda x: x * (x > 0), reference.relu, np.array([-1, 2]), "relu of integers")
    reference.check_floats(lambda x: np.maximum(x, 0.0), reference.relu, np.array([-1, 2]), "relu of integers")


def test_the_references_cannot_be_replaced():
    with pytest.raises(AttributeError):
        reference.sigmoid = np.tanh
