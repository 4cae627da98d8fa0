"""The session server and starting/stopping respd by hand."""

import stat

import pytest
import redis

from respd_pytest import RespdError, RespdServer
from respd_pytest.server import find_binary


def test_session_server_listens_on_loopback(respd_server):
    assert respd_server.host == "127.0.0.1"
    assert respd_server.port > 0
    assert respd_server.control.ping()
    assert respd_server.url(3) == f"redis://127.0.0.1:{respd_server.port}/3"


def test_start_and_stop_a_second_server(respd_server):
    server = RespdServer.start(args=["--databases", "4"])
    try:
        assert server.port != respd_server.port
        assert server.control.config_get("databases") == {"databases": "4"}
        process = server.process
    finally:
        server.stop()
    assert process.returncode is not None
    with pytest.raises(redis.ConnectionError):
        redis.Redis(port=server.port, socket_connect_timeout=2).ping()


def test_attach_uses_a_running_server_and_leaves_it_running(respd_server):
    attached = RespdServer.attach(respd_server.url())
    attached.stop()
    assert attached.pid is None
    assert respd_server.control.ping()


def test_a_bad_option_is_reported_with_the_servers_words():
    with pytest.raises(RespdError, match="before listening"):
        RespdServer.start(args=["--no-such-option", "1"])


def test_a_missing_binary_is_reported(tmp_path):
    not_executable = tmp_path / "respd"
    not_executable.write_text("")
    not_executable.chmod(stat.S_IRUSR)
    with pytest.raises(RespdError, match="not an executable"):
        RespdServer.start(binary=str(not_executable))


def test_the_binary_can_come_from_the_option(pytester, monkeypatch):
    pytester.makepyfile("def test_ping(respd_server):\n    assert respd_server.control.ping()\n")
    binary = find_binary()
    monkeypatch.delenv("RESPD_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    pytester.runpytest_subprocess("-p", "respd_pytest").assert_outcomes(errors=1)
    pytester.runpytest_subprocess("-p", "respd_pytest", "--respd-bin", binary).assert_outcomes(passed=1)
