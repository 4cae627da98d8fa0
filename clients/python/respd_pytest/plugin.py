"""The pytest side: options and fixtures.

One respd per test session (per worker under pytest-xdist), a leased database per test, and the
clock, faults and journal, each put back when the test ends.
"""

import os
import shlex

import pytest

from .controls import Clock, Faults, Journal, Lease
from .server import RespdServer


def pytest_addoption(parser):
    group = parser.getgroup("respd")
    group.addoption("--respd-bin", default=None,
                    help="the respd binary (default: $RESPD_BIN, else respd on PATH)")
    group.addoption("--respd-args", default=None,
                    help='more respd options, e.g. "--threads 2 --databases 1000" '
                         "(default: $RESPD_ARGS)")
    group.addoption("--respd-url", default=None,
                    help="use the respd running at redis://host:port instead of starting one "
                         "(default: $RESPD_URL)")


@pytest.fixture(scope="session")
def respd_server(request):
    """The session's respd: started on a free port of 127.0.0.1 and stopped (by pid) at the end."""
    config = request.config
    url = config.getoption("respd_url") or os.environ.get("RESPD_URL")
    if url:
        server = RespdServer.attach(url)
    else:
        args = config.getoption("respd_args") or os.environ.get("RESPD_ARGS") or ""
        server = RespdServer.start(config.getoption("respd_bin"), shlex.split(args))
    yield server
    server.stop()


@pytest.fixture
def respd_lease(respd_server):
    """A database leased for this test (RESPD DB LEASE), released after it."""
    lease = Lease(respd_server)
    yield lease
    lease.release()


@pytest.fixture
def respd(respd_lease):
    """A redis-py client on this test's leased database."""
    client = respd_lease.client()
    yield client
    client.close()


@pytest.fixture
def clock(respd_server):
    """The server clock; back to the wall clock after the test."""
    clock = Clock(respd_server.control)
    yield clock
    clock.real()


@pytest.fixture
def faults(respd_server):
    """Fault rules; those added in the test and the modes it set are gone after it."""
    faults = Faults(respd_server.control)
    yield faults
    faults.close()


@pytest.fixture
def journal(respd_server):
    """The command journal, emptied and on for this test, off after it."""
    journal = Journal(respd_server.control, respd_server)
    journal.reset()
    journal.on()
    yield journal
    journal.off()
