#!/usr/bin/env python3
"""Recipes client libraries ship on top of transactions and Lua, run through redis-py (Debian's
python3-redis) against respd: redis-py's Lock, a Redlock-style lock over three servers,
compare-and-set of a JSON record (WATCH/MULTI/EXEC and a cjson script), a capped list and cmsgpack.

Usage: recipes_test.py PATH_TO_RESPD [unittest args]. Every test starts its own server on a free
loopback port and stops it by its pid. Given Debian's redis-server instead of respd, the same tests
check the recipes themselves against Redis. Exits 77 (ctest's skip code) without python3-redis.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

try:
    import redis
    from redis.exceptions import LockError, LockNotOwnedError, WatchError
except ImportError:
    print("python3-redis is not installed (.ci/setup --test installs it): skipping")
    sys.exit(77)

START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5
# Every retry loop below gives up after this many attempts: a test fails, it never spins forever.
MAX_RETRIES = 10000

server_binary = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process on a free port, answering PING before the constructor returns."""

    def __init__(self, *extra_args):
        self.work_dir = tempfile.mkdtemp(prefix="respd-recipes.")
        self.port = free_port()
        args = [server_binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        if os.path.basename(server_binary) == "redis-server":
            args += ["--save", "", "--appendonly", "no"]  # and one thread: --threads is respd's
        else:
            args += extra_args
        with open(os.path.join(self.work_dir, "server.log"), "wb") as log:
            self.process = subprocess.Popen(args, cwd=self.work_dir, stdout=log, stderr=log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                with self.client() as probe:
                    if probe.ping():
                        return
            except redis.exceptions.ConnectionError:
                time.sleep(0.01)
        self.stop()
        raise RuntimeError("server did not answer PING in time")

    def client(self, **options):
        options.setdefault("decode_responses", True)
        return redis.Redis(port=self.port, socket_timeout=10, **options)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        shutil.rmtree(self.work_dir, ignore_errors=True)


def run_threads(count, target):
    """Runs target(index) on `count` threads and re-raises the first exception any of them hit."""
    errors = []

    def guarded(index):
        try:
            target(index)
        except BaseException as error:  # noqa: B902 - reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a worker thread did not finish")


class RecipeTest(unittest.TestCase):
    server_args = ("--threads", "2")

    def setUp(self):
        self.server = Server(*self.server_args)
        self.addCleanup(self.server.stop)
        self.r = self.server.client()
        self.addCleanup(self.r.close)


class LockTest(RecipeTest):
    """redis-py's Lock: SET NX PX to acquire, EVALSHA scripts to release, extend and reacquire."""

    def test_acquire_release_and_blocking_timeout(self):
        first = self.r.lock("lock:report", timeout=30, blocking_timeout=0.2)
        second = self.r.lock("lock:report", timeout=30, blocking_timeout=0.2, sleep=0.01)
        self.assertTrue(first.acquire())
        self.assertTrue(first.owned())
        self.assertTrue(first.locked())
        started = time.monotonic()
        self.assertFalse(second.acquire())  # gives up after its blocking timeout
        self.assertGreaterEqual(time.monotonic() - started, 0.15)
        self.assertFalse(second.acquire(blocking=False))
        with self.assertRaises(LockError):
            second.release()  # it holds no token
        first.release()
        self.assertFalse(first.locked())
        self.assertTrue(second.acquire())
        second.release()
        with self.assertRaises(LockError):
            second.release()  # no token any more: nothing to release

    def test_extend_and_reacquire(self):
        lock = self.r.lock("lock:extend", timeout=10)
        self.assertTrue(lock.acquire(blocking=False))
        self.assertTrue(lock.extend(20))  # adds to the remaining time
        self.assertTrue(20000 < self.r.pttl("lock:extend") <= 30000)
        self.assertTrue(lock.extend(5, replace_ttl=True))
        self.assertTrue(0 < self.r.pttl("lock:extend") <= 5000)
        self.assertTrue(lock.reacquire())  # back to the lock's own timeout
        self.assertTrue(5000 < self.r.pttl("lock:extend") <= 10000)
        # Someone else's token in the key: this lock owns nothing.
        self.r.set("lock:extend", "intruder", px=10000)
        with self.assertRaises(LockNotOwnedError):
            lock.extend(10)
        with self.assertRaises(LockNotOwnedError):
            lock.reacquire()
        with self.assertRaises(LockNotOwnedError):
            lock.release()
        self.assertEqual(self.r.get("lock:extend"), "intruder")
        # A lock without a timeout cannot be extended: its key has no TTL (PTTL -1).
        self.r.delete("lock:extend")
        forever = self.r.lock("lock:extend")
        self.assertTrue(forever.acquire(blocking=False))
        with self.assertRaises(LockError):
            forever.extend(10)
        forever.release()

    def test_expired_lock_goes_to_the_next_waiter(self):
        crashed = self.r.lock("lock:job", timeout=0.3)
        self.assertTrue(crashed.acquire(blocking=False))  # its owner "dies" without releasing
        waiter = self.server.client()
        self.addCleanup(waiter.close)
        successor = waiter.lock("lock:job", timeout=10, blocking_timeout=5, sleep=0.01)
        self.assertTrue(successor.acquire())
        self.assertTrue(successor.owned())
        self.assertFalse(crashed.owned())
        with self.assertRaises(LockNotOwnedError):
            crashed.extend(10)
        with self.assertRaises(LockNotOwnedError):
            crashed.release()  # must not free the successor's lock
        self.assertTrue(successor.locked())
        successor.release()

    def test_critical_sections_never_overlap(self):
        threads, rounds = 6, 30
        guard = threading.Lock()
        state = {"inside": 0, "max_inside": 0, "entries": 0}

        def worker(index):
            client = self.server.client()
            try:
                for _ in range(rounds):
                    lock = client.lock("lock:shared", timeout=10, sleep=0.001,
                                       blocking_timeout=30)
                    self.assertTrue(lock.acquire(), f"thread {index} timed out")
                    with guard:
                        state["inside"] += 1
                        state["entries"] += 1
                        state["max_inside"] = max(state["max_inside"], state["inside"])
                    # A read-modify-write that would lose updates if two holders overlapped.
                    value = int(client.get("protected") or 0)
                    client.set("protected", value + 1)
                    with guard:
                        state["inside"] -= 1
                    lock.release()
            finally:
                client.close()

        run_threads(threads, worker)
        self.assertEqual(state["entries"], threads * rounds)
        self.assertEqual(state["max_inside"], 1)
        self.assertEqual(self.r.get("protected"), str(threads * rounds))
        self.assertFalse(self.r.exists("lock:shared"))

    def test_expiry_under_contention(self):
        """Holders that never release: each lock expires and exactly one waiter gets it next."""
        threads, rounds = 4, 5
        owners = []
        guard = threading.Lock()

        def worker(index):
            client = self.server.client()
            try:
                for round_ in range(rounds):
                    lock = client.lock("lock:lease", timeout=0.05, sleep=0.005,
                                       blocking_timeout=30)
                    self.assertTrue(lock.acquire())
                    with guard:
                        owners.append((index, round_))
            finally:
                client.close()

        run_threads(threads, worker)
        self.assertEqual(len(owners), threads * rounds)
        self.assertEqual(len(set(owners)), threads * rounds)


RELEASE_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedlockTest(unittest.TestCase):
    """Redlock over three independent servers: SET NX PX with a random token on each, a quorum of
    two, and a compare-and-delete script to release only what this owner holds."""

    def setUp(self):
        self.servers = []
        for _ in range(3):
            server = Server()
            self.addCleanup(server.stop)
            self.servers.append(server)
        self.clients = [server.client() for server in self.servers]
        for client in self.clients:
            self.addCleanup(client.close)

    def acquire(self, clients, resource, ttl_ms):
        token = uuid.uuid4().hex
        started = time.monotonic()
        votes = sum(1 for c in clients if c.set(resource, token, nx=True, px=ttl_ms))
        validity_ms = ttl_ms - (time.monotonic() - started) * 1000 - 2
        if votes >= 2 and validity_ms > 0:
            return token
        self.release(clients, resource, token)
        return None

    @staticmethod
    def release(clients, resource, token):
        return sum(c.eval(RELEASE_IF_OWNER, 1, resource, token) for c in clients)

    def test_quorum_acquire_and_owner_only_release(self):
        token = self.acquire(self.clients, "redlock:order:7", 10000)
        self.assertIsNotNone(token)
        for client in self.clients:
            self.assertEqual(client.get("redlock:order:7"), token)
            self.assertTrue(0 < client.pttl("redlock:order:7") <= 10000)
        self.assertIsNone(self.acquire(self.clients, "redlock:order:7", 10000))
        self.assertEqual(self.release(self.clients, "redlock:order:7", "not-the-owner"), 0)
        self.assertEqual(self.release(self.clients, "redlock:order:7", token), 3)
        self.assertIsNotNone(self.acquire(self.clients, "redlock:order:7", 10000))

    def test_minority_does_not_lock_and_is_undone(self):
        # Two servers are held by someone else: one vote is not a quorum, and it is given back.
        for client in self.clients[1:]:
            client.set("redlock:res", "other", px=10000)
        self.assertIsNone(self.acquire(self.clients, "redlock:res", 10000))
        self.assertFalse(self.clients[0].exists("redlock:res"))
        self.assertEqual(self.clients[1].get("redlock:res"), "other")

    def test_release_script_is_cached_by_sha(self):
        script = self.clients[0].register_script(RELEASE_IF_OWNER)
        self.clients[0].set("redlock:x", "me", px=10000)
        self.assertEqual(script(keys=["redlock:x"], args=["you"]), 0)
        self.assertEqual(self.clients[0].script_exists(script.sha), [True])
        self.assertEqual(script(keys=["redlock:x"], args=["me"]), 1)
        self.clients[0].script_flush()
        self.clients[0].set("redlock:x", "me", px=10000)
        # EVALSHA answers NOSCRIPT; redis-py loads the script again and retries.
        self.assertEqual(script(keys=["redlock:x"], args=["me"]), 1)


ADD_TO_FIELD = """
local record = cjson.decode(redis.call('GET', KEYS[1]))
record[ARGV[1]] = record[ARGV[1]] + tonumber(ARGV[2])
redis.call('SET', KEYS[1], cjson.encode(record))
return record[ARGV[1]]
"""


class CompareAndSetTest(RecipeTest):
    """One field of a JSON record updated from several threads: no update may be lost."""

    threads, rounds = 6, 40

    def setUp(self):
        super().setUp()
        self.r.set("account:42", json.dumps({"owner": "ada", "balance": 0, "tags": ["vip"]}))

    def check_record(self):
        record = json.loads(self.r.get("account:42"))
        self.assertEqual(record["balance"], self.threads * self.rounds)
        self.assertEqual(record["owner"], "ada")
        self.assertEqual(record["tags"], ["vip"])

    def test_watch_multi_exec_retries_on_conflict(self):
        conflicts = []

        def worker(index):
            client = self.server.client()
            try:
                for _ in range(self.rounds):
                    for _attempt in range(MAX_RETRIES):
                        with client.pipeline(transaction=True) as pipe:
                            try:
                                pipe.watch("account:42")
                                record = json.loads(pipe.get("account:42"))
                                record["balance"] += 1
                                pipe.multi()
                                pipe.set("account:42", json.dumps(record))
                                pipe.execute()
                                break
                            except WatchError:
                                conflicts.append(index)
                    else:
                        self.fail("too many conflicts")
            finally:
                client.close()

        run_threads(self.threads, worker)
        self.check_record()

    def test_cjson_script(self):
        script = self.r.register_script(ADD_TO_FIELD)

        def worker(index):
            client = self.server.client()
            try:
                for _ in range(self.rounds):
                    script(keys=["account:42"], args=["balance", 1], client=client)
            finally:
                client.close()

        run_threads(self.threads, worker)
        self.check_record()
        self.assertEqual(script(keys=["account:42"], args=["balance", -40]),
                         self.threads * self.rounds - 40)

    def test_watch_sees_a_script_write(self):
        with self.r.pipeline(transaction=True) as pipe:
            pipe.watch("account:42")
            self.r.eval(ADD_TO_FIELD, 1, "account:42", "balance", 5)
            pipe.multi()
            pipe.set("account:42", "{}")
            with self.assertRaises(WatchError):
                pipe.execute()
        self.assertEqual(json.loads(self.r.get("account:42"))["balance"], 5)


class CappedListTest(RecipeTest):
    """RPUSH + LTRIM + EXPIRE in one MULTI: the list never grows past its cap."""

    cap = 10

    def push(self, client, item):
        with client.pipeline(transaction=True) as pipe:
            pipe.rpush("events:recent", item)
            pipe.ltrim("events:recent", -self.cap, -1)
            pipe.expire("events:recent", 60)
            return pipe.execute()

    def test_single_client(self):
        for i in range(25):
            length, trimmed, expiring = self.push(self.r, f"e{i}")
            self.assertEqual(length, min(i + 1, self.cap + 1))
            self.assertTrue(trimmed)
            self.assertTrue(expiring)
        self.assertEqual(self.r.lrange("events:recent", 0, -1), [f"e{i}" for i in range(15, 25)])
        self.assertTrue(0 < self.r.ttl("events:recent") <= 60)

    def test_concurrent_pushes_never_exceed_the_cap(self):
        threads, rounds = 6, 50
        lengths = []

        def worker(index):
            client = self.server.client()
            try:
                for i in range(rounds):
                    lengths.append(self.push(client, f"{index}:{i}")[0])
            finally:
                client.close()

        run_threads(threads, worker)
        self.assertEqual(len(lengths), threads * rounds)
        # Each transaction saw the list as the previous one left it: at most cap items.
        self.assertLessEqual(max(lengths), self.cap + 1)
        items = self.r.lrange("events:recent", 0, -1)
        self.assertEqual(len(items), self.cap)
        # Per thread, the surviving items keep their push order.
        for index in range(threads):
            mine = [int(item.split(":")[1]) for item in items if item.startswith(f"{index}:")]
            self.assertEqual(mine, sorted(mine))


class CmsgpackTest(RecipeTest):
    server_args = ()

    def test_round_trip_of_nested_tables(self):
        script = """
local value = {1, 'two', {3, {four = 4}}, {name = 'ada', langs = {'lua', 'c'}}}
local packed = cmsgpack.pack(value)
local back = cmsgpack.unpack(packed)
return {back[1], back[2], back[3][1], back[3][2].four, back[4].name, back[4].langs[2],
        cjson.encode(back) == cjson.encode(value) and 1 or 0}
"""
        self.assertEqual(self.r.eval(script, 0), [1, "two", 3, 4, "ada", "c", 1])

    def test_packed_bytes_stored_and_read_back(self):
        raw = self.server.client(decode_responses=False)
        self.addCleanup(raw.close)
        pack = "redis.call('SET', KEYS[1], cmsgpack.pack({1, 2, 3}, {a = 1})) return 1"
        self.assertEqual(raw.eval(pack, 1, "blob"), 1)
        # Two MessagePack objects back to back: a fixarray [1, 2, 3] and a fixmap {"a": 1}.
        self.assertEqual(raw.get("blob"), b"\x93\x01\x02\x03\x81\xa1a\x01")
        unpack = "local a, m = cmsgpack.unpack(redis.call('GET', KEYS[1])) return {a[3], m.a}"
        self.assertEqual(raw.eval(unpack, 1, "blob"), [3, 1])

    def test_numbers_and_strings(self):
        script = """
local packed = cmsgpack.pack(-1, 300, 70000, 1.5, 'x', true, false)
local t = {cmsgpack.unpack(packed)}
return {string.len(packed), t[1], t[2], t[3], tostring(t[4]), t[5], t[6] and 1 or 0,
        t[7] and 1 or 0}
"""
        self.assertEqual(self.r.eval(script, 0), [18, -1, 300, 70000, "1.5", "x", 1, 0])


def main():
    global server_binary
    if len(sys.argv) < 2:
        sys.exit("usage: recipes_test.py PATH_TO_RESPD [unittest args]")
    server_binary = os.path.abspath(sys.argv[1]) if os.sep in sys.argv[1] else \
        shutil.which(sys.argv[1])
    result = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
