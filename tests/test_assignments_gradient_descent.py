"""The optimizers assignment's references and helpers (dlbook.assignments.gradient_descent), checked against
finite differences and plain NumPy versions of the updates, never against themselves."""

import numpy as np
import pytest
import torch

from dlbook.assignments import gradient_descent as reference
from finite_differences import finite_differences


def test_gradients_match_finite_differences():
    point = np.array([-1.5, 2.0])
    quadratic = lambda x: 0.5 * x @ np.diag([1.0, 10.0]) @ x  # noqa: E731
    rosenbrock = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2  # noqa: E731
    np.testing.assert_allclose(reference.quadratic_grad(point), finite_differences(quadratic, point), rtol=1e-6)
    np.testing.assert_allclose(reference.rosenbrock_grad(point), finite_differences(rosenbrock, point), rtol=1e-6)
    matrix = np.diag([0.5, 2.0, 4.0])
    np.testing.assert_allclose(reference.quadratic(matrix)(np.array([1.0, 2.0, 3.0])), [0.5, 4.0, 12.0])


def numpy_momentum(grad, x0, lr, beta, steps):
    x, v, path = np.array(x0, dtype=float), 0.0, []
    path.append(x.copy())
    for _ in range(steps):
        v = beta * v + grad(x)
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def numpy_adam(grad, x0, lr, betas, eps, steps):
    x, m, v, path = np.array(x0, dtype=float), 0.0, 0.0, []
    path.append(x.copy())
    for t in range(1, steps + 1):
        g = grad(x)
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g**2
        x = x - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
        path.append(x.copy())
    return np.array(path)


def test_optimizer_references_follow_the_update_rules():
    grad = reference.rosenbrock_grad
    got = reference.gradient_descent(grad, [-1.5, 2], 5e-4, 50)
    assert got.shape == (51, 2) and got.dtype == np.float64
    np.testing.assert_allclose(got, numpy_momentum(grad, [-1.5, 2], 5e-4, 0.0, 50), rtol=1e-12)
    np.testing.assert_allclose(reference.momentum(grad, [-1.5, 2], 2e-4, beta=0.9, steps=80),
                               numpy_momentum(grad, [-1.5, 2], 2e-4, 0.9, 80), rtol=1e-10)
    np.testing.assert_allclose(reference.adam(grad, [-1.5, 2], lr=0.05, betas=[0.5, 0.9], eps=0.1, steps=60),
                               numpy_adam(grad, [-1.5, 2], 0.05, (0.5, 0.9), 0.1, 60), rtol=1e-10)
    assert reference.momentum(grad, [1.0, 1.0], 0.1).shape == (101, 2)  # the default number of steps
    np.testing.assert_array_equal(reference.adam(reference.quadratic_grad, [0, 0], lr=0.1, steps=4), np.zeros((5, 2)))


def test_linear_regression_reference_is_gradient_descent_on_the_mse():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    w, b = np.zeros(3), 0.0
    for _ in range(40):
        r = X @ w + b - y
        w, b = w - 0.05 * 2 * X.T @ r / len(y), b - 0.05 * 2 * r.mean()
    got_w, got_b = reference.linear_regression_gd(X, y, 0.05, 40)
    np.testing.assert_allclose(np.append(got_w, got_b), np.append(w, b), rtol=1e-12)
    assert isinstance(got_b, float)
    np.testing.assert_array_equal(np.append(*reference.linear_regression_gd(X, y, 0.05, 0)), np.zeros(4))


def test_check_trajectory_wants_the_shape_and_the_values():
    expected = numpy_momentum(reference.quadratic_grad, [1.0, 1.0], 0.1, 0.0, 5)
    reference.check_trajectory(expected.tolist(), expected, "a list of rows")
    with pytest.raises(AssertionError, match=r"has shape \(1, 2\), expected \(6, 2\)\nHint: .*even where the gradient"):
        reference.check_trajectory(expected[:1], expected, "stopped early")
    with pytest.raises(AssertionError, match="off by up to"):
        reference.check_trajectory(expected + 1e-6, expected, "slightly off")


def test_references_refuse_a_replaced_torch_optim_step():
    original = torch.optim.SGD.__dict__["step"]
    torch.optim.SGD.step = lambda self, closure=None: None
    try:
        with pytest.raises(AssertionError, match="SGD.step replaced by code in this notebook"):
            reference.gradient_descent(reference.quadratic_grad, [1.0, 1.0], 0.1, 2)
    finally:
        torch.optim.SGD.step = original
    reference.gradient_descent(reference.quadratic_grad, [1.0, 1.0], 0.1, 2)  # fine again


def test_the_module_is_read_only():
    with pytest.raises(AttributeError):
        reference.adam = lambda *args, **kwargs: None
