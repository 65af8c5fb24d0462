"""Activation functions: reference versions of the nine functions (computed by torch, so they are no NumPy
answer to copy; derivatives come from autograd), and the check every test cell of the assignment runs.

The references stand in for a student's earlier functions while a later one is graded (`earlier`), so that
a slip in `sigmoid` is not charged again in `sigmoid_grad` or `tanh`, and they give the expected values.
"""

import types
import warnings

import numpy

from dlbook.checks import StudentError, _fail, call_quietly, check_close, read_only, reference_numpy as np, torch_reference
from dlbook.checks import reference_torch as torch

_sigmoid, _tanh, _relu, _softmax = torch.sigmoid, torch.tanh, torch.relu, torch.softmax
_leaky_relu = torch.nn.functional.leaky_relu
_as_tensor, _float64 = torch.as_tensor, torch.float64

# The notebook's functions, in the order it defines them: each may call the ones before it.
ORDER = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad",
         "softmax")
# The precision the notebook states: float64, within a relative error of 1e-12 or an absolute one of 1e-15.
TOLERANCE = {"rtol": 1e-12, "atol": 1e-15}


def _tensor(x):
    return _as_tensor(np.asarray(x, dtype=np.float64), dtype=_float64)


def _slope(fn, x, **kwargs) -> numpy.ndarray:
    """The elementwise derivative of `fn` at x, from torch's autograd."""
    return torch_reference(fn, np.asarray(x, dtype=np.float64), **kwargs)[1][0]


def sigmoid(x) -> numpy.ndarray:
    return _sigmoid(_tensor(x)).numpy()


def sigmoid_grad(x) -> numpy.ndarray:
    return _slope(_sigmoid, x)


def tanh(x) -> numpy.ndarray:
    return _tanh(_tensor(x)).numpy()


def tanh_grad(x) -> numpy.ndarray:
    return _slope(_tanh, x)


def relu(x) -> numpy.ndarray:
    return _relu(_tensor(x)).numpy()


def relu_grad(x) -> numpy.ndarray:
    return _slope(_relu, x)


def leaky_relu(x, alpha=0.01) -> numpy.ndarray:
    return _leaky_relu(_tensor(x), negative_slope=alpha).numpy()


def leaky_relu_grad(x, alpha=0.01) -> numpy.ndarray:
    return _slope(_leaky_relu, x, negative_slope=alpha)


def softmax(z, axis=-1) -> numpy.ndarray:
    return _softmax(_tensor(z), dim=axis).numpy()


def earlier(name: str) -> dict:
    """The references of the functions the notebook defines before `name`: those it may call."""
    return {other: globals()[other] for other in ORDER[:ORDER.index(name)]}


# Ways to hide a warning instead of avoiding its cause, by the names a function would call them by.
_SILENCERS = {"errstate", "seterr", "seterrcall", "catch_warnings", "filterwarnings", "simplefilter",
              "resetwarnings", "suppress_warnings"}


def _silencers(fn) -> list[str]:
    """The warning silencers `fn` (or a helper function of the notebook it calls) refers to, read from its code:
    `np.errstate`, `warnings.catch_warnings`, an alias of them, or their names as strings (getattr)."""
    found, seen, todo = [], set(), [fn]
    silencers = {id(f) for f in (numpy.errstate, numpy.seterr, numpy.seterrcall, warnings.catch_warnings,
                                 warnings.filterwarnings, warnings.simplefilter, warnings.resetwarnings)}
    while todo:
        function = todo.pop()
        code = getattr(function, "__code__", None)
        if code is None or code in seen:
            continue
        seen.add(code)
        namespace, codes = getattr(function, "__globals__", {}), [code]
        while codes:
            code = codes.pop()
            codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
            strings = [c for c in code.co_consts if isinstance(c, str)]
            for name in [*code.co_names, *strings]:
                value = namespace.get(name) if name in code.co_names else None
                if name in _SILENCERS or id(value) in silencers:
                    found.append(name)
                elif (isinstance(value, types.FunctionType) and value.__module__ == function.__module__
                      and name not in ORDER):
                    todo.append(value)  # a helper in the notebook (the graded functions are references then)
    return list(dict.fromkeys(found))


def _call(fn, x, name: str, hint: str | None, **kwargs):
    """fn(x, **kwargs), which must not warn; an error it raises names the case (a stub's NotImplementedError and
    the rules' AssertionError pass through as they are)."""
    try:
        return call_quietly(fn, x, name=name, hint=hint, **kwargs)
    except StudentError as error:  # raised inside the student's function: say which case, and where
        raise error.retold(name, hint) from None
    except (AssertionError, NotImplementedError):
        raise
    except Exception as error:
        _fail(f"{name} raised {type(error).__name__}: {error}", hint)


def check(fn, reference, x, name: str, *, hint: str | None = None, **kwargs) -> None:
    """Run the graded function `fn(x, **kwargs)`: it must not hide warnings (np.errstate and the like), nor
    warn, and must agree with `reference(x, **kwargs)`, computed only after `fn` returned, to TOLERANCE."""
    student = getattr(fn, "__wrapped__", fn)  # what graded(...) wraps
    function = getattr(student, "__name__", "the function")
    silenced = _silencers(student)
    if silenced:
        _fail(f"{function} silences NumPy's warnings ({', '.join(silenced)}): the rules ask you to avoid the "
              "overflow, not to hide it", "compute a form that never overflows and remove the silencing")
    got = _call(fn, x, name, hint, **kwargs)
    check_close(got, reference(x, **kwargs), name, hint=hint, **TOLERANCE)


_CONVERT = "convert the input first, x = np.asarray(x, dtype=float), or use float constants (0.0, 1.0)"


def check_floats(fn, reference, x, name: str, *, hint: str | None = None, **kwargs) -> None:
    """`fn` of an integer array: float values, as the rules say, equal to the reference's; an error or a wrong
    value gives `hint`, by default the advice to convert the integers to floats first."""
    hint = hint or _CONVERT
    got = _call(fn, x, name, hint, **kwargs)
    dtype = None if got is None else np.asarray(got).dtype
    if dtype is not None and dtype.kind != "f":
        _fail(f"{name} returned an array of {dtype}: every function must return floats, for integer input too",
              _CONVERT)
    check_close(got, reference(x, **kwargs), name, hint=hint, **TOLERANCE)


read_only(__name__)  # solution cells cannot swap the references for their own functions
