"""The README's examples, as they are written there (imports gathered here)."""

import threading

import pytest
import redis


def test_a_session_expires_after_30_minutes(respd, clock):
    clock.freeze()
    respd.set("session:42", "alice", ex=1800)

    clock.advance(1799)
    assert respd.ttl("session:42") == 1

    clock.advance(1)
    assert respd.get("session:42") is None


def get_with_retries(client, key, attempts=3):   # the code under test
    for attempt in range(attempts):
        try:
            return client.get(key)
        except redis.BusyLoadingError:
            if attempt == attempts - 1:
                raise


def test_get_survives_one_loading_error(respd, faults):
    respd.set("k", "v")
    fault = faults.add(command="get", error="LOADING Redis is loading the dataset in memory", times=1)
    assert get_with_retries(respd, "k") == b"v"
    assert fault.info() is None          # it fired once, then went away


def test_a_dropped_connection_is_reported(respd, faults):
    faults.add(command="set", close="before", times=1)
    with pytest.raises(redis.ConnectionError):
        respd.set("k", "v")


def test_the_worker_acknowledges_three_jobs(respd, respd_lease, journal):
    def worker():                        # stands for a background thread of the code under test
        client = respd_lease.client()
        for job in range(3):
            client.rpush("acks", job)
        client.close()

    thread = threading.Thread(target=worker)
    thread.start()
    journal.wait(command="rpush", key="acks", min=3, timeout=10)
    thread.join()
    assert respd.lrange("acks", 0, -1) == [b"0", b"1", b"2"]
    assert journal.commands(command="rpush")[0].argv == ["RPUSH", "acks", "0"]
