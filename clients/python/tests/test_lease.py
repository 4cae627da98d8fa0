"""respd and respd_lease: a database of the test's own, given back after it."""

import pytest
import redis

from respd_pytest import Lease, RespdError


def test_the_client_is_on_the_leased_database(respd, respd_lease):
    assert respd.connection_pool.connection_kwargs["db"] == respd_lease.db
    respd.set("k", "v")
    assert respd.client_info()["db"] == respd_lease.db
    assert respd_lease.url.endswith(f"/{respd_lease.db}")


def test_leases_are_distinct_and_released(respd_server, respd_lease):
    second = Lease(respd_server)
    try:
        assert second.db != respd_lease.db
    finally:
        second.release()
    second.release()  # a second release does nothing


def test_each_test_starts_on_an_empty_database(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_write(respd, n):
            assert respd.dbsize() == 0
            respd.set("left-behind", n)
        """
    )
    pytester.runpytest_subprocess("-p", "respd_pytest").assert_outcomes(passed=3)


class _NoLeases:
    """A server whose respd predates RESPD DB LEASE."""

    def client(self, **kwargs):
        return self

    def execute_command(self, *args):
        raise redis.ResponseError("unknown subcommand 'DB'. Try RESPD HELP.")

    def close(self):
        pass


def test_a_respd_without_leases_fails_loudly():
    with pytest.raises(RespdError, match="cannot lease databases"):
        Lease(_NoLeases())
