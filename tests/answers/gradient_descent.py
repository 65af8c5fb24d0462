"""Gradient descent and optimizers: typical mistakes and right answers written differently (see answers/__init__.py)."""

import numpy as np

from answers import body, correct, wrong

GD_TESTS, GD_HIDDEN = "gradient_descent-tests", "gradient_descent-hidden-tests"
MOMENTUM_TESTS, MOMENTUM_HIDDEN = "momentum-tests", "momentum-hidden-tests"
ADAM_TESTS, ADAM_HIDDEN = "adam-tests", "adam-hidden-tests"
LINREG_TESTS, LINREG_HIDDEN = "linear_regression_gd-tests", "linear_regression_gd-hidden-tests"
GD, MOMENTUM, ADAM, LINREG = [GD_TESTS, GD_HIDDEN], [MOMENTUM_TESTS, MOMENTUM_HIDDEN], [ADAM_TESTS, ADAM_HIDDEN], \
    [LINREG_TESTS, LINREG_HIDDEN]
NUMPY_ONLY = "broke a rule of this assignment: it calls"


# Gradient descent

def gd_aliased_rows(grad, x0, lr, steps):  # appends the array, then updates it in place: every row is the last point
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(steps):
        x -= lr * grad(x)
        path.append(x)
    return np.array(path)


def gd_without_x0(grad, x0, lr, steps):  # leaves out the starting point
    x, path = np.array(x0, dtype=float), []
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)


def gd_stops_at_a_stationary_point(grad, x0, lr, steps):  # "converged": but the spec asks for steps + 1 rows
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        g = np.asarray(grad(x), dtype=float)
        if not np.any(g):
            break
        x = x - lr * g
        path.append(x.copy())
    return np.array(path)


