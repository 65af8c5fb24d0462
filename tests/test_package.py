"""Does every public name resolve, and do the checks import without torch?"""

import subprocess
import sys

import dlbook


def test_every_export_resolves_to_its_module_attribute():
    for name, module in dlbook._EXPORTS.items():
        assert getattr(dlbook, name) is getattr(getattr(dlbook, module), name)
    assert set(dlbook.__all__) <= set(dir(dlbook))


def test_checks_import_without_torch():
    code = "import sys, dlbook.checks; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_names_raise_attribute_error():
    try:
        dlbook.no_such_name
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("dlbook.no_such_name did not raise")
