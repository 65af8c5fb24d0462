"""Activation functions: typical mistakes and right answers written differently (see answers/__init__.py).

Each function has a visible and a hidden test cell; a mistake in one function loses only that function's
cells, also when a later function calls it (the tests run later functions with the reference versions).
"""

import math

import numpy as np

from answers import body, correct, wrong


def cells(name):
    return [f"{name}-tests", f"{name}-hidden-tests"]


SIGMOID, SIGMOID_GRAD, TANH, TANH_GRAD = cells("sigmoid"), cells("sigmoid_grad"), cells("tanh"), cells("tanh_grad")
RELU, RELU_GRAD, LEAKY, LEAKY_GRAD = cells("relu"), cells("relu_grad"), cells("leaky_relu"), cells("leaky_relu_grad")
SOFTMAX = cells("softmax")
RULE = "broke a rule of this assignment: it calls"


# Typical mistakes, one function at a time.

def sigmoid_textbook(x):  # the formula as written: exp(1e4) overflows
    return 1 / (1 + np.exp(-x))


def tanh_from_sigmoid(x):  # right, and built on the student's sigmoid, as the instructions allow
    return 2 * sigmoid(2 * x) - 1  # noqa: F821 (the notebook's function)


def sigmoid_with_a_loop(x):  # right for a 1-D array only: a row of a 2-D array is not a number
    return np.array([1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)) for v in x])


def sigmoid_silenced(x):  # right values, but the overflow is hidden instead of avoided
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def sigmoid_clipping_in_place(x):  # avoids the overflow by changing the caller's array
    x[x < -700] = -700
    return 1 / (1 + np.exp(-x))


def sigmoid_with_a_cut_off(x):  # avoids the overflow by calling |x| > 30 saturated: but sigma(-33) is 4.7e-15, not 0
    x = np.asarray(x, dtype=float)
    inside = 1 / (1 + np.exp(-np.clip(x, -30, 30)))
    return np.where(x > 30, 1.0, np.where(x < -30, 0.0, inside))


def sigmoid_with_torch(x):  # the library the rules forbid
    import torch
    return torch.sigmoid(torch.as_tensor(x)).numpy()


def sigmoid_grad_of_x(x):  # the formula applied to x instead of sigma(x)
    return x * (1 - x)


def sigmoid_grad_textbook(x):  # right on [-20, 20]; exp(-x) overflows at -1e4
    return np.exp(-x) / (1 + np.exp(-x)) ** 2


def sigmoid_grad_with_a_cut_off(x):  # the textbook formula, guarded by a cut-off: 0 for |x| > 30
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.clip(x, -30, 30))
    return np.where(np.abs(x) > 30, 0.0, e / (1 + e) ** 2)


def sigmoid_grad_from_the_package(x):  # autograd through the tests' own helper
    import torch

    from dlbook.checks import torch_reference
    return torch_reference(torch.sigmoid, x)[1][0]


