"""The rules an assignment states, enforced while a test calls a student's function: the libraries it may use,
that it leaves its inputs alone and returns new arrays, and reference versions of the functions it depends on,
so that one mistake in an earlier function is not charged again in every later one.

    fit = graded(perceptron_fit, dependencies={"perceptron_predict": reference.perceptron_predict})
    w, b = fit(X, y)  # runs the student's perceptron_fit with the reference perceptron_predict

Import it in the assignment's locked imports cell, before any student code runs.
"""

import contextlib
import dis
import functools
import importlib.util
import inspect
import linecache
import os
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy

from dlbook.checks import StudentError, TestFailure, _fail, check_untampered, reference_numpy as np

# What a NumPy-only function may not call: other array libraries and the package's own references.
NOT_NUMPY = ("torch", "scipy", "sklearn", "jax", "tensorflow", "dlbook")
# What a function that may use torch still may not call: the package's references and training helpers.
NOT_REFERENCES = ("dlbook",)
_NUMPY_UFUNCS = {id(v) for v in vars(numpy).values() if isinstance(v, numpy.ufunc)}


@functools.cache
def _package_folders(roots: tuple[str, ...]) -> tuple[str, ...]:
    """The folders holding the source of the packages `roots`, found without importing them."""
    folders = []
    for root in roots:
        spec = importlib.util.find_spec(root)
        for location in (spec.submodule_search_locations or []) if spec else []:
            folders.append(str(Path(location).resolve()) + os.sep)
    return tuple(folders)


def _owner(function) -> str:
    """The module a built-in function or method belongs to ("torch" for torch.sigmoid and Tensor.exp)."""
    module = getattr(function, "__module__", None)
    if isinstance(module, str) and module:
        return module
    owner = getattr(function, "__self__", None)
    owner = owner.__name__ if isinstance(owner, types.ModuleType) else type(owner).__module__
    return owner if isinstance(owner, str) else ""


class _Monitor:
    """A profile function that records calls into forbidden packages, except inside allowed functions."""

    def __init__(self, roots: tuple[str, ...], allowed: set):
        self.roots, self.folders, self.allowed = roots, _package_folders(roots), allowed
        self.used: list[str] = []
        self.inside = None  # the frame of an allowed function (a reference dependency) while it runs

    def __call__(self, frame, event, arg) -> None:
        if self.inside is not None:
            if event == "return" and frame is self.inside:
                self.inside = None
            return
        if event == "call":
            if frame.f_code in self.allowed:
                self.inside = frame
            elif frame.f_code.co_filename.startswith(self.folders):
                self.used.append(f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_name}")
        elif event == "c_call" and _owner(arg).split(".")[0] in self.roots:
            self.used.append(f"{_owner(arg)}.{getattr(arg, '__name__', '?')}")


def _code(function):
    """The code object a Python function (or bound method) runs, else None."""
    return getattr(getattr(function, "__func__", function), "__code__", None)


# Reading an attribute of the tests' NumPy or torch snapshot runs a line of dlbook.checks: not a call into it.
_SNAPSHOT_LOOKUP = _code(type(np).__getattribute__)


def _static_uses(fn: Callable, roots: tuple[str, ...]) -> list[str]:
    """Globals `fn` refers to that come from `roots` other than torch and dlbook (whose calls the monitor sees):
    SciPy's ufuncs run without a trace, so `scipy.special.expit` is caught by name."""
    found, codes = [], [getattr(fn, "__code__", None)]
    while codes:
        code = codes.pop()
        if code is None:
            continue
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        imports = [i.argval for i in dis.get_instructions(code) if i.opname == "IMPORT_NAME"]
        for name in [*code.co_names, *imports]:
            value = fn.__globals__.get(name, name if name in imports else None)
            module = (value if isinstance(value, str) else value.__name__ if isinstance(value, types.ModuleType)
                      else getattr(value, "__module__", None) or "")
            if isinstance(value, numpy.ufunc) and id(value) not in _NUMPY_UFUNCS:
                module = "scipy"
            if module.split(".")[0] in roots and module.split(".")[0] not in ("torch", "dlbook"):
                found.append(f"{module}.{name}" if module != name else name)
    return found


