"""Assertion helpers for assignment tests: each failure says what went wrong and what to try.

Import this module before any student code runs (an assignment's locked imports cell does): it keeps a
snapshot of NumPy, so a submission that later monkeypatches NumPy (`np.allclose = lambda *a, **k: True`)
changes neither how its answers are compared nor the references that tests compute with `reference_numpy`.
"""

import contextlib
import signal
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator

import numpy


def snapshot(module: types.ModuleType) -> "_Snapshot":
    """A copy of `module`'s attributes as they are now; fails if notebook code already replaced one."""
    replaced = _replaced(module)
    if replaced:
        raise ImportError(f"{module.__name__} was modified before the checks were loaded: "
                          f"{', '.join(replaced)} replaced. Do not reassign library functions.")
    return _Snapshot(module, vars(module))


class _Snapshot(types.SimpleNamespace):
    """Attributes copied from a module; ones it loads lazily (numpy.random) come from the module itself."""

    def __init__(self, module: types.ModuleType, attributes: dict):
        super().__init__(**attributes)
        object.__setattr__(self, "_module", module)

    def __getattr__(self, name: str):
        return getattr(object.__getattribute__(self, "_module"), name)


def _replaced(namespace) -> list[str]:
    """Callables of a module or class that code in a notebook (module `__main__`) put there."""
    return sorted(name for name, value in vars(namespace).items()
                  if callable(value) and getattr(value, "__module__", None) == "__main__")


# Where tests look for tampering: the libraries whose functions they use, by the names students know.
WATCHED = {"builtins": "builtins", "numpy": "np", "torch": "torch", "torch.nn": "nn", "torch.nn.functional": "F",
           "torch.nn.utils": "nn.utils", "torch.autograd": "torch.autograd", "torch.optim": "torch.optim",
           "dlbook.checks": "dlbook.checks", "dlbook.training": "dlbook.training"}


def check_untampered() -> None:
    """Fail if notebook code replaced a function of NumPy or torch, a torch.Tensor method or a method of
    a torch.nn layer (nn.LSTMCell.forward): tests compute their references with these."""
    found = [f"{alias}.{name}" for module, alias in WATCHED.items() if module in sys.modules
             for name in _replaced(sys.modules[module])]
    if "torch" in sys.modules:
        found += [f"torch.Tensor.{name}" for name in _replaced(sys.modules["torch"].Tensor)]
    if "torch.nn" in sys.modules:
        layers = [(n, c) for n, c in vars(sys.modules["torch.nn"]).items() if isinstance(c, type)]
        found += [f"nn.{layer}.{name}" for layer, cls in layers for name in _replaced(cls)]
    if found:
        raise AssertionError(f"{', '.join(found)} replaced by code in this notebook. The tests use the "
                             "original libraries: remove those assignments and run the notebook again.")


reference_numpy = snapshot(numpy)
np = reference_numpy  # every comparison below uses the snapshot


def _fail(message: str, hint: str | None) -> None:
    raise AssertionError(f"{message}\nHint: {hint}" if hint else message)


def _as_array(got, name: str, hint: str | None) -> np.ndarray:
    if got is None:
        _fail(f"{name} returned None: did you forget a `return` statement?", hint)
    try:
        return np.asarray(got)
    except Exception as error:  # ragged lists and other objects that are not arrays
        _fail(f"{name} returned {type(got).__name__}, which is not an array: {error}", hint)


def _show(value) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _index(flat_index: int, shape: tuple) -> tuple | int:
    return tuple(int(i) for i in np.unravel_index(flat_index, shape)) if len(shape) > 1 else flat_index


def check_shape(got, shape: tuple, name: str, hint: str | None = None) -> None:
    """Fail unless `got` is an array of exactly `shape`."""
    check_untampered()
    got = _as_array(got, name, hint)
    if got.shape != tuple(shape):
        _fail(f"{name} has shape {got.shape}, expected {tuple(shape)}", hint)