def tanh_textbook(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_with_a_cut_off(x):  # the textbook formula inside [-10, 10], +-1 outside: but tanh(12) is 1 - 7.6e-11
    x = np.asarray(x, dtype=float)
    inside = np.clip(x, -10, 10)
    t = (np.exp(inside) - np.exp(-inside)) / (np.exp(inside) + np.exp(-inside))
    return np.where(np.abs(x) > 10, np.sign(x), t)


def tanh_with_a_loop(x):  # math.tanh is allowed, but this loop only works for 1-D arrays
    return np.array([math.tanh(v) for v in x])


def tanh_silenced(x):  # right values everywhere, thanks to silenced overflow and a branch
    with np.errstate(over="ignore", invalid="ignore"):
        big, small = np.exp(x), np.exp(-x)
        return np.where(x > 20, 1.0, np.where(x < -20, -1.0, (big - small) / (big + small)))


def tanh_grad_no_square(x):
    return 1 - np.tanh(x)


def tanh_grad_sech(x):  # sech^2 is right, but cosh overflows at 1e4
    return 1 / np.cosh(x) ** 2


def tanh_grad_sech_with_a_cut_off(x):  # 1 / cosh(x)**2 guarded by a cut-off: 0 for |x| > 10
    x = np.asarray(x, dtype=float)
    return np.where(np.abs(x) > 10, 0.0, 1 / np.cosh(np.clip(x, -10, 10)) ** 2)


def relu_with_np_max(x):  # np.max reduces along an axis; np.maximum compares elementwise
    return np.max(x, 0)


def relu_keeping_integers(x):  # right values, but integers in give integers out
    return x * (x > 0)


def relu_returning_its_input(x):  # a shortcut that hands back the caller's array itself
    if np.all(x >= 0):
        return x
    return np.maximum(x, 0.0)


def relu_grad_sign(x):
    return np.sign(x)


def relu_grad_at_zero(x):  # x >= 0 gives 1 at exactly 0, not PyTorch's 0
    return (x >= 0).astype(float)


def relu_grad_with_a_tolerance(x):  # "close to 0" counts as 0: but relu_grad(1e-300) is 1
    x = np.asarray(x, dtype=float)
    return np.where(np.isclose(x, 0.0) | (x < 0), 0.0, 1.0)


def leaky_relu_forgets_x(x, alpha=0.01):
    return np.where(x > 0, x, alpha)


def leaky_relu_fixed_alpha(x, alpha=0.01):  # hard-codes the default slope
    return np.where(x > 0, x, 0.01 * x)


def leaky_relu_returning_its_input(x, alpha=0.01):  # nothing negative, nothing to change: hands back x itself
    if np.all(x >= 0):
        return x
    return np.where(x > 0, x, alpha * x)


def leaky_relu_with_torch(x, alpha=0.01):
    import torch
    return torch.nn.functional.leaky_relu(torch.as_tensor(x), alpha).numpy()


def leaky_relu_grad_no_alpha(x, alpha=0.01):
    return np.where(x > 0, 1.0, 0.0)


def leaky_relu_grad_at_zero(x, alpha=0.01):
    return np.where(x >= 0, 1.0, alpha)


def leaky_relu_grad_fixed_alpha(x, alpha=0.01):  # hard-codes the default slope
    return np.where(x > 0, 1.0, 0.01)


def leaky_relu_grad_with_a_tolerance(x, alpha=0.01):  # x > eps instead of x > 0: but the slope at 1e-300 is 1
    return np.where(x > np.finfo(float).eps, 1.0, alpha)


def leaky_relu_grad_from_the_reference(x, alpha=0.01):  # the tests' reference is the package's, not yours
    from dlbook.assignments import activations
    return activations.leaky_relu_grad(x, alpha)


def softmax_without_max(z, axis=-1):  # nan for large scores
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_whole_array(z, axis=-1):  # normalises over the whole array instead of along the axis
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_global_max(z, axis=-1):  # one maximum for the whole array: a slice far below it underflows to 0/0
    e = np.exp(z - z.max())
    return e / e.sum(axis=axis, keepdims=True)


def softmax_rows_or_columns(z, axis=-1):  # axis=0 by transposing, else along the last axis: right for 2-D only
    z = np.asarray(z, dtype=float)
    if axis == 0:
        z = z.T
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return p.T if axis == 0 else p


def softmax_in_place(z, axis=-1):  # subtracts the maximum from the caller's array
    z -= z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_with_scipy(z, axis=-1):
    from scipy.special import softmax
    return softmax(z, axis=axis)


def softmax_with_patched_numpy():
    """Tries to fool the tests: patches NumPy and rebinds the checks, and returns the global-max softmax."""
    def softmax(z, axis=-1):
        e = np.exp(z - z.max())
        return e / e.sum(axis=axis, keepdims=True)

    np.allclose = np.array_equal = lambda *args, **kwargs: True
    np.abs = lambda x: 0 * x
    check_close = call_quietly = lambda *args, **kwargs: None  # noqa: F841


def softmax_with_patched_references():
    """Tries to fool the tests through their references: the reference module, torch, the NumPy snapshot."""
    def softmax(z, axis=-1):
        e = np.exp(z - z.max())
        return e / e.sum(axis=axis, keepdims=True)

    import types

    import torch

    import dlbook.assignments.activations
    import dlbook.checks
    for attempt in (lambda: setattr(dlbook.assignments.activations, "softmax", softmax),
                    lambda: setattr(dlbook.checks.reference_numpy, "abs", lambda x: 0 * x),
                    lambda: setattr(dlbook.checks, "check_close", lambda *args, **kwargs: None),
                    lambda: setattr(dlbook.checks, "reference_torch", types.SimpleNamespace(softmax=lambda t, dim: t))):
        try:
            attempt()
        except AttributeError:  # the references are read-only
            pass
    torch.softmax = lambda t, dim=-1, **kwargs: torch.ones_like(t)
    vars(dlbook.assignments.activations)["softmax"] = softmax  # behind the module's back


# Right answers written differently.

def sigmoid_from_tanh(x):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def sigmoid_grad_from_tanh(x):
    t = np.tanh(0.5 * np.asarray(x, dtype=float))
    return 0.25 * (1 - t) * (1 + t)


def relu_with_a_loop(x):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i, v in enumerate(x.flat):
        out.flat[i] = v if v > 0 else 0.0
    return out


def leaky_relu_with_maximum(x, alpha=0.01):
    return np.maximum(x, alpha * np.asarray(x, dtype=float))


def softmax_with_logsumexp(z, axis=-1):
    m = np.max(z, axis=axis, keepdims=True)
    log_norm = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.exp(z - log_norm)


def sigmoid_clipped(x):  # clipping is a legitimate way to avoid the overflow (np.clip makes a new array)
    x = np.clip(x, -500, 500)
    return 1 / (1 + np.exp(-x))


def sigmoid_grad_in_one_line(x):
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def tanh_with_math(x):  # plain Python's math module, element by element, on any shape
    x = np.asarray(x, dtype=float)
    return np.array([math.tanh(v) for v in x.ravel()]).reshape(x.shape)


def tanh_grad_from_sigmoid_grad(x):  # tanh'(x) = 4 sigma'(2x), through the earlier function
    return 4 * sigmoid_grad(2 * np.asarray(x, dtype=float))  # noqa: F821 (the notebook's function)


def relu_grad_from_where(x):
    return np.where(x > 0, 1.0, 0.0)


def leaky_relu_from_relu(x, alpha=0.01):  # built from the earlier function
    return relu(x) - alpha * relu(-x)  # noqa: F821


def leaky_relu_grad_from_relu_grad(x, alpha=0.01):
    g = relu_grad(x)  # noqa: F821
    return g + alpha * (1 - g)


def softmax_slice_by_slice(z, axis=-1):  # its own copy, changed in place, one slice at a time
    out = np.moveaxis(np.array(z, dtype=float), axis, -1)
    for index in np.ndindex(out.shape[:-1]):
        out[index] = np.exp(out[index] - out[index].max())
        out[index] /= out[index].sum()
    return np.moveaxis(out, -1, axis)


WRONG = [
    wrong("naive-sigmoid-reused", lose=SIGMOID, says={SIGMOID[0]: "overflow encountered in exp"},
          sigmoid=sigmoid_textbook, tanh=tanh_from_sigmoid),
    wrong("sigmoid-1d-loop", lose=SIGMOID, says={SIGMOID[0]: "sigmoid of a (2, 1, 3) array raised ValueError",
                                                SIGMOID[1]: "sigmoid of a (7, 11) array raised ValueError"},
          sigmoid=("import math", sigmoid_with_a_loop)),
    wrong("sigmoid-cut-off", lose=SIGMOID[1:], says={SIGMOID[1]: "sigmoid(-33) is about 4.7e-15, not 0"},
          sigmoid=sigmoid_with_a_cut_off),
    wrong("sigmoid-silenced", lose=SIGMOID, says={SIGMOID[0]: "sigmoid silences NumPy's warnings (errstate)"},
          sigmoid=sigmoid_silenced),
    wrong("sigmoid-inplace-clip", lose=SIGMOID, says={SIGMOID[0]: "sigmoid modified its input x"},
          sigmoid=sigmoid_clipping_in_place),
    wrong("sigmoid-torch", lose=SIGMOID, says={SIGMOID[0]: f"{RULE} torch"}, sigmoid=sigmoid_with_torch),
    wrong("sigmoid-grad-of-x", lose=SIGMOID_GRAD, says={SIGMOID_GRAD[0]: "sigma(x) * (1 - sigma(x))"},
          sigmoid_grad=sigmoid_grad_of_x),
    wrong("sigmoid-grad-textbook", lose=SIGMOID_GRAD,
          says={SIGMOID_GRAD[0]: "overflow encountered in exp", SIGMOID_GRAD[1]: "overflow encountered in exp"},
          sigmoid_grad=sigmoid_grad_textbook),
    wrong("sigmoid-grad-cut-off", lose=SIGMOID_GRAD[1:], says={SIGMOID_GRAD[1]: "sigmoid_grad(33) is about 4.7e-15"},
          sigmoid_grad=sigmoid_grad_with_a_cut_off),
    wrong("sigmoid-grad-package", lose=SIGMOID_GRAD, says={SIGMOID_GRAD[0]: f"{RULE} dlbook.checks"},
          sigmoid_grad=sigmoid_grad_from_the_package),
    wrong("tanh-textbook", lose=TANH, says={TANH[0]: "use np.tanh"}, tanh=tanh_textbook),
    wrong("tanh-1d-loop", lose=TANH, says={TANH[0]: "tanh of a (2, 1, 3) array raised TypeError",
                                          TANH[1]: "tanh of a (5, 4, 3) array raised TypeError"},
          tanh=("import math", tanh_with_a_loop)),
    wrong("tanh-cut-off", lose=TANH[1:], says={TANH[1]: "tanh(12) is 1 - 7.6e-11, not 1"}, tanh=tanh_with_a_cut_off),
    wrong("tanh-silenced", lose=TANH, says={TANH[0]: "tanh silences NumPy's warnings (errstate)"},
          tanh=tanh_silenced),
    wrong("tanh-grad-no-square", lose=TANH_GRAD, says={TANH_GRAD[0]: "did you square tanh?"},
          tanh_grad=tanh_grad_no_square),
    wrong("tanh-grad-sech", lose=TANH_GRAD,
          says={TANH_GRAD[0]: "overflow encountered in cosh", TANH_GRAD[1]: "overflow encountered in cosh"},
          tanh_grad=tanh_grad_sech),
    wrong("tanh-grad-cut-off", lose=TANH_GRAD[1:], says={TANH_GRAD[1]: "tanh_grad(12) is about 1.5e-10, not 0"},
          tanh_grad=tanh_grad_sech_with_a_cut_off),
    wrong("relu-np-max-reused", lose=RELU, says={RELU[0]: "np.maximum, not np.max"},
          relu=relu_with_np_max, leaky_relu=leaky_relu_from_relu),
    wrong("relu-int", lose=RELU, says={RELU[0]: "relu(np.array([-2, 3])) returned an array of int",
                                       RELU[1]: "every function must return floats"},
          relu=relu_keeping_integers),
    wrong("relu-alias", lose=RELU[1:], says={RELU[1]: "relu returned the result sharing memory with its input x"},
          relu=relu_returning_its_input),
    wrong("relu-grad-sign", lose=RELU_GRAD, says={RELU_GRAD[0]: "1 where x > 0, 0 elsewhere"},
          relu_grad=relu_grad_sign),
    wrong("relu-grad-at-zero", lose=RELU_GRAD, says={RELU_GRAD[0]: "relu_grad(0) is 0, as in PyTorch",
                                                    RELU_GRAD[1]: "the derivative at exactly 0 is 0"},
          relu_grad=relu_grad_at_zero),
    wrong("relu-grad-tolerance", lose=RELU_GRAD[1:], says={RELU_GRAD[1]: "compare with 0 exactly, no tolerance"},
          relu_grad=relu_grad_with_a_tolerance),
    wrong("leaky-forgets-x", lose=LEAKY, says={LEAKY[0]: "alpha * x elsewhere"}, leaky_relu=leaky_relu_forgets_x),
    wrong("leaky-fixed-alpha", lose=LEAKY, says={LEAKY[0]: "use the alpha argument, not a fixed slope of 0.01",
                                                 LEAKY[1]: "use the alpha argument"},
          leaky_relu=leaky_relu_fixed_alpha),
    wrong("leaky-alias", lose=LEAKY[1:],
          says={LEAKY[1]: "leaky_relu returned the result sharing memory with its input x"},
          leaky_relu=leaky_relu_returning_its_input),
    wrong("leaky-torch", lose=LEAKY, says={LEAKY[0]: f"{RULE} torch"}, leaky_relu=leaky_relu_with_torch),
    wrong("leaky-grad-no-alpha", lose=LEAKY_GRAD, says={LEAKY_GRAD[0]: "1 where x > 0, alpha elsewhere"},
          leaky_relu_grad=leaky_relu_grad_no_alpha),
    wrong("leaky-grad-at-zero", lose=LEAKY_GRAD, says={LEAKY_GRAD[0]: "leaky_relu_grad(0) is alpha, as in PyTorch",
                                                       LEAKY_GRAD[1]: "at exactly 0 too"},
          leaky_relu_grad=leaky_relu_grad_at_zero),
    wrong("leaky-grad-fixed-alpha", lose=LEAKY_GRAD,
          says={LEAKY_GRAD[0]: "use the alpha argument: the slope is alpha for x <= 0, not a fixed 0.01"},
          leaky_relu_grad=leaky_relu_grad_fixed_alpha),
    wrong("leaky-grad-tolerance", lose=LEAKY_GRAD[1:], says={LEAKY_GRAD[1]: "compare with 0 exactly, no tolerance"},
          leaky_relu_grad=leaky_relu_grad_with_a_tolerance),
    wrong("leaky-grad-reference", lose=LEAKY_GRAD, says={LEAKY_GRAD[0]: f"{RULE} dlbook.assignments"},
          leaky_relu_grad=leaky_relu_grad_from_the_reference),
    wrong("naive-softmax", lose=SOFTMAX, says={SOFTMAX[0]: "subtract the max before exp"},
          softmax=softmax_without_max),
    wrong("softmax-whole-array", lose=SOFTMAX, says={SOFTMAX[0]: "normalise along `axis` only"},
          softmax=softmax_whole_array),
    wrong("softmax-global-max", lose=SOFTMAX, says={SOFTMAX[0]: "subtract the maximum of each slice",
                                                    SOFTMAX[1]: "subtract the maximum of each slice"},
          softmax=softmax_global_max),
    wrong("softmax-2d-only", lose=SOFTMAX[1:],
          says={SOFTMAX[1]: "softmax of a (3, 4, 6) array along axis=1 is off"}, softmax=softmax_rows_or_columns),
    wrong("softmax-in-place", lose=SOFTMAX, says={SOFTMAX[0]: "softmax modified its input z"},
          softmax=softmax_in_place),
    wrong("softmax-scipy", lose=SOFTMAX, says={SOFTMAX[0]: f"{RULE} scipy"}, softmax=softmax_with_scipy),
    wrong("tamperer", lose=SOFTMAX, says={SOFTMAX[0]: "replaced by code in this notebook"},
          softmax=body(softmax_with_patched_numpy)),
    wrong("reference-tamperer", lose=SOFTMAX,
          says={SOFTMAX[0]: "dlbook.assignments.activations.softmax replaced by code in this notebook"},
          softmax=body(softmax_with_patched_references)),
]

CORRECT = [
    correct("other-formulas", sigmoid=sigmoid_from_tanh, sigmoid_grad=sigmoid_grad_from_tanh,
            tanh=tanh_from_sigmoid, relu=relu_with_a_loop, leaky_relu=leaky_relu_with_maximum,
            softmax=softmax_with_logsumexp),
    correct("clipped-and-reused", sigmoid=sigmoid_clipped, sigmoid_grad=sigmoid_grad_in_one_line,
            tanh=("import math", tanh_with_math), tanh_grad=tanh_grad_from_sigmoid_grad,
            relu_grad=relu_grad_from_where, leaky_relu=leaky_relu_from_relu,
            leaky_relu_grad=leaky_relu_grad_from_relu_grad, softmax=softmax_slice_by_slice),
]
