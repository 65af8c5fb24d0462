"""Numbers measured while a chapter runs, handed to its text, so that the prose and the run cannot disagree.

    dlbook.glue("lenet_accuracy", 100 * accuracy)   # in a code cell
    {glue:text}`lenet_accuracy:.1f` %                # in the Markdown, when the book is built
"""

import numbers


def glue(name: str, value) -> None:
    """Hand `value` to the chapter's text as `{glue:text}` name in the built book, showing nothing in the cell.
    NumPy numbers become Python ones, which myst-nb can format; outside a book build (Colab) it does nothing."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
    elif isinstance(value, numbers.Real):
        value = float(value)
    try:
        from myst_nb import glue as myst_glue
    except ModuleNotFoundError:
        return
    myst_glue(name, value, display=False)
