"""Include each script once per page.

sphinx-thebe adds its inline configuration (`const THEBE_JS_URL = ...`) once per read phase, and a cached
Jupyter Book build has two (the second with file name '' instead of None): the copy is a JavaScript error
on every page ("Identifier 'THEBE_JS_URL' has already been declared").
"""


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