def check_close(got, expected, name: str, atol: float = 1e-10, rtol: float = 0.0, hint: str | None = None) -> None:
    """Fail unless `got` matches `expected` elementwise within atol + rtol * |expected| (shapes must agree)."""
    check_untampered()
    expected = np.asarray(expected, dtype=np.float64)
    got_array = _as_array(got, name, hint)
    check_shape(got_array, expected.shape, name, hint)
    try:
        got_array = got_array.astype(np.float64)
    except (TypeError, ValueError):
        _fail(f"{name} returned values of type {got_array.dtype}, expected numbers", hint)
    bad = ~np.isfinite(got_array) & np.isfinite(expected)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = got_array.ravel()[i]
        where = _index(i, expected.shape)
        _fail(f"{name} returned {value} at index {where} where {_show(expected.ravel()[i])} was expected", hint)
    with np.errstate(all="ignore"):  # a warning printed in a test cell would cost the student the cell
        error = np.abs(got_array - expected)
        error = np.where(np.isnan(expected) & np.isnan(got_array), 0.0, error)
        error = np.where(np.isinf(expected) & (got_array == expected), 0.0, error)
        too_far = ~(error <= atol + rtol * np.abs(np.where(np.isfinite(expected), expected, 0.0)))
    if too_far.any():
        i = int(np.flatnonzero(too_far)[0])
        _fail(
            f"{name} is off by up to {np.nanmax(error):.3g}; first at index {_index(i, expected.shape)}: "
            f"expected {_show(expected.ravel()[i])}, got {_show(got_array.ravel()[i])}",
            hint,
        )


def check_equal(got, expected, name: str, hint: str | None = None) -> None:
    """Fail unless `got` equals `expected` exactly, element for element (for labels and counts)."""
    check_untampered()
    expected = np.asarray(expected)
    got_array = _as_array(got, name, hint)
    check_shape(got_array, expected.shape, name, hint)
    differ = got_array != expected
    if np.any(differ):
        i = int(np.flatnonzero(differ)[0])
        where = "" if expected.ndim == 0 else f" at index {_index(i, expected.shape)}"
        _fail(f"{name} is wrong{where}: expected {_show(expected.ravel()[i])}, got {_show(got_array.ravel()[i])}", hint)


@contextlib.contextmanager
def time_limit(seconds: int, what: str, hint: str | None = None) -> Iterator[None]:
    """Fail if the block runs longer than `seconds` (where SIGALRM exists and this is the main thread)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        _fail(f"{what} did not finish within {seconds} s", hint)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def call_quietly(fn: Callable, *args, name: str, hint: str | None = None, **kwargs):
    """Return fn(*args, **kwargs); fail if it warns (overflow, invalid value, division by zero)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn"):
            result = fn(*args, **kwargs)
    if caught:
        _fail(f"{name} warned: {caught[0].message}", hint)
    return result


def torch_reference(fn: Callable, *arrays, **kwargs) -> tuple[np.ndarray, list]:
    """fn applied by torch to float64 copies of `arrays` (integer arrays stay integers): its value, and
    the autograd gradient of the value's sum with respect to each float array (else None), as NumPy."""
    import torch  # imported here so that checks that need no torch stay fast to import

    arrays = [np.asarray(a) for a in arrays]
    # integer arrays (class labels) become int64 tensors and get no gradient
    tensors = [torch.tensor(a, dtype=torch.int64) if a.dtype.kind in "iub"
               else torch.tensor(a.astype(np.float64), requires_grad=True) for a in arrays]
    value = fn(*tensors, **kwargs)
    differentiable = [t for t in tensors if t.requires_grad]
    grads = iter(torch.autograd.grad(value.sum(), differentiable, allow_unused=True))
    grads = [next(grads) if t.requires_grad else None for t in tensors]
    return value.detach().numpy(), [None if g is None else g.numpy() for g in grads]
