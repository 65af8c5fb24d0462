"""Assertion helpers for assignment tests: each failure says what went wrong and what to try.

Import this module before any student code runs (an assignment's locked imports cell does): it keeps a
snapshot of NumPy, so a submission that later monkeypatches NumPy (`np.allclose = lambda *a, **k: True`)
changes neither how its answers are compared nor the references that tests compute with `reference_numpy`.
"""

import contextlib
import functools
import signal
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterator

import numpy


def snapshot(module: types.ModuleType):
    """A read-only copy of `module`'s attributes as they are now; fails if notebook code already replaced one."""
    replaced = _replaced(module)
    if replaced:
        raise ImportError(f"{module.__name__} was modified before the checks were loaded: "
                          f"{', '.join(replaced)} replaced. Do not reassign library functions.")
    attributes = dict(vars(module))  # held only by the closure below: nothing outside can reach it by name

    class Snapshot(metaclass=_ReadOnlyType):
        __slots__ = ()

        def __getattribute__(self, name: str):
            # attributes the module loads lazily (numpy.random) come from the module itself
            return attributes[name] if name in attributes else getattr(module, name)

        def __setattr__(self, name: str, value=None) -> None:
            raise AttributeError(f"the reference copy of {module.__name__} is read-only: the tests need it as it is")

        __delattr__ = __setattr__

        def __repr__(self) -> str:
            return f"<read-only snapshot of {module.__name__}>"

    return Snapshot()


class _ReadOnlyType(type):
    """The class of a snapshot: its methods cannot be replaced either."""

    def __setattr__(cls, name: str, value=None) -> None:
        raise AttributeError("reference snapshots are read-only")

    __delattr__ = __setattr__


class _ReadOnlyModule(types.ModuleType):
    """A module whose names cannot be rebound: `dlbook.checks.check_close = ...` raises instead of fooling later
    tests. New names may be added (the import system attaches submodules that way)."""

    def __setattr__(self, name: str, value=None) -> None:
        if name in vars(self) or not (hasattr(self, "__path__") and isinstance(value, types.ModuleType)):
            raise AttributeError(f"{self.__name__} is read-only: the tests need it as it is")
        super().__setattr__(name, value)  # a package's new submodule, attached by the import system

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self.__name__} is read-only: the tests need it as it is")


def _replaced(namespace) -> list[str]:
    """Callables of a module or class that code in a notebook (module `__main__`) put there."""
    return sorted(name for name, value in vars(namespace).items()
                  if callable(value) and getattr(value, "__module__", None) == "__main__")


# Where tests look for tampering: the libraries whose functions they use, by the names students know.
WATCHED = {"builtins": "builtins", "numpy": "np", "torch": "torch", "torch.nn": "nn", "torch.nn.functional": "F",
           "torch.nn.utils": "nn.utils", "torch.autograd": "torch.autograd", "torch.optim": "torch.optim",
           "dlbook.checks": "dlbook.checks", "dlbook.rules": "dlbook.rules", "dlbook.training": "dlbook.training"}
_ORIGINAL: dict[str, dict] = {}  # module name -> its attributes when first seen by check_untampered
# Names the Jupyter kernel itself rebinds while it runs (ipykernel swaps `input` for each cell it executes).
_KERNEL_SWAPS = {"builtins": {"input", "raw_input", "exit", "quit", "help", "display", "get_ipython"}}


def _remember(name: str) -> None:
    """Record the attributes of a watched module the first time it is seen, if notebook code has not touched it."""
    module = sys.modules.get(name)
    if module is not None and name not in _ORIGINAL and not _replaced(module):
        _ORIGINAL[name] = dict(vars(module))


def _torch_wrapper(current, original) -> bool:
    """Whether torch itself wrapped `original` (torch._dynamo, loaded by the first optimizer step, wraps
    torch.manual_seed): a wrapper of torch's own making, not a notebook's."""
    module = getattr(current, "__module__", None) or ""
    return getattr(current, "__wrapped__", None) is original and module.split(".")[0] == "torch"


