"""clock: TTLs, blocking timeouts and TIME follow RESPD TIME."""

import datetime
import threading

import pytest

NEW_YEAR_2030 = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


def test_a_ttl_runs_out_when_the_clock_advances(respd, clock):
    clock.freeze()
    respd.set("session:42", "alice", ex=1800)
    clock.advance(1799)
    assert respd.ttl("session:42") == 1
    clock.advance(1)
    assert respd.get("session:42") is None


def test_freeze_at_an_instant_and_advance(respd, clock):
    assert clock.freeze(NEW_YEAR_2030) == NEW_YEAR_2030.timestamp()
    assert clock.mode == "frozen"
    assert respd.time() == (int(NEW_YEAR_2030.timestamp()), 0)
    assert clock.advance(1.5) == NEW_YEAR_2030.timestamp() + 1.5
    assert clock.now() == NEW_YEAR_2030.timestamp() + 1.5


def test_freeze_takes_naive_datetimes_as_utc_and_unix_seconds(clock):
    assert clock.freeze(datetime.datetime(2030, 1, 1)) == NEW_YEAR_2030.timestamp()
    assert clock.freeze(1893456000.25) == 1893456000.25


def test_set_goes_back_and_stays_frozen(respd, clock):
    clock.freeze(NEW_YEAR_2030)
    respd.set("k", "v", exat=int(NEW_YEAR_2030.timestamp()) + 60)
    clock.set(NEW_YEAR_2030 - datetime.timedelta(hours=1))
    assert clock.mode == "frozen"
    assert respd.ttl("k") == 3660


def test_resume_flows_from_the_frozen_instant_and_real_goes_back(clock):
    clock.freeze(NEW_YEAR_2030)
    clock.resume()
    assert clock.mode == "flowing"
    assert clock.now() >= NEW_YEAR_2030.timestamp()
    clock.real()
    assert clock.mode == "real"
    assert clock.now() < NEW_YEAR_2030.timestamp()


def test_advance_refuses_going_back(clock):
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_a_blocking_pop_times_out_when_the_clock_passes_its_timeout(respd, respd_lease, clock):
    clock.freeze()
    result = []
    waiter = respd_lease.client()
    worker = threading.Thread(target=lambda: result.append(waiter.blpop("jobs", timeout=5)))
    worker.start()
    # Advance only once BLPOP is blocked, or it would start after the jump.
    for _ in range(500):
        if respd.info("clients")["blocked_clients"] == 1:
            break
        threading.Event().wait(0.01)
    clock.advance(5)
    worker.join(10)
    waiter.close()
    assert not worker.is_alive()
    assert result == [None]


def test_the_fixture_gives_the_wall_clock_back(pytester):
    pytester.makepyfile(
        """
        def test_freeze(clock):
            clock.freeze(1893456000)

        def test_after(respd_server):
            from respd_pytest import Clock
            assert Clock(respd_server.control).mode == "real"
        """
    )
    pytester.runpytest_subprocess("-p", "respd_pytest").assert_outcomes(passed=2)
