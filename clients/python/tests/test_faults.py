"""faults: error, delay, close and no-reply rules, their matchers, and the server-wide modes."""

import pytest
import redis

LOADING = "LOADING Redis is loading the dataset in memory"


def get_with_retries(client, key, attempts=3):
    """The code under test: retries a GET that fails while the server loads."""
    for attempt in range(attempts):
        try:
            return client.get(key)
        except redis.BusyLoadingError:
            if attempt == attempts - 1:
                raise


def test_an_error_once_exercises_the_retry_path(respd, faults):
    respd.set("k", "v")
    fault = faults.add(command="get", error=LOADING, times=1)
    assert get_with_retries(respd, "k") == b"v"
    assert fault.info() is None  # fired once, then removed by TIMES
    assert fault.remove() is False


def test_after_skips_matches_and_the_counters_show_it(respd, faults):
    fault = faults.add(command="incrby", after=2, error="ERR injected")  # redis-py's incr()
    assert respd.incr("n") == 1
    assert respd.incr("n") == 2
    with pytest.raises(redis.ResponseError, match="^injected$"):
        respd.incr("n")
    info = fault.info()
    assert (info["matched"], info["fired"], info["after"]) == (3, 1, 2)
    assert fault.fired == 1
    assert fault.remove() is True
    assert respd.incr("n") == 3


def test_key_client_and_db_matchers(respd, respd_lease, respd_server, faults):
    faults.add(key="cache:*", client="worker-*", db=respd_lease.db, error="TRYAGAIN injected")
    respd.set("cache:1", "x")  # no name yet: not matched
    respd.client_setname("worker-1")
    respd.set("other", "x")  # another key: not matched
    with pytest.raises(redis.ResponseError, match="TRYAGAIN"):
        respd.get("cache:1")
    elsewhere = respd_server.client(db=0, client_name="worker-2")
    try:
        assert elsewhere.get("cache:1") is None  # another database: not matched
    finally:
        elsewhere.close()


def test_several_commands_and_probability(respd, faults):
    faults.add(command=["get", "set"], probability=0, error="ERR never")
    always = faults.add(command=["get", "set"], probability=1, error="ERR always", times=2)
    for call in (lambda: respd.set("k", "v"), lambda: respd.get("k")):
        with pytest.raises(redis.ResponseError, match="always"):
            call()
    assert always.info() is None
    assert respd.set("k", "v") is True


def test_delay_still_answers(respd, faults):
    fault = faults.add(command="ping", delay=0.05)
    assert respd.ping() is True
    assert fault.fired == 1


def test_close_before_and_after(respd, faults):
    faults.add(command="set", close="before", times=1)
    with pytest.raises(redis.ConnectionError):
        respd.set("k", "before")
    assert respd.get("k") is None  # closed before it ran; redis-py reconnects
    faults.add(command="set", close="after", times=1)
    with pytest.raises(redis.ConnectionError):
        respd.set("k", "after")
    assert respd.get("k") == b"after"


def test_no_reply_makes_the_client_time_out(respd_lease, faults):
    client = respd_lease.client(socket_timeout=0.2)
    try:
        faults.add(command="get", noreply=True, times=1)
        with pytest.raises(redis.TimeoutError):
            client.get("k")
    finally:
        client.close()


def test_one_action_exactly(faults):
    with pytest.raises(ValueError):
        faults.add(command="get")
    with pytest.raises(ValueError):
        faults.add(error="ERR x", delay=1)
    with pytest.raises(ValueError):
        faults.add(close="during")


def test_loading_and_readonly_modes(respd, faults):
    faults.loading()
    with pytest.raises(redis.BusyLoadingError):
        respd.get("k")
    faults.loading(False)
    faults.readonly()
    with pytest.raises(redis.ReadOnlyError):
        respd.set("k", "v")
    assert respd.get("k") is None
    faults.add(command="get", error="ERR x")
    faults.clear()  # every rule, and the modes
    assert faults.list() == []
    assert respd.set("k", "v") is True


def test_the_fixture_removes_its_rules_and_modes(pytester):
    pytester.makepyfile(
        """
        def test_add(faults):
            faults.add(command="get", error="ERR left behind")
            faults.readonly()

        def test_after(respd_server):
            control = respd_server.control
            assert control.execute_command("RESPD", "FAULT", "LIST") == []
            assert control.set("k", "v")
        """
    )
    pytester.runpytest_subprocess("-p", "respd_pytest").assert_outcomes(passed=2)
