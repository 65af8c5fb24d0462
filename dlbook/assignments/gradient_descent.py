"""The optimizers assignment: torch.optim references for the optimizers and the linear regression, the test
functions whose gradients the optimizers follow, and the check the trajectory tests share.

The references run torch.optim itself (SGD, SGD with momentum, Adam), so they are no NumPy answer to copy. The
test functions `quadratic_grad` and `rosenbrock_grad` are the chapter's own (the quadratic with A = diag(1, 10)
and Rosenbrock's function from (-1.5, 2)).
"""

import functools
import sys

import numpy
import torch

from dlbook.checks import StudentError, call_quietly, check_close, check_shape, check_untampered, guard, read_only
from dlbook.checks import reference_numpy as np
from dlbook.training import optimizer_trajectory

A = np.diag([1.0, 10.0])  # an ill-conditioned quadratic f(x) = x^T A x / 2
TOLERANCE = dict(atol=1e-8, rtol=1e-8)  # the trajectories must match torch.optim step for step in float64


def quadratic_grad(x, A=A) -> numpy.ndarray:
    """The gradient A x of f(x) = x^T A x / 2 (A = diag(1, 10) unless another matrix is given)."""
    return A @ x


def quadratic(matrix) -> functools.partial:
    """The gradient function x -> matrix @ x of the quadratic with another (symmetric) matrix."""
    return functools.partial(quadratic_grad, A=np.asarray(matrix, dtype=np.float64))


def rosenbrock_grad(p) -> numpy.ndarray:
    """The gradient of Rosenbrock's function (1 - x)^2 + 100 (y - x^2)^2 at p = (x, y)."""
    return np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)])


# What the optimizers' tests give graded(...) as dependencies: the gradient functions the student's optimizer
# calls live in this package, and calling them is not a use of the package's references.
GRADIENTS = {"quadratic_grad": quadratic_grad, "rosenbrock_grad": rosenbrock_grad}

# torch.optim: the references fail if a notebook replaces or adds a method of it (torch.optim.SGD.step = ...).
_OPTIM = (torch.optim.Optimizer, torch.optim.SGD, torch.optim.Adam, *(sys.modules[f"torch.optim.{name}"]
                                                                      for name in ("optimizer", "sgd", "adam")))
def gradient_descent(grad, x0, lr, steps) -> numpy.ndarray:
    """The trajectory (steps + 1, d) of torch.optim.SGD(lr=lr) from x0."""
    untampered()
    return optimizer_trajectory(torch.optim.SGD, grad, x0, steps, lr=lr)


def momentum(grad, x0, lr, beta=0.9, steps=100) -> numpy.ndarray:
    """The trajectory (steps + 1, d) of torch.optim.SGD(lr=lr, momentum=beta) from x0."""
    untampered()
    return optimizer_trajectory(torch.optim.SGD, grad, x0, steps, lr=lr, momentum=beta)


def adam(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100) -> numpy.ndarray:
    """The trajectory (steps + 1, d) of torch.optim.Adam(lr=lr, betas=betas, eps=eps) from x0."""
    untampered()
    return optimizer_trajectory(torch.optim.Adam, grad, x0, steps, lr=lr, betas=tuple(betas), eps=eps)


def linear_regression_gd(X, y, lr, epochs) -> tuple[numpy.ndarray, float]:
    """(w, b) of y ~ X w + b after `epochs` steps of torch.optim.SGD on the mean squared error, from zeros."""
    untampered()
    X = torch.tensor(np.asarray(X, dtype=np.float64))
    y = torch.tensor(np.asarray(y, dtype=np.float64))
    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(X @ w + b, y).backward()
        optimizer.step()
    return w.detach().numpy().copy(), b.item()


def check_trajectory(got, expected, name: str, hint: str | None = None) -> None:
    """Fail unless the trajectory `got` has the shape of `expected` (steps + 1 rows, x0 first) and matches it
    to TOLERANCE; `hint` says what to try when the values differ."""
    check_shape(got, np.shape(expected), name, "return steps + 1 rows: x0 first, then the point after each "
                "step (all `steps` steps, even where the gradient is 0)")
    check_close(got, expected, name, hint=hint, **TOLERANCE)


INTEGERS = "x0 may be a list, also of integers: start from x = np.array(x0, dtype=float), a float64 copy"


def run(optimize, grad, x0, name: str, hint: str | None = None, **kwargs):
    """optimize(grad, x0, **kwargs) for the student's optimizer wrapped by the rules: a warning it gives or an
    error it raises fails the test with `name`, the student's line and `hint`."""
    try:
        return call_quietly(optimize, grad, x0, name=name, hint=hint, **kwargs)
    except StudentError as error:
        raise error.retold(name, hint) from None


def check_from_integers(optimize, expected, name: str, **kwargs) -> None:
    """The student's `optimize` from the list of Python integers [2, -1] on the quadratic, against `expected`
    (the reference optimizer, given the same arguments) from the floats [2.0, -1.0]."""
    what = f"{name} from the list of integers [2, -1]"
    got = run(optimize, quadratic_grad, [2, -1], what, INTEGERS, **kwargs)
    check_trajectory(got, expected(quadratic_grad, [2.0, -1.0], **kwargs), what, hint=INTEGERS)


def check_at_the_minimum(optimize, name: str, hint: str, steps: int = 5, **kwargs) -> None:
    """The student's `optimize` started at the quadratic's minimum (0, 0), where the gradient is 0: it takes all
    `steps` steps, quietly, and every row of its trajectory is (0, 0)."""
    what = f"{name} started at the minimum (gradient 0)"
    got = run(optimize, quadratic_grad, np.zeros(2), what, hint, steps=steps, **kwargs)
    check_trajectory(got, np.zeros((steps + 1, 2)), what, hint=hint)


# One step of each optimizer first: the first one loads torch._dynamo, which wraps some torch functions
# (torch.manual_seed) once, and each optimizer class wraps its own `step` once; recorded before that, they
# would look replaced by the notebook.
for _optimizer in (torch.optim.SGD, torch.optim.Adam):
    optimizer_trajectory(_optimizer, lambda x: x, [1.0], 1, lr=0.1)
untampered = guard(*_OPTIM)
check_untampered()  # records torch, torch.optim and dlbook.training as they are, before any student code runs
read_only(__name__)  # solution cells cannot swap the references for their own functions
