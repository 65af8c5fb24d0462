"""Search without errors when the book is opened from a folder (file://), not only from a server.

Sphinx's search page fetches every result page to show a summary; browsers refuse fetch() on file:// URLs
and log an error per result. Opened from a folder, results are listed without summaries instead.
"""

NO_SUMMARIES_FROM_FILES = (
    'if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") '
    "DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;"
)


def setup(app):
    app.add_js_file(None, body=NO_SUMMARIES_FROM_FILES)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
