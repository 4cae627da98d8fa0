#!/usr/bin/env python3
"""Drains a stream through a consumer group as a queue worker does: XREADGROUP ... COUNT n STREAMS
key >, then XACK of the IDs it got, until the group has read every entry. Prints
"entries,seconds,entries/s". Used by bench/compare.sh; the stream must already hold the entries.

Usage: stream_group_rate.py PORT KEY [--count N] [--timeout S]
"""
import argparse
import socket
import sys
import time


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        arg = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


def parse(buf, pos):
    """Returns (value, next position), or None if buf does not yet hold a whole reply."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return None
    kind, line = buf[pos:pos + 1], buf[pos + 1:end]
    pos = end + 2
    if kind in (b"+", b":"):
        return line, pos
    if kind == b"-":
        raise RuntimeError(line.decode())
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, pos
        if len(buf) < pos + size + 2:
            return None
        return buf[pos:pos + size], pos + size + 2
    if kind == b"*":
        size = int(line)
        if size < 0:
            return None, pos
        items = []
        for _ in range(size):
            parsed = parse(buf, pos)
            if parsed is None:
                return None
            item, pos = parsed
            items.append(item)
        return items, pos
    raise RuntimeError(f"unexpected reply type {kind!r}")


class Client:
    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def call(self, *args):
        self.sock.sendall(encode(*args))
        while True:
            parsed = parse(self.buf, 0) if self.buf else None
            if parsed is not None:
                value, pos = parsed
                self.buf = self.buf[pos:]
                return value
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("key")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    client = Client(args.port, args.timeout)
    total = int(client.call("XLEN", args.key))
    client.call("XGROUP", "CREATE", args.key, "bench", "0")
    done = 0
    start = time.perf_counter()
    while done < total:  # bounded: every round reads at least one new entry or stops
        reply = client.call("XREADGROUP", "GROUP", "bench", "worker", "COUNT", args.count,
                            "STREAMS", args.key, ">")
        entries = reply[0][1] if reply else []
        if not entries:
            break
        acked = int(client.call("XACK", args.key, "bench", *[entry[0] for entry in entries]))
        if acked != len(entries):
            sys.exit(f"XACK acknowledged {acked} of {len(entries)}")
        done += len(entries)
    seconds = time.perf_counter() - start
    client.call("XGROUP", "DESTROY", args.key, "bench")
    if done != total:
        sys.exit(f"read {done} of {total} entries")
    print(f"{done},{seconds:.6f},{done / seconds:.0f}")


if __name__ == "__main__":
    main()
