"""journal: what clients sent, filtered, counted and waited for."""

import threading

import pytest
import redis

from respd_pytest import JournalTimeout


def test_commands_with_filters(respd, respd_lease, journal):
    respd.set("user:1", "a")
    respd.get("user:1")
    respd.set("order:1", "b")
    sets = journal.commands(command="set")
    assert [e.argv for e in sets] == [["SET", "user:1", "a"], ["SET", "order:1", "b"]]
    assert [e.argv for e in journal.commands(key="user:*")] == [["SET", "user:1", "a"],
                                                                ["GET", "user:1"]]
    first = sets[0]
    assert (first.command, first.db, first.reply, first.error) == ("set", respd_lease.db, "ok", "")
    assert [e.command for e in journal.commands(since=first.seq, count=1)] == ["get"]
    assert journal.count(command=["get", "set"]) == 3


def test_errors_clients_libraries_and_databases(respd, respd_lease, respd_server, journal):
    respd.client_setname("api")
    respd.execute_command("CLIENT", "SETINFO", "LIB-NAME", "shop")
    respd.set("user:1", "x")
    with pytest.raises(redis.ResponseError):
        respd.incr("user:1")
    other = respd_server.client(db=0, client_name="cron")
    try:
        other.get("user:1")
    finally:
        other.close()
    failed = journal.commands(command="incrby")[0]  # what redis-py's incr() sends
    assert (failed.reply, failed.error) == ("error", "ERR value is not an integer or out of range")
    assert (failed.client_name, failed.lib_name) == ("api", "shop")
    # redis-py names a connection as it opens it: that is recorded too.
    assert [e.argv for e in journal.commands(client="cr*")] == [["CLIENT", "SETNAME", "cron"],
                                                                ["GET", "user:1"]]
    assert journal.count(lib="shop") == 3  # SETINFO itself (recorded after it ran), SET, INCRBY
    assert [e.client_name for e in journal.commands(command="get", db=respd_lease.db)] == []
    assert [e.client_name for e in journal.commands(command="get", db=0)] == ["cron"]


def test_wait_for_a_background_worker(respd, respd_lease, journal):
    def worker():
        client = respd_lease.client()
        for n in range(3):
            client.rpush("done", n)
        client.close()

    thread = threading.Thread(target=worker)
    thread.start()
    assert journal.wait(command="rpush", min=3, timeout=10) == 3
    thread.join(10)
    assert respd.llen("done") == 3


def test_wait_times_out_loudly(journal):
    with pytest.raises(JournalTimeout, match="0 matching"):
        journal.wait(command="xadd", timeout=0.05)
    with pytest.raises(ValueError):
        journal.wait(command="xadd", timeout=0)


def test_the_fixture_starts_empty_and_turns_it_off(pytester):
    pytester.makepyfile(
        """
        def test_record(respd_server, journal):
            respd_server.control.set("k", "v")
            assert journal.count() == 1

        def test_again(respd_server, journal):
            assert journal.count() == 0

        def test_off(respd_server):
            from respd_pytest import Journal
            respd_server.control.set("k", "v")
            assert Journal(respd_server.control, respd_server).count() == 0
        """
    )
    pytester.runpytest_subprocess("-p", "respd_pytest").assert_outcomes(passed=3)