def gd_modifying_x0(grad, x0, lr, steps):  # asarray makes no copy of a float array: x0 itself moves
    x = np.asarray(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x -= lr * grad(x)
        path.append(x.copy())
    return np.array(path)


def gd_on_an_integer_array(grad, x0, lr, steps):  # np.array(x0) keeps integers: the in-place update cannot cast
    x = np.array(x0)
    path = [x.copy()]
    for _ in range(steps):
        x -= lr * grad(x)
        path.append(x.copy())
    return np.array(path)


def gd_two_coordinates(grad, x0, lr, steps):  # a point (x, y), as on the chapter's contour plots: 2-D only
    x, y = float(x0[0]), float(x0[1])
    path = [(x, y)]
    for _ in range(steps):
        gx, gy = grad(np.array([x, y]))
        x, y = x - lr * gx, y - lr * gy
        path.append((x, y))
    return np.array(path)


def gd_with_torch(grad, x0, lr, steps):  # torch.optim.SGD itself: the right numbers, by a forbidden library
    import torch
    x = torch.tensor(np.array(x0, dtype=float), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    path = [x.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        x.grad = torch.as_tensor(grad(x.detach().numpy().copy()))
        optimizer.step()
        path.append(x.detach().numpy().copy())
    return np.array(path)


def gd_uphill(grad, x0, lr, steps):  # the sign of the step flipped
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x = x + lr * grad(x)
        path.append(x.copy())
    return np.array(path)


def gd_collecting_points(grad, x0, lr, steps):  # each row computed from the previous row
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


def gd_preallocated(grad, x0, lr, steps):  # rows of a preallocated array, returned as a list of lists
    x = np.array(x0, dtype=float)
    out = np.empty((steps + 1, x.size))
    out[0] = x
    for t in range(1, steps + 1):
        out[t] = out[t - 1] - lr * np.asarray(grad(out[t - 1]))
    return out.tolist()


# Momentum

def momentum_dampened(grad, x0, lr, beta=0.9, steps=100):  # the other convention: a (1 - beta) factor
    path = [np.array(x0, dtype=float)]
    v = np.zeros_like(path[0])
    for _ in range(steps):
        v = beta * v + (1 - beta) * grad(path[-1])
        path.append(path[-1] - lr * v)
    return np.array(path)


def momentum_ignoring_beta(grad, x0, lr, beta=0.9, steps=100):  # 0.9 written in: right only for the default
    x = np.array(x0, dtype=float)
    v, path = np.zeros_like(x), [x.copy()]
    for _ in range(steps):
        v = 0.9 * v + grad(x)
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def momentum_stops_when_still(grad, x0, lr, beta=0.9, steps=100):  # stops once it no longer moves
    x = np.array(x0, dtype=float)
    v, path = np.zeros_like(x), [x.copy()]
    for _ in range(steps):
        v = beta * v + grad(x)
        if not np.any(v):
            break
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def momentum_velocity_of_size_two(grad, x0, lr, beta=0.9, steps=100):  # np.zeros(2): right in 2-D only
    x = np.array(x0, dtype=float)
    v, path = np.zeros(2), [x.copy()]
    for _ in range(steps):
        v = beta * v + grad(x)
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def momentum_with_optimizer_trajectory(grad, x0, lr, beta=0.9, steps=100):  # the package's helper does the work
    import torch

    from dlbook.training import optimizer_trajectory
    return optimizer_trajectory(torch.optim.SGD, grad, x0, steps, lr=lr, momentum=beta)


def momentum_lr_inside_velocity(grad, x0, lr, beta=0.9, steps=100):  # the velocity scaled by lr: the same steps
    x = np.array(x0, dtype=float)
    out = np.empty((steps + 1, x.size))
    out[0] = x
    step = np.zeros_like(x)
    for t in range(steps):
        step = beta * step + lr * grad(x)
        x = x - step
        out[t + 1] = x
    return out


# Adam

def adam_without_bias_correction(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):
    b1, b2 = betas
    path = [np.array(x0, dtype=float)]
    m = v = np.zeros_like(path[0])
    for _ in range(steps):
        g = grad(path[-1])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        path.append(path[-1] - lr * m / (np.sqrt(v) + eps))
    return np.array(path)


def adam_t_from_zero(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):  # divides by 1 - beta**0 = 0
    b1, b2 = betas
    path = [np.array(x0, dtype=float)]
    m = v = np.zeros_like(path[0])
    for t in range(steps):
        g = grad(path[-1])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        path.append(path[-1] - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps))
    return np.array(path)


def adam_eps_inside_sqrt(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):  # as some papers write it
    b1, b2 = betas
    x = np.array(x0, dtype=float)
    m, v, path = np.zeros_like(x), np.zeros_like(x), [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        x = x - lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + eps)
        path.append(x.copy())
    return np.array(path)


def adam_with_fixed_betas(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):  # the defaults written in
    x = np.array(x0, dtype=float)
    m, v, path = np.zeros_like(x), np.zeros_like(x), [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        x = x - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + eps)
        path.append(x.copy())
    return np.array(path)


def adam_without_eps(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):  # 0 / 0 where the gradient is 0
    b1, b2 = betas
    x = np.array(x0, dtype=float)
    m, v, path = np.zeros_like(x), np.zeros_like(x), [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        x = x - lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t))
        path.append(x.copy())
    return np.array(path)


def adam_moments_of_size_two(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):  # right in 2-D only
    b1, b2 = betas
    x = np.array(x0, dtype=float)
    m, v, path = np.zeros(2), np.zeros(2), [x.copy()]
    for t in range(1, steps + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        path.append(x.copy())
    return np.array(path)


def adam_returning_the_tests_answer(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):
    return expected  # noqa: F821  (a test's expected trajectory, if a test cell left one where it can be read)


def adam_from_the_reference_module(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):
    from dlbook.assignments import gradient_descent as reference
    return reference.adam(grad, x0, lr=lr, betas=betas, eps=eps, steps=steps)


def adam_torch_form(grad, x0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, steps=100):  # torch's own arrangement
    x = np.array(x0, dtype=float)
    m, v, path = np.zeros_like(x), np.zeros_like(x), [x]
    for t in range(1, steps + 1):
        g = grad(x)
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g ** 2
        denom = np.sqrt(v) / np.sqrt(1 - betas[1] ** t) + eps
        x = x - (lr / (1 - betas[0] ** t)) * m / denom
        path.append(x)
    return np.stack(path)


# Linear regression

def linreg_sequential(X, y, lr, epochs):  # updates w, then computes b's gradient at the new w
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        w = w - lr * 2 * X.T @ (X @ w + b - y) / len(y)
        b = b - lr * 2 * (X @ w + b - y).mean()
    return w, b


def linreg_without_the_two(X, y, lr, epochs):  # forgets the 2 of the squared error's derivative
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        r = X @ w + b - y
        w, b = w - lr * X.T @ r / len(y), b - lr * r.mean()
    return w, b


def linreg_two_features(X, y, lr, epochs):  # fits the visible data only: w has two entries whatever X is
    w, b = np.zeros(2), 0.0
    for _ in range(epochs):
        r = X @ w + b - y
        w, b = w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean()
    return w, b


def linreg_centering_in_place(X, y, lr, epochs):  # centres the caller's X to speed things up, then undoes it in b
    means = X.mean(axis=0)
    X -= means
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        r = X @ w + b - y
        w, b = w - lr * 2 * X.T @ r / len(y), b - lr * 2 * r.mean()
    return w, b - means @ w


def linreg_with_autograd(X, y, lr, epochs):  # the forbidden library computes the gradients
    import torch
    Xt, yt = torch.tensor(X), torch.tensor(y)
    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        ((Xt @ w + b - yt) ** 2).mean().backward()
        optimizer.step()
    return w.detach().numpy(), b.item()


def linreg_on_gradient_descent(X, y, lr, epochs):  # packs [w, b] and calls the notebook's gradient_descent
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)

    def mse_grad(p):
        r = X @ p[:-1] + p[-1] - y
        return np.append(2 * X.T @ r / len(y), 2 * r.mean())

    p = gradient_descent(mse_grad, np.zeros(X.shape[1] + 1), lr, epochs)[-1]  # noqa: F821
    return p[:-1], p[-1]


def linreg_by_examples(X, y, lr, epochs):  # loops over the examples, returns a list for (w, b)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(epochs):
        gw, gb = np.zeros(d), 0.0
        for i in range(n):
            r = X[i] @ w + b - y[i]
            gw += 2 * r * X[i] / n
            gb += 2 * r / n
        w, b = w - lr * gw, b - lr * gb
    return [w, b]


def linreg_tampering():
    """Tries to fool the tests through their references: the snapshot of NumPy, the reference module, torch.optim,
    dlbook.training and the checks; its own linear_regression_gd returns zeros."""
    import functools

    import torch

    import dlbook.assignments.gradient_descent
    import dlbook.checks
    import dlbook.training

    def linear_regression_gd(X, y, lr, epochs):
        return np.zeros(X.shape[1]), 0.0

    def zeros(*args, **kwargs):
        return (np.zeros(2), 0.0)

    reference = dlbook.assignments.gradient_descent
    for attempt in (lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda x: 0 * x),
                    lambda: setattr(reference, "linear_regression_gd", zeros),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None)):
        try:
            attempt()
        except AttributeError:
            pass
    torch.optim.SGD.step = lambda self, closure=None: None  # no step: the reference stays at zeros
    dlbook.training.optimizer_trajectory = functools.partial(zeros)
    vars(dlbook.checks)["check_close"] = lambda *args, **kwargs: None  # behind the module's back


