#!/usr/bin/env python3
"""respd over TLS (tls-port and the tls-* options) next to Debian's redis-server 7.0 with the same
options: redis-cli --tls, python3's ssl module (raw RESP, compared byte for byte), redis-py with
ssl=True, client certificates required/optional, protocol and cipher choices, a passphrase key,
and bad handshakes that leave the other clients alone.

Usage: tls_test.py PATH_TO_RESPD. The certificates (a CA, the server's, a client's and one from an
unknown CA) are made with openssl at run time in a scratch directory, never committed. Every
server is stopped by its pid whatever happens. Exits 77 (ctest's skip code) without openssl;
the comparisons with Redis skip without redis-server (CI installs it).
"""
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

if shutil.which("openssl") is None:
    print("openssl is not installed: skipping")
    sys.exit(77)

try:
    import redis
except ImportError:
    redis = None

START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5
IO_TIMEOUT_S = 5
HAVE_REDIS = shutil.which("redis-server") is not None

respd_binary = None
certs = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, timeout=60, **kwargs)


def make_certificates(directory):
    """A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a client
    certificate from a CA the server does not know."""
    def path(name):
        return os.path.join(directory, name)

    def ca(name):
        run(["openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "2",
             "-keyout", path(name + ".key"), "-out", path(name + ".crt"),
             "-subj", "/CN=respd test " + name])

    def signed(name, ca_name, extensions=None):
        run(["openssl", "req", "-new", "-nodes", "-newkey", "rsa:2048",
             "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", "/CN=" + name])
        args = ["openssl", "x509", "-req", "-in", path(name + ".csr"), "-days", "2",
                "-CA", path(ca_name + ".crt"), "-CAkey", path(ca_name + ".key"),
                "-CAcreateserial", "-out", path(name + ".crt")]
        if extensions:
            with open(path(name + ".ext"), "w") as f:
                f.write(extensions)
            args += ["-extfile", path(name + ".ext")]
        run(args)

    ca("ca")
    ca("otherca")
    signed("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    signed("client", "ca")
    signed("stranger", "otherca")
    run(["openssl", "pkey", "-in", path("server.key"), "-aes256", "-passout", "pass:s3cret",
         "-out", path("server-enc.key")])
    return {name: path(name) for name in
            ["ca.crt", "server.crt", "server.key", "server-enc.key", "client.crt", "client.key",
             "stranger.crt", "stranger.key"]}


class Server:
    """respd or redis-server with a plain and a TLS port on 127.0.0.1."""

    def __init__(self, binary, extra_args=(), tls_args=None):
        self.work_dir = tempfile.mkdtemp(prefix="respd-tls.")
        self.port = free_port()
        self.tls_port = free_port()
        if tls_args is None:
            tls_args = ["--tls-cert-file", certs["server.crt"], "--tls-key-file",
                        certs["server.key"], "--tls-ca-cert-file", certs["ca.crt"]]
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--tls-port", str(self.tls_port)] + tls_args + list(extra_args)
        if os.path.basename(binary) == "redis-server":
            args += ["--save", "", "--appendonly", "no"]
        self.log_path = os.path.join(self.work_dir, "server.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=self.work_dir, stdout=log, stderr=log)

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64) == b"+PONG\r\n":
                        return True
            except OSError:
                time.sleep(0.01)
        return False

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_exit(self):
        try:
            return self.process.wait(START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        shutil.rmtree(self.work_dir, ignore_errors=True)


def client_context(cert="client", ca="ca.crt", max_version=None, min_version=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(certs[ca])
    if cert:
        context.load_cert_chain(certs[cert + ".crt"], certs[cert + ".key"])
    if max_version:
        context.maximum_version = max_version
    if min_version:
        context.minimum_version = min_version
    return context


def tls_connect(port, context=None, session=None):
    context = context or client_context()
    raw = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
    return context.wrap_socket(raw, server_hostname="127.0.0.1", session=session)


def encode(*args):
    out = b"*%d\r\n" % len(args)
    for arg in args:
        arg = arg if isinstance(arg, bytes) else str(arg).encode()
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    return out


def read_reply(sock, buffer=b""):
    """One complete RESP2 reply (raw bytes) and what was read past it."""
    data = bytearray(buffer)

    def receive():
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data.extend(chunk)

    def parse(pos):
        while data.find(b"\r\n", pos) < 0:
            receive()
        end = data.find(b"\r\n", pos)
        kind, line = data[pos:pos + 1], data[pos + 1:end]
        pos = end + 2
        if kind == b"$" and int(line) >= 0:
            while len(data) < pos + int(line) + 2:
                receive()
            return pos + int(line) + 2
        if kind == b"*":
            for _ in range(max(int(line), 0)):
                pos = parse(pos)
        elif kind not in (b"+", b"-", b":", b"$"):
            raise ValueError("bad reply %r" % bytes(data[:80]))
        return pos

    end = parse(0)
    return bytes(data[:end]), bytes(data[end:])


def command(sock, *args):
    sock.sendall(encode(*args))
    reply, _ = read_reply(sock)
    return reply


def handshake_refused(port, context):
    """True if the server refuses the client: the handshake fails, or (TLS 1.3, where the client
    finishes first) the first read gets the server's alert or end of stream instead of a reply."""
    try:
        with tls_connect(port, context) as s:
            s.sendall(encode("PING"))
            return s.recv(64) == b""
    except (ssl.SSLError, ConnectionError, OSError):
        return True


class TlsTestBase(unittest.TestCase):
    extra_args = ()
    tls_args = None

    def start(self, binary, extra_args=None, tls_args=None):
        server = Server(binary, self.extra_args if extra_args is None else extra_args,
                        self.tls_args if tls_args is None else tls_args)
        self.addCleanup(server.stop)
        self.assertTrue(server.wait_ready(), server.log())
        return server

    def servers(self, **kwargs):
        """respd, and redis-server with the same options when it is installed."""
        found = [self.start(respd_binary, **kwargs)]
        if HAVE_REDIS:
            found.append(self.start("redis-server", **kwargs))
        return found


class TlsServingTest(TlsTestBase):
    def test_raw_replies_over_tls_are_redis_own(self):
        script = [("PING",), ("SET", "k", "v"), ("GET", "k"), ("INCR", "n"), ("INCRBY", "n", "41"),
                  ("RPUSH", "l", "a", "b", "c"), ("LRANGE", "l", "0", "-1"), ("GET", "missing"),
                  ("NOSUCHCOMMAND", "x"), ("SET", "k"), ("ECHO", "x" * 100000), ("DEL", "k", "l")]
        replies = []
        for server in self.servers():
            with tls_connect(server.tls_port) as s:
                replies.append([command(s, *args) for args in script])
        self.assertEqual(replies[0][0], b"+PONG\r\n")
        if len(replies) == 2:
            self.assertEqual(replies[0], replies[1])

    def test_plain_and_tls_ports_serve_the_same_data(self):
        server = self.start(respd_binary)
        with socket.create_connection(("127.0.0.1", server.port), timeout=IO_TIMEOUT_S) as plain:
            self.assertEqual(command(plain, "SET", "shared", "from-plain"), b"+OK\r\n")
            with tls_connect(server.tls_port) as tls:
                self.assertEqual(command(tls, "GET", "shared"), b"$10\r\nfrom-plain\r\n")
                self.assertEqual(command(tls, "SET", "shared", "from-tls"), b"+OK\r\n")
            self.assertEqual(command(plain, "GET", "shared"), b"$8\r\nfrom-tls\r\n")

    def test_a_large_pipeline_over_tls_is_answered_in_order(self):
        server = self.start(respd_binary)
        with tls_connect(server.tls_port) as s:
            count = 5000
            s.sendall(b"".join(encode("INCR", "counter") for _ in range(count)))
            rest = b""
            for i in range(1, count + 1):
                reply, rest = read_reply(s, rest)
                self.assertEqual(reply, b":%d\r\n" % i)

    def test_redis_cli_tls(self):
        outputs = []
        for server in self.servers():
            cli = ["redis-cli", "-p", str(server.tls_port), "--tls", "--cacert", certs["ca.crt"],
                   "--cert", certs["client.crt"], "--key", certs["client.key"]]
            result = subprocess.run(cli, input=b"SET a 1\nINCR a\nGET a\nPING\n",
                                    capture_output=True, timeout=30)
            outputs.append((result.returncode, result.stdout))
            without_cert = subprocess.run(cli[:6] + ["PING"], capture_output=True, timeout=30)
            self.assertNotIn(b"PONG", without_cert.stdout)
        self.assertEqual(outputs[0], (0, b"OK\n2\n2\nPONG\n"))
        if len(outputs) == 2:
            self.assertEqual(outputs[0], outputs[1])

    @unittest.skipIf(redis is None, "python3-redis is not installed")
    def test_redis_py_with_ssl(self):
        server = self.start(respd_binary)
        r = redis.Redis(port=server.tls_port, ssl=True, ssl_ca_certs=certs["ca.crt"],
                        ssl_certfile=certs["client.crt"], ssl_keyfile=certs["client.key"],
                        socket_timeout=IO_TIMEOUT_S, decode_responses=True)
        self.assertTrue(r.ping())
        r.set("greeting", "hello", ex=100)
        self.assertEqual(r.get("greeting"), "hello")
        pipe = r.pipeline()
        for i in range(100):
            pipe.rpush("list", i)
        pipe.lrange("list", 0, -1)
        self.assertEqual(pipe.execute()[-1], [str(i) for i in range(100)])
        pubsub = r.pubsub()
        pubsub.subscribe("news")
        self.assertEqual(pubsub.get_message(timeout=IO_TIMEOUT_S)["type"], "subscribe")
        self.assertEqual(r.publish("news", "over tls"), 1)
        message = pubsub.get_message(timeout=IO_TIMEOUT_S)
        self.assertEqual(message["data"], "over tls")
        pubsub.close()
        r.close()


class ClientCertificateTest(TlsTestBase):
    def test_required_by_default(self):
        for server in self.servers():
            self.assertTrue(handshake_refused(server.tls_port, client_context(cert=None)))
            self.assertTrue(handshake_refused(server.tls_port, client_context(cert="stranger")))
            with tls_connect(server.tls_port) as s:
                self.assertEqual(command(s, "PING"), b"+PONG\r\n")
            # Redis's log line for the refused handshake.
            deadline = time.monotonic() + IO_TIMEOUT_S
            line = ("Error accepting a client connection: error:0A0000C7:SSL routines::peer did "
                    "not return a certificate")
            while line not in server.log() and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertIn(line, server.log())

    def test_optional_checks_a_certificate_only_when_given(self):
        for server in self.servers(extra_args=["--tls-auth-clients", "optional"]):
            with tls_connect(server.tls_port, client_context(cert=None)) as s:
                self.assertEqual(command(s, "PING"), b"+PONG\r\n")
            with tls_connect(server.tls_port) as s:
                self.assertEqual(command(s, "PING"), b"+PONG\r\n")
            self.assertTrue(handshake_refused(server.tls_port, client_context(cert="stranger")))

    def test_not_asked_for_with_no(self):
        tls_args = ["--tls-cert-file", certs["server.crt"], "--tls-key-file", certs["server.key"],
                    "--tls-auth-clients", "no"]
        for server in self.servers(tls_args=tls_args):
            with tls_connect(server.tls_port, client_context(cert="stranger")) as s:
                self.assertEqual(command(s, "PING"), b"+PONG\r\n")


class HandshakeTest(TlsTestBase):
    def test_bad_handshakes_do_not_affect_other_clients(self):
        server = self.start(respd_binary)
        working = tls_connect(server.tls_port)
        self.addCleanup(working.close)
        plain = socket.create_connection(("127.0.0.1", server.port), timeout=IO_TIMEOUT_S)
        self.addCleanup(plain.close)
        # Clients that never finish: plain text, garbage, a hello cut short, and one silent.
        bad = []
        for payload in [b"PING\r\n", b"\x16\x03\x01\xff\xff" + b"\x00" * 64,
                        os.urandom(4096), b"\x16\x03\x01\x00", b""]:
            s = socket.create_connection(("127.0.0.1", server.tls_port), timeout=IO_TIMEOUT_S)
            self.addCleanup(s.close)
            if payload:
                s.sendall(payload)
            bad.append(s)
        for i in range(1, 201):
            self.assertEqual(command(working, "INCR", "tls-counter"), b":%d\r\n" % i)
            self.assertEqual(command(plain, "INCR", "plain-counter"), b":%d\r\n" % i)
        with tls_connect(server.tls_port) as s:
            self.assertEqual(command(s, "GET", "tls-counter"), b"$3\r\n200\r\n")
        # The plain-text client is cut off, as Redis does (no plaintext reply on a TLS port).
        bad[0].settimeout(IO_TIMEOUT_S)
        data = b""
        try:
            while True:
                chunk = bad[0].recv(4096)
                if not chunk:
                    break
                data += chunk
        except ConnectionError:
            pass
        self.assertNotIn(b"PONG", data)
        for s in bad:
            s.close()
        self.assertEqual(command(working, "PING"), b"+PONG\r\n")


class OptionsTest(TlsTestBase):
    def test_protocols(self):
        for server in self.servers(extra_args=["--tls-protocols", "TLSv1.3"]):
            self.assertTrue(handshake_refused(
                server.tls_port, client_context(max_version=ssl.TLSVersion.TLSv1_2)))
            with tls_connect(server.tls_port) as s:
                self.assertEqual(s.version(), "TLSv1.3")
        for server in self.servers(extra_args=["--tls-protocols", "tlsv1.2"]):
            self.assertTrue(handshake_refused(
                server.tls_port, client_context(min_version=ssl.TLSVersion.TLSv1_3)))
            with tls_connect(server.tls_port) as s:
                self.assertEqual(s.version(), "TLSv1.2")

    def test_ciphers_and_ciphersuites(self):
        for server in self.servers(extra_args=["--tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"]):
            with tls_connect(server.tls_port) as s:
                self.assertEqual(s.cipher()[0], "TLS_CHACHA20_POLY1305_SHA256")
        args = ["--tls-protocols", "TLSv1.2", "--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256"]
        for server in self.servers(extra_args=args):
            with tls_connect(server.tls_port) as s:
                self.assertEqual(s.cipher()[0], "ECDHE-RSA-AES128-GCM-SHA256")
        # The server's order wins with tls-prefer-server-ciphers.
        args = ["--tls-protocols", "TLSv1.2", "--tls-prefer-server-ciphers", "yes", "--tls-ciphers",
                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"]
        for server in self.servers(extra_args=args):
            context = client_context()
            context.set_ciphers("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256")
            with tls_connect(server.tls_port, context) as s:
                self.assertEqual(s.cipher()[0], "ECDHE-RSA-AES128-GCM-SHA256")

    def test_session_resumption_as_redis(self):
        # With caching off, OpenSSL refuses a ticket presented to a context without a session id
        # context (Redis 7.0 answers with an internal-error alert too): compared, not assumed.
        for caching in ["yes", "no"]:
            outcomes = []
            args = ["--tls-protocols", "TLSv1.2", "--tls-session-caching", caching]
            for server in self.servers(extra_args=args):
                context = client_context()
                with tls_connect(server.tls_port, context) as s:
                    command(s, "PING")
                    session = s.session
                try:
                    with tls_connect(server.tls_port, context, session=session) as s:
                        command(s, "PING")
                        outcomes.append("reused" if s.session_reused else "new")
                except ssl.SSLError:
                    outcomes.append("refused")
            if caching == "yes":
                self.assertEqual(outcomes[0], "reused")
            if len(outcomes) == 2:
                self.assertEqual(outcomes[0], outcomes[1], caching)

    def test_key_passphrase(self):
        tls_args = ["--tls-cert-file", certs["server.crt"], "--tls-key-file",
                    certs["server-enc.key"], "--tls-ca-cert-file", certs["ca.crt"],
                    "--tls-key-file-pass", "s3cret"]
        server = self.start(respd_binary, tls_args=tls_args)
        with tls_connect(server.tls_port) as s:
            self.assertEqual(command(s, "PING"), b"+PONG\r\n")

    def test_configuration_errors_stop_start_up_with_redis_log_lines(self):
        # A wrong passphrase decrypts the key to garbage, whose padding OpenSSL finds bad, except
        # about once in 256 (the salt is new with every certificate): then the garbage fails to
        # decode instead. Redis logs whichever reason OpenSSL gives, as respd does.
        wrong_passphrase = (re.escape("Failed to load private key: " + certs["server-enc.key"])
                            + ": error:[0-9A-F]+:(Provider routines::bad decrypt|"
                            "DECODER routines::unsupported)")
        cases = [
            (["--tls-cert-file", certs["server.crt"], "--tls-key-file", certs["server-enc.key"],
              "--tls-ca-cert-file", certs["ca.crt"], "--tls-key-file-pass", "wrong"],
             wrong_passphrase),
            (["--tls-cert-file", certs["server.crt"], "--tls-key-file", certs["server.key"]],
             re.escape("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when "
                       "tls-cluster, tls-replication or tls-auth-clients are enabled!")),
            (["--tls-cert-file", certs["server.crt"], "--tls-key-file", certs["server.key"],
              "--tls-auth-clients", "no", "--tls-protocols", "TLSv1.2 bogus"],
             re.escape("Invalid tls-protocols specified. Use a combination of 'TLSv1', "
                       "'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")),
            ([], re.escape("No tls-cert-file configured!")),
        ]
        for tls_args, pattern in cases:
            server = Server(respd_binary, tls_args=tls_args)
            self.addCleanup(server.stop)
            self.assertEqual(server.wait_exit(), 1, server.log())
            self.assertRegex(server.log(), pattern)
            self.assertIn("Failed to configure TLS. Check logs for more info.", server.log())

    def test_config_set_tls_port_moves_the_listener(self):
        for server in self.servers():
            with socket.create_connection(("127.0.0.1", server.port),
                                          timeout=IO_TIMEOUT_S) as admin:
                moved = free_port()
                self.assertEqual(command(admin, "CONFIG", "SET", "tls-port", str(moved)),
                                 b"+OK\r\n")
                with tls_connect(moved) as s:
                    self.assertEqual(command(s, "PING"), b"+PONG\r\n")
                with self.assertRaises(OSError):
                    tls_connect(server.tls_port).close()
                # The plain port is taken: the CONFIG SET fails whole.
                self.assertEqual(
                    command(admin, "CONFIG", "SET", "tls-port", str(server.port), "timeout", "7"),
                    b"-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable "
                    b"to listen on this port. Check server logs.\r\n")
                self.assertEqual(command(admin, "CONFIG", "GET", "timeout"),
                                 b"*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n")
                with tls_connect(moved) as s:
                    self.assertEqual(command(s, "PING"), b"+PONG\r\n")
                self.assertEqual(command(admin, "CONFIG", "SET", "tls-port", "0"), b"+OK\r\n")
                with self.assertRaises(OSError):
                    tls_connect(moved).close()

    def test_a_first_tls_port_set_at_run_time_serves_tls(self):
        for server in self.servers(extra_args=["--tls-port", "0"]):
            with socket.create_connection(("127.0.0.1", server.port),
                                          timeout=IO_TIMEOUT_S) as admin:
                port = free_port()
                self.assertEqual(command(admin, "CONFIG", "SET", "tls-port", str(port)),
                                 b"+OK\r\n")
                with tls_connect(port) as s:
                    self.assertEqual(command(s, "SET", "k", "v"), b"+OK\r\n")
                self.assertEqual(command(admin, "GET", "k"), b"$1\r\nv\r\n")

    def test_config_set_applies_to_new_clients(self):
        server = self.start(respd_binary)
        with socket.create_connection(("127.0.0.1", server.port), timeout=IO_TIMEOUT_S) as admin:
            existing = tls_connect(server.tls_port)
            self.addCleanup(existing.close)
            self.assertEqual(command(admin, "CONFIG", "SET", "tls-protocols", "TLSv1.2"),
                             b"+OK\r\n")
            self.assertEqual(command(admin, "CONFIG", "GET", "tls-protocols"),
                             b"*2\r\n$13\r\ntls-protocols\r\n$7\r\nTLSv1.2\r\n")
            with tls_connect(server.tls_port) as s:
                self.assertEqual(s.version(), "TLSv1.2")
            self.assertEqual(command(admin, "CONFIG", "SET", "tls-auth-clients", "optional"),
                             b"+OK\r\n")
            with tls_connect(server.tls_port, client_context(cert=None)) as s:
                self.assertEqual(command(s, "PING"), b"+PONG\r\n")
            self.assertEqual(command(existing, "PING"), b"+PONG\r\n")


def main():
    global respd_binary, certs
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    respd_binary = os.path.abspath(sys.argv.pop(1))
    cert_dir = tempfile.mkdtemp(prefix="respd-tls-certs.")
    try:
        certs = make_certificates(cert_dir)
        program = unittest.main(exit=False, verbosity=2)
        return 0 if program.result.wasSuccessful() else 1
    finally:
        shutil.rmtree(cert_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