def _arrays(value, path: str) -> Iterator[tuple[str, numpy.ndarray]]:
    """The NumPy arrays inside an argument (lists, tuples and dicts of them too), each with where it sits."""
    if isinstance(value, numpy.ndarray):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _arrays(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{path}[{key!r}]")


@contextlib.contextmanager
def _stand_ins(namespace: dict, dependencies: dict[str, Callable], hidden=()) -> Iterator[None]:
    """For the duration of a call, put `dependencies` into the notebook's namespace and take the `hidden` names
    out of it; then put back what was there."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in [*dependencies, *hidden]}
    for name in hidden:
        namespace.pop(name, None)
    namespace.update(dependencies)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def your_line(error: BaseException, namespace: dict) -> str:
    """Where in the notebook's own code `error` was raised: ", in line 2 of your rnn_step: `...`, where W_hh is
    (5, 5) and h_prev is (3, 5)" (the shapes of the arrays the line names), or ""."""
    entries = [t for t in _tracebacks(error.__traceback__) if t.tb_frame.f_globals is namespace]
    if not entries:
        return ""
    frame, number = entries[-1].tb_frame, entries[-1].tb_lineno
    line = linecache.getline(frame.f_code.co_filename, number).strip()
    if not line:
        return ""
    names = dict.fromkeys(re.findall(r"\b[A-Za-z_]\w*\b", line))
    shapes = [f"{n} is {tuple(frame.f_locals[n].shape)}" for n in names
              if n in frame.f_locals and isinstance(getattr(frame.f_locals[n], "shape", None), tuple)]
    where = f", in line {number - frame.f_code.co_firstlineno + 1} of your {frame.f_code.co_name}: `{line}`"
    if shapes:
        where += f", where {', '.join(shapes[:-1])} and {shapes[-1]}" if len(shapes) > 1 else f", where {shapes[0]}"
    return where


def _tracebacks(tb) -> Iterator:
    while tb is not None:
        yield tb
        tb = tb.tb_next


def graded(fn: Callable, name: str | None = None, *, library: str = "numpy", unchanged: bool = True,
           new: bool = False, dependencies: dict[str, Callable] | None = None, hint: str | None = None,
           _verify: Callable = check_untampered) -> Callable:
    """`fn` as the tests call it: it fails if `fn` calls what `library` ("numpy" or "torch") does not allow,
    modifies an array it was given (`unchanged`) or returns one that shares memory with it (`new`), and an
    error it raises is shown with the student's line (and `hint`); while it runs, the functions it depends on
    are the reference `dependencies`, and the names the test cell defined after wrapping it are out of reach."""
    name = name or getattr(fn, "__name__", "the function")
    namespace = getattr(fn, "__globals__", {})
    known = set(namespace)  # wrap first in a test cell: what the cell defines afterwards stays the test's own
    roots = NOT_NUMPY if library == "numpy" else NOT_REFERENCES
    dependencies = dependencies or {}
    allowed = {_code(d) for d in dependencies.values()} | {_SNAPSHOT_LOOKUP}
    if not callable(fn):
        _fail(f"{name} is not a function: did you run the cell that defines it?", None)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        _verify()  # bound when this module loaded: rebinding check_untampered in a module changes nothing
        used = _static_uses(fn, roots)
        try:
            bound = inspect.signature(fn).bind(*args, **kwargs).arguments
        except (TypeError, ValueError):
            bound = {f"argument {i + 1}": a for i, a in enumerate(args)} | kwargs
        inputs = [(f"{arg}{path}", a) for arg, value in bound.items() for path, a in _arrays(value, "")]
        monitor_allowed = allowed | {_code(a) for a in [*args, *kwargs.values()] if callable(a)}  # the tests' own f
        copies = [a.copy() for _, a in inputs]
        monitor, previous = _Monitor(roots, monitor_allowed), sys.getprofile()
        previous_for_threads = threading.getprofile()
        with _stand_ins(namespace, dependencies, hidden=set(namespace) - known):
            threading.setprofile(monitor)  # threads the function starts are watched too
            sys.setprofile(monitor)
            raised = None
            try:
                result = fn(*args, **kwargs)
            except (NotImplementedError, TestFailure):  # not answered yet; a rule broken in a nested call
                raise
            except Exception as error:  # the student's own mistake: said with their line, below
                raised = error
            finally:
                switched_off = sys.getprofile() is not monitor
                sys.setprofile(previous)
                threading.setprofile(previous_for_threads)
        if raised is not None:
            where = your_line(raised, namespace)
            message = f"{name} raised {type(raised).__name__}: {raised}{where}"
            raise StudentError(f"{message}\nHint: {hint}" if hint else message, raised, where) from None
        if switched_off:
            _fail(f"{name} turned off the checks that watch it (sys.setprofile)", "remove that call")
        used += monitor.used
        if used:
            shown = ", ".join(dict.fromkeys(used[:3]))
            allowed_text = ("NumPy only: torch, SciPy and the dlbook package are there for the tests"
                            if library == "numpy" else "torch and NumPy, but not the dlbook package's references")
            _fail(f"{name} broke a rule of this assignment: it calls {shown}", f"{name} may use {allowed_text}. "
                  "Write the computation yourself.")
        for (where, array), before in zip(inputs, copies):
            if array.shape != before.shape or not np.array_equal(array, before, equal_nan=array.dtype.kind in "fc"):
                _fail(f"{name} modified its input {where}", "the specification says to leave the inputs as "
                      "they are: work on a copy (x = x.copy()) or build new arrays")
        if new:
            for path, out in _arrays(result, "the result"):
                for where, array in inputs:
                    if np.may_share_memory(out, array):
                        _fail(f"{name} returned {path} sharing memory with its input {where}",
                              "return a new array (for example x.copy()), so changing one cannot change the other")
        return result

    return call

