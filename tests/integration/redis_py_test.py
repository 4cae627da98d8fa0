#!/usr/bin/env python3
"""respd used as a cache and for pub/sub through redis-py (Debian's python3-redis), the way an
application would.

Usage: redis_py_test.py PATH_TO_RESPD. Starts respd on a free loopback port, runs the tests, and
stops the server by its pid whatever happens. Exits 77 (ctest's skip code) without python3-redis.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import redis
except ImportError:
    print("python3-redis is not installed (.ci/setup --test installs it): skipping")
    sys.exit(77)

START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5

respd_binary = None
server = None
port = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    global server, port
    work_dir = tempfile.mkdtemp(prefix="respd-redis-py.")
    port = free_port()
    with open(os.path.join(work_dir, "respd.log"), "wb") as log:
        server = subprocess.Popen(
            [respd_binary, "--port", str(port), "--bind", "127.0.0.1"],
            cwd=work_dir, stdout=log, stderr=log)
    server.work_dir = work_dir
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"respd exited with {server.returncode}: " + read_log())
        try:
            if redis.Redis(port=port, socket_timeout=1).ping():
                return
        except redis.exceptions.ConnectionError:
            time.sleep(0.01)
    raise RuntimeError("respd did not answer PING in time: " + read_log())


def read_log():
    with open(os.path.join(server.work_dir, "respd.log"), "rb") as f:
        return f.read().decode(errors="replace")


def stop_server():
    if server is None:
        return
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(STOP_TIMEOUT_S)
    shutil.rmtree(server.work_dir, ignore_errors=True)


class CacheTest(unittest.TestCase):
    def setUp(self):
        self.r = redis.Redis(port=port, socket_timeout=5, decode_responses=True)
        self.r.flushdb()

    def tearDown(self):
        self.r.close()

    def test_ping(self):
        self.assertTrue(self.r.ping())

    def test_get_set_with_expiry(self):
        self.assertIsNone(self.r.get("user:1"))
        self.assertTrue(self.r.set("user:1", "alice", ex=60))
        self.assertEqual(self.r.get("user:1"), "alice")
        self.assertTrue(0 < self.r.ttl("user:1") <= 60)
        self.assertTrue(self.r.set("user:1", "bob", px=1500))
        self.assertTrue(0 < self.r.pttl("user:1") <= 1500)
        self.assertTrue(self.r.set("user:1", "carol"))  # a plain SET drops the TTL
        self.assertEqual(self.r.ttl("user:1"), -1)

    def test_setnx_with_ttl_is_a_lock(self):
        self.assertTrue(self.r.set("lock:job", "owner-a", nx=True, ex=30))
        self.assertIsNone(self.r.set("lock:job", "owner-b", nx=True, ex=30))
        self.assertEqual(self.r.get("lock:job"), "owner-a")
        self.assertTrue(0 < self.r.ttl("lock:job") <= 30)
        self.assertEqual(self.r.delete("lock:job"), 1)
        self.assertTrue(self.r.set("lock:job", "owner-b", nx=True, ex=30))

    def test_counters(self):
        self.assertEqual(self.r.incr("hits"), 1)
        self.assertEqual(self.r.incr("hits", 10), 11)
        self.assertEqual(self.r.decr("hits"), 10)
        self.assertEqual(self.r.decr("hits", 4), 6)
        self.assertEqual(self.r.get("hits"), "6")
        self.r.set("name", "not a number")
        with self.assertRaises(redis.exceptions.ResponseError) as error:
            self.r.incr("name")
        self.assertEqual(str(error.exception), "value is not an integer or out of range")

    def test_expire_and_ttl(self):
        self.assertEqual(self.r.ttl("missing"), -2)
        self.r.set("session", "data")
        self.assertEqual(self.r.ttl("session"), -1)
        self.assertTrue(self.r.expire("session", 100))
        self.assertTrue(0 < self.r.ttl("session") <= 100)
        self.assertFalse(self.r.expire("missing", 100))
        self.assertTrue(self.r.persist("session"))
        self.assertEqual(self.r.ttl("session"), -1)
        self.assertTrue(self.r.pexpire("session", 50))
        deadline = time.monotonic() + 5
        while self.r.exists("session") and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertIsNone(self.r.get("session"))

    def test_mget_mset(self):
        self.assertTrue(self.r.mset({"a": "1", "b": "2", "c": "3"}))
        self.assertEqual(self.r.mget("a", "b", "missing", "c"), ["1", "2", None, "3"])
        self.assertFalse(self.r.msetnx({"c": "x", "d": "4"}))
        self.assertIsNone(self.r.get("d"))

    def test_delete_many(self):
        keys = [f"item:{i}" for i in range(500)]
        self.r.mset({k: "v" for k in keys})
        self.assertEqual(self.r.delete(*keys, "not:there"), 500)
        self.assertEqual(self.r.dbsize(), 0)

    def test_keys_and_scan_by_prefix(self):
        wanted = {f"cache:user:{i}" for i in range(300)}
        for key in wanted:
            self.r.set(key, "x")
        for i in range(200):
            self.r.set(f"other:{i}", "y")
        self.assertEqual(set(self.r.keys("cache:user:*")), wanted)
        self.assertEqual(set(self.r.scan_iter(match="cache:user:*", count=50)), wanted)
        self.assertEqual(len(set(self.r.scan_iter(count=7))), 500)

    def test_flushdb(self):
        self.r.mset({"x": "1", "y": "2"})
        self.assertEqual(self.r.dbsize(), 2)
        self.assertTrue(self.r.flushdb())
        self.assertEqual(self.r.dbsize(), 0)
        self.assertEqual(self.r.keys("*"), [])

    def test_pipeline(self):
        with self.r.pipeline(transaction=False) as pipe:
            for i in range(100):
                pipe.set(f"p:{i}", i)
            pipe.mget("p:0", "p:99")
            replies = pipe.execute()
        self.assertEqual(replies[:100], [True] * 100)
        self.assertEqual(replies[100], ["0", "99"])

    def test_binary_values(self):
        raw = redis.Redis(port=port, socket_timeout=5)
        payload = bytes(range(256)) * 4
        self.assertTrue(raw.set(b"blob\x00key", payload))
        self.assertEqual(raw.get(b"blob\x00key"), payload)
        self.assertEqual(raw.strlen(b"blob\x00key"), len(payload))
        raw.close()


class PubSubTest(unittest.TestCase):
    """redis-py's PubSub object: subscribe, listen, patterns, keyspace events, unsubscribe."""

    def setUp(self):
        self.r = redis.Redis(port=port, socket_timeout=5, decode_responses=True)
        self.p = self.r.pubsub()

    def tearDown(self):
        self.r.config_set("notify-keyspace-events", "")
        self.p.close()
        self.r.close()

    def next_message(self):
        # Bounded: get_message waits at most its timeout; a missing message fails the test.
        for _ in range(50):
            message = self.p.get_message(timeout=0.1)
            if message is not None:
                return message
        self.fail("no message arrived")

    def confirmed(self, kind, name):
        # respd serves connections on several threads: a PUBLISH sent before the confirmation
        # arrived may run first, as it may on Redis.
        message = self.next_message()
        self.assertEqual((message["type"], message["channel"]), (kind, name))

    def test_channel_and_pattern_messages(self):
        self.p.subscribe("orders")
        self.confirmed("subscribe", "orders")
        self.p.psubscribe("audit.*")
        self.confirmed("psubscribe", "audit.*")
        self.assertEqual(self.r.publish("orders", "o-1"), 1)
        self.assertEqual(self.r.publish("audit.login", "alice"), 1)
        self.assertEqual(self.next_message(),
                         {"type": "message", "pattern": None, "channel": "orders", "data": "o-1"})
        self.assertEqual(self.next_message(),
                         {"type": "pmessage", "pattern": "audit.*", "channel": "audit.login",
                          "data": "alice"})
        self.assertEqual(self.r.pubsub_numsub("orders"), [("orders", 1)])
        self.assertEqual(self.r.pubsub_numpat(), 1)
        self.p.unsubscribe()
        self.confirmed("unsubscribe", "orders")
        self.p.punsubscribe()
        self.confirmed("punsubscribe", "audit.*")
        self.assertEqual(self.r.publish("orders", "o-2"), 0)

    def test_handler_thread(self):
        received = []
        self.p.subscribe(**{"jobs": lambda message: received.append(message["data"])})
        self.confirmed("subscribe", "jobs")
        worker = self.p.run_in_thread(sleep_time=0.01, daemon=True)
        try:
            for i in range(100):
                self.r.publish("jobs", str(i))
            for _ in range(500):
                if len(received) == 100:
                    break
                time.sleep(0.01)
        finally:
            worker.stop()
            worker.join(timeout=5)
        self.assertEqual(received, [str(i) for i in range(100)])

    def test_expired_keyspace_event(self):
        self.r.config_set("notify-keyspace-events", "Ex")
        self.assertEqual(self.r.config_get("notify-keyspace-events"),
                         {"notify-keyspace-events": "xE"})
        self.p.subscribe("__keyevent@0__:expired")
        self.confirmed("subscribe", "__keyevent@0__:expired")
        self.r.set("session:1", "x", px=1)
        time.sleep(0.02)
        self.assertIsNone(self.r.get("session:1"))
        self.assertEqual(self.next_message()["data"], "session:1")


def main():
    global respd_binary
    if len(sys.argv) < 2:
        sys.exit("usage: redis_py_test.py PATH_TO_RESPD [unittest args]")
    respd_binary = os.path.abspath(sys.argv[1])
    try:
        start_server()
        result = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False).result
    finally:
        stop_server()
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
