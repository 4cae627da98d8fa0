"""pytest plugin for respd, a Redis 7.0-compatible server with test controls.

Load it with ``-p respd_pytest`` (or install the package: it registers itself). The fixtures are
documented in clients/python/README.md; the classes below work without pytest too.
"""

from .controls import Clock, Fault, Faults, Journal, JournalEntry, JournalTimeout, Lease
from .server import RespdError, RespdServer
from .plugin import (
    clock,
    faults,
    journal,
    pytest_addoption,
    respd,
    respd_lease,
    respd_server,
)

__all__ = [
    "Clock",
    "Fault",
    "Faults",
    "Journal",
    "JournalEntry",
    "JournalTimeout",
    "Lease",
    "RespdError",
    "RespdServer",
    "clock",
    "faults",
    "journal",
    "pytest_addoption",
    "respd",
    "respd_lease",
    "respd_server",
]