def _changed(name: str) -> list[str]:
    """Attributes of a watched module that now hold another object than when it was first seen."""
    module, original = sys.modules.get(name), _ORIGINAL.get(name, {})
    if module is None:
        return []
    current = vars(module)
    swapped = [key for key, value in original.items() if (callable(value) or isinstance(value, types.ModuleType))
               and current.get(key) is not value and key not in _KERNEL_SWAPS.get(name, ())
               and not _torch_wrapper(current.get(key), value)]
    return sorted(set(swapped) | set(_replaced(module)))


def _watched() -> dict[str, str]:
    """The watched libraries and every module of this package that is loaded (the references live there)."""
    return WATCHED | {name: name for name in list(sys.modules) if name.startswith("dlbook.")}


def read_only(module_name: str) -> None:
    """Make a loaded module's names impossible to rebind (`module.f = ...` raises), as the checks' own are."""
    sys.modules[module_name].__class__ = _ReadOnlyModule
    _remember(module_name)


def check_untampered() -> None:
    """Fail if code replaced a function of NumPy, torch or this package, a torch.Tensor method or a method of
    a torch.nn layer (nn.LSTMCell.forward): tests compute their references with these."""
    watched = _watched()
    for name in watched:
        _remember(name)
    found = [f"{alias}.{name}" for module, alias in watched.items() for name in _changed(module)]
    if sys.modules.get(__name__) is not _THIS_MODULE:
        found.append("the module dlbook.checks")
    if "torch" in sys.modules:
        found += [f"torch.Tensor.{name}" for name in _replaced(sys.modules["torch"].Tensor)]
    if "torch.nn" in sys.modules:
        layers = [(n, c) for n, c in vars(sys.modules["torch.nn"]).items() if isinstance(c, type)]
        found += [f"nn.{layer}.{name}" for layer, cls in layers for name in _replaced(cls)]
    if found:
        raise TestFailure(f"{', '.join(found)} replaced by code in this notebook. The tests use the "
                             "original libraries: remove those assignments and run the notebook again.")


def _functions(owner) -> dict:
    return {k: v for k, v in vars(owner).items() if callable(v) or isinstance(v, (staticmethod, classmethod))}


def guard(*owners, verify: Callable = check_untampered) -> Callable[[], None]:
    """A check of `owners` (classes and modules a reference runs) as they are now, after `verify`: it fails if
    code replaced, added or removed one of their functions (adding AdamW.step overrides Adam.step)."""
    originals = [types.MappingProxyType(_functions(owner)) for owner in owners]

    def untampered() -> None:
        verify()  # bound now: rebinding check_untampered in this module's dictionary changes nothing
        changed = []
        for owner, original in zip(owners, originals):
            current, where = _functions(owner), f"{getattr(owner, '__module__', '')}.{owner.__name__}".lstrip(".")
            changed += [f"{where}.{k}" for k in sorted(set(original) | set(current))
                        if current.get(k) is not original.get(k)]
        if changed:
            raise TestFailure(f"{', '.join(changed[:3])} replaced by code in this notebook. The tests use the "
                              "original libraries: remove those assignments and run the notebook again.")
    return untampered


def _guarded(check: Callable, verify: Callable = check_untampered) -> Callable:
    """`check`, first verifying that nothing was tampered with. The verification is the one this module was
    loaded with, held by the closure: rebinding `check_untampered` in the module's dictionary changes nothing."""
    @functools.wraps(check)
    def guarded(*args, **kwargs):
        verify()
        return check(*args, **kwargs)

    return guarded


reference_numpy = snapshot(numpy)
np = reference_numpy  # every comparison below uses the snapshot


def _torch_snapshot() -> Callable:
    """A function that returns the read-only snapshot of torch, made (and torch imported) on first use."""
    made = []

    def reference_torch():
        if not made:
            import torch
            check_untampered()
            made.append(snapshot(torch))
        return made[0]

    return reference_torch


_reference_torch = _torch_snapshot()


def __getattr__(name: str):
    """`reference_torch`: torch as it was when the checks first saw it (imported here only when asked for)."""
    if name != "reference_torch":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _reference_torch()


