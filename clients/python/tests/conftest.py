import os

import pytest

import respd_pytest

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(respd_pytest.__file__)))


@pytest.fixture
def pytester(pytester, monkeypatch):
    """pytester whose inner runs find this package even when it is not installed."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", PACKAGE_PARENT + (os.pathsep + path if path else ""))
    return pytester
