"""Companion package of the deep learning textbook.

Chapters import what supports the lesson from here; the lesson itself stays in the chapter.
Names load on first use, so `import dlbook.checks` in an assignment does not pay for importing torch.
"""

import importlib

_MODULES = ("checks", "data", "plotting", "prose", "runtime", "training")
_EXPORTS = {
    "device": "runtime",
    "seed_everything": "runtime",
    "load_digits_split": "data",
    "make_moons_data": "data",
    "make_ring_data": "data",
    "truth_table": "data",
    "load_text": "data",
    "char_split": "data",
    "text_windows": "data",
    "accuracy": "training",
    "evaluate": "training",
    "fit": "training",
    "glue": "prose",
    "optimizer_trajectory": "training",
    "plot_decision_boundary": "plotting",
    "plot_history": "plotting",
    "use_style": "plotting",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"dlbook.{name}")
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"dlbook.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'dlbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*_MODULES, *_EXPORTS, *globals()])