class TestFailure(AssertionError):
    """A test that failed: shown from the test cell's line with its message, without the checks' own frames."""


class StudentError(TestFailure):
    """A graded function raised an error: the message names the function, the error and the student's line."""

    def __init__(self, message: str, original: BaseException, where: str):
        super().__init__(message)
        self.original, self.where = original, where

    def retold(self, what: str, hint: str | None) -> "TestFailure":
        """This error said of the case a check ran: "`what` raised ValueError: ... (your line)", with `hint`."""
        message = f"{what} raised {type(self.original).__name__}: {self.original}{self.where}"
        return TestFailure(f"{message}\nHint: {hint}" if hint else message)


def _fail(message: str, hint: str | None) -> None:
    raise TestFailure(f"{message}\nHint: {hint}" if hint else message)


def expect(condition, message: str, hint: str | None = None) -> None:
    """Fail with `message` (and `hint`) unless `condition` holds: `assert` for tests, shown as a test failure."""
    if not condition:
        _fail(message, hint)


_PACKAGE = __file__.rsplit("/", 1)[0] + "/"  # this package's folder: the grader's code, which students need not see


def _brief(tb):
    """`tb` cut just before it enters this package's code: the student sees the test cell's line, not ours."""
    first = tb
    while tb is not None and tb.tb_next is not None:
        if tb.tb_next.tb_frame.f_code.co_filename.startswith(_PACKAGE):
            tb.tb_next = None
        tb = tb.tb_next
    return first


def _show_test_failures_briefly() -> None:
    """In a Jupyter kernel, show a failed test's traceback without the frames of the checks and the rules."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return

    def brief(shell, etype, value, tb, tb_offset=None):
        shell.showtraceback((etype, value, _brief(tb)), tb_offset=tb_offset)  # IPython shows nothing itself

    shell.set_custom_exc((TestFailure, NotImplementedError), brief)  # the latter: a function not written yet


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


@_guarded
def check_shape(got, shape: tuple, name: str, hint: str | None = None) -> None:
    """Fail unless `got` is an array of exactly `shape`."""
    got = _as_array(got, name, hint)
    if got.shape != tuple(shape):
        _fail(f"{name} has shape {got.shape}, expected {tuple(shape)}", hint)


@_guarded
def check_close(got, expected, name: str, atol: float = 1e-10, rtol: float = 0.0, hint: str | None = None) -> None:
    """Fail unless `got` matches `expected` elementwise within atol + rtol * |expected| (shapes must agree)."""
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
        if expected.ndim == 0:
            _fail(f"{name} is wrong: expected {_show(expected.ravel()[0])}, got {_show(got_array.ravel()[0])}", hint)
        i = int(np.nanargmax(np.where(too_far, np.where(np.isnan(error), np.inf, error), -1.0).ravel()))
        _fail(
            f"{name} is off by up to {np.nanmax(error):.3g}; the largest error is at index {_index(i, expected.shape)}: "
            f"expected {_show(expected.ravel()[i])}, got {_show(got_array.ravel()[i])}",
            hint,
        )


@_guarded
def check_equal(got, expected, name: str, hint: str | None = None) -> None:
    """Fail unless `got` equals `expected` exactly, element for element (for labels and counts)."""
    expected = np.asarray(expected)
    got_array = _as_array(got, name, hint)
    check_shape(got_array, expected.shape, name, hint)
    differ = got_array != expected
    if np.any(differ):
        i = int(np.flatnonzero(differ)[0])
        where = "" if expected.ndim == 0 else f" at index {_index(i, expected.shape)}"
        _fail(f"{name} is wrong{where}: expected {_show(expected.ravel()[i])}, got {_show(got_array.ravel()[i])}", hint)


def matches(got, value, atol: float = 1e-8, rtol: float = 1e-8) -> bool:
    """Whether `got` is an array of `value`'s shape holding the same numbers, within atol + rtol * |value|.
    The defaults suit float64 results, which agree with PyTorch's to about 1e-13."""
    try:
        got, value = np.asarray(got, dtype=np.float64), np.asarray(value, dtype=np.float64)
        with np.errstate(all="ignore"):
            return got.shape == value.shape and bool(np.allclose(got, value, atol=atol, rtol=rtol))
    except (TypeError, ValueError):
        return False