def linreg_tampering_with_torch_optim():
    """Stops torch.optim.SGD from stepping, so the reference regression stays at zeros, and returns zeros."""
    import torch

    def linear_regression_gd(X, y, lr, epochs):
        return np.zeros(X.shape[1]), 0.0

    def no_step(self, closure=None):
        return None

    torch.optim.SGD.step = no_step


WRONG = [
    wrong("gd-aliased-rows", lose=GD, says={GD_TESTS: "store a copy of each point"},
          gradient_descent=gd_aliased_rows),
    wrong("gd-without-x0", lose=GD, says={GD_TESTS: "return steps + 1 rows"}, gradient_descent=gd_without_x0),
    wrong("gd-stops-early", lose=GD, says={GD_TESTS: "started at the minimum (gradient 0) has shape (1, 2)",
                                            GD_HIDDEN: "Rosenbrock's minimum (1, 1), where the gradient is 0"},
          gradient_descent=gd_stops_at_a_stationary_point),
    wrong("gd-integer-array", lose=GD, says={GD_TESTS: "gradient_descent from the list of integers [2, -1] raised "
                                                        "UFuncTypeError"},
          gradient_descent=gd_on_an_integer_array),
    wrong("gd-two-coordinates", lose=[GD_HIDDEN], says={GD_HIDDEN: "x0 has d coordinates, not always 2"},
          gradient_descent=gd_two_coordinates),
    wrong("gd-modifies-x0", lose=GD, says={GD_TESTS: "gradient_descent modified its input x0"},
          gradient_descent=gd_modifying_x0),
    wrong("gd-torch", lose=GD, says={GD_TESTS: NUMPY_ONLY + " torch"}, gradient_descent=gd_with_torch),
    # linear_regression_gd is built on the student's gradient_descent: its tests run it with the reference one,
    # so the sign slip costs part 1's points only
    wrong("gd-uphill-linreg-on-it", lose=GD, says={GD_TESTS: "the gradient descent trajectory on a quadratic"},
          gradient_descent=gd_uphill, linear_regression_gd=linreg_on_gradient_descent),
    wrong("momentum-dampened", lose=MOMENTUM, says={MOMENTUM_TESTS: "no (1 - beta) factor"},
          momentum=momentum_dampened),
    wrong("momentum-ignores-beta", lose=MOMENTUM, says=dict.fromkeys(MOMENTUM, "use the beta argument"),
          momentum=momentum_ignoring_beta),
    wrong("momentum-stops-early", lose=MOMENTUM, says={MOMENTUM_TESTS: "momentum started at the minimum (gradient 0) "
                                                                      "has shape (1, 2)"},
          momentum=momentum_stops_when_still),
    wrong("momentum-velocity-of-size-2", lose=[MOMENTUM_HIDDEN], momentum=momentum_velocity_of_size_two,
          says={MOMENTUM_HIDDEN: "momentum in 3-D from integers raised ValueError"}),
    wrong("momentum-optimizer-trajectory", lose=MOMENTUM, says={MOMENTUM_TESTS: NUMPY_ONLY + " dlbook.training"},
          momentum=momentum_with_optimizer_trajectory),
    wrong("adam-no-bias-correction", lose=ADAM, says={ADAM_TESTS: "the first Adam step"},
          adam=adam_without_bias_correction),
    wrong("adam-t-from-zero", lose=ADAM, says={ADAM_TESTS: "the first Adam step returned nan"}, adam=adam_t_from_zero),
    wrong("adam-eps-inside-sqrt", lose=ADAM, says={ADAM_TESTS: "added after the square root",
                                                   ADAM_HIDDEN: "adam with betas=(0.9, 0.999), eps=0.1"},
          adam=adam_eps_inside_sqrt),
    wrong("adam-fixed-betas", lose=ADAM, says={ADAM_TESTS: "adam with betas=(0.8, 0.9)"}, adam=adam_with_fixed_betas),
    wrong("adam-without-eps", lose=ADAM, says={ADAM_TESTS: "adam started at the minimum (gradient 0) warned"},
          adam=adam_without_eps),
    wrong("adam-moments-of-size-2", lose=[ADAM_HIDDEN], says={ADAM_HIDDEN: "adam in 3-D from integers raised"},
          adam=adam_moments_of_size_two),
    wrong("adam-returns-expected", lose=ADAM, says={ADAM_TESTS: "name 'expected' is not defined"},
          adam=adam_returning_the_tests_answer),
    wrong("adam-reference-module", lose=ADAM, says={ADAM_TESTS: NUMPY_ONLY + " dlbook.assignments.gradient_descent"},
          adam=adam_from_the_reference_module),
    wrong("linreg-sequential", lose=LINREG, says={LINREG_TESTS: "both before updating"},
          linear_regression_gd=linreg_sequential),
    wrong("linreg-no-two", lose=LINREG, says={LINREG_TESTS: "[w, b] after 25 epochs is off"},
          linear_regression_gd=linreg_without_the_two),
    wrong("linreg-two-features", lose=[LINREG_HIDDEN], says={LINREG_HIDDEN: "mismatch in its core dimension"},
          linear_regression_gd=linreg_two_features),
    wrong("linreg-modifies-X", lose=LINREG, says={LINREG_TESTS: "linear_regression_gd modified its input X"},
          linear_regression_gd=linreg_centering_in_place),
    wrong("linreg-autograd", lose=LINREG, says={LINREG_TESTS: NUMPY_ONLY + " torch"},
          linear_regression_gd=linreg_with_autograd),
    wrong("reference-tamperer", lose=LINREG, says={LINREG_TESTS: "replaced by code in this notebook"},
          linear_regression_gd=body(linreg_tampering)),
    wrong("optim-tamperer", lose=LINREG, says={LINREG_TESTS: "SGD.step replaced by code in this notebook"},
          linear_regression_gd=body(linreg_tampering_with_torch_optim)),
]

CORRECT = [
    correct("other-forms", gradient_descent=gd_collecting_points, momentum=momentum_lr_inside_velocity,
            adam=adam_torch_form, linear_regression_gd=linreg_by_examples),
    correct("preallocated-linreg-on-gd", gradient_descent=gd_preallocated,
            linear_regression_gd=linreg_on_gradient_descent),
]