def check_named(got, expected, name: str, hint: str | None = None, mistakes=(), atol: float = 1e-8,
                rtol: float = 1e-8) -> None:
    """check_close of `got` against `expected`; where `got` is what a known mistake returns, the hint names that
    mistake. `mistakes`: (value, hint) pairs, or a function that returns them (called only when `got` is wrong)."""
    if not matches(got, expected, atol, rtol):
        known = mistakes() if callable(mistakes) else mistakes
        hint = next((said for value, said in known if matches(got, value, atol, rtol)), hint)
    check_close(got, expected, name, atol=atol, rtol=rtol, hint=hint)


def unpack(got, names: tuple[str, ...], function: str) -> tuple:
    """The parts of a result the specification writes as a tuple: a tuple or a list of that length unpacks (an
    array does not: returning only `out`, of two rows, must not pass as `(out, mask)`)."""
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        shown = "None (did you forget a `return`?)" if got is None else type(got).__name__
        _fail(f"{function} must return ({', '.join(names)}), {len(names)} values; it returned {shown}",
              f"end with `return {', '.join(names)}`")
    return tuple(got)


def visible_tests_passed(function: str, checked: float, points: float) -> None:
    """Say that a function's visible tests passed, and how many of its points they check."""
    if checked >= points:
        print(f"Visible tests passed: they check all {points:g} points of {function}.")
    else:
        print(f"Visible tests passed: they check {checked:g} of the {points:g} points of {function}; hidden tests "
              "check the rest when your work is graded.")


@contextlib.contextmanager
def time_limit(seconds: float, what: str, hint: str | None = None) -> Iterator[None]:
    """Fail if the block uses more than `seconds` of CPU time (this process, all threads).

    CPU time, not wall time: a busy machine slows a student's code down but does not make it use more CPU,
    so a grade does not depend on what else the grading machine is doing. (Where SIGPROF is missing or this
    is not the main thread, the block runs without a limit.)"""
    usable = hasattr(signal, "SIGPROF") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_limit(signum, frame):
        _fail(f"{what} did not finish within {seconds:g} s of CPU time", hint)

    outer = signal.getitimer(signal.ITIMER_PROF)[0]  # the grader's limit on the whole cell, if any
    if outer and outer <= seconds:  # the cell's own limit comes first and fails the cell
        yield
        return
    previous = signal.signal(signal.SIGPROF, on_limit)
    start = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer:  # the cell's limit goes on counting
            signal.setitimer(signal.ITIMER_PROF, max(1e-6, outer - (time.process_time() - start)))
    if time.process_time() - start > seconds + 0.5:  # the timer was switched off from inside the block
        _fail(f"{what} did not finish within {seconds:g} s of CPU time", hint)


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
    torch = __getattr__("reference_torch")  # imported here so that checks that need no torch stay fast to import

    arrays = [np.asarray(a) for a in arrays]
    # integer arrays (class labels) become int64 tensors and get no gradient
    tensors = [torch.tensor(a, dtype=torch.int64) if a.dtype.kind in "iub"
               else torch.tensor(a.astype(np.float64), requires_grad=True) for a in arrays]
    value = fn(*tensors, **kwargs)
    differentiable = [t for t in tensors if t.requires_grad]
    grads = iter(torch.autograd.grad(value.sum(), differentiable, allow_unused=True))
    grads = [next(grads) if t.requires_grad else None for t in tensors]
    return value.detach().numpy(), [None if g is None else g.numpy() for g in grads]


_show_test_failures_briefly()
_THIS_MODULE = sys.modules[__name__]
for _name in _watched():  # the libraries as they are now, before any solution cell runs
    _remember(_name)
read_only(__name__)  # from here on, nothing can rebind this module's names
read_only("dlbook")  # nor replace it in the package (dlbook.checks = fake)
