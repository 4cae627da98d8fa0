#!/usr/bin/env python3
"""PUBLISH fan-out benchmark: messages per second delivered to subscribers.

Opens --subscribers connections that SUBSCRIBE to one channel, then runs redis-benchmark as the
publisher (PUBLISH <channel> <payload>, --publishers connections, pipeline --pipeline) and counts
what every subscriber receives. Every message frame has the same size (one channel, one payload),
so a subscriber's count is its received bytes divided by the frame size: counting costs nothing
and cannot fall behind the server.

Prints one CSV line: subscribers,published,delivered,publish_per_s,delivered_per_s,lost
  published        PUBLISH calls redis-benchmark made
  delivered        messages the subscribers received, all of them together
  delivered_per_s  delivered / seconds from the publisher's start to the last message received
  lost             published * subscribers - delivered (0 unless a subscriber was cut off)
Exit status 1 if a subscriber is cut off or the run exceeds --timeout.
"""
import argparse
import os
import selectors
import socket
import subprocess
import sys
import time

CHANNEL = b"bench:pubsub"


def frame(*parts):
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--subscribers", type=int, default=1)
    parser.add_argument("--messages", type=int, default=100000, help="PUBLISH calls")
    parser.add_argument("--publishers", type=int, default=4, help="redis-benchmark -c")
    parser.add_argument("--pipeline", type=int, default=16, help="redis-benchmark -P")
    parser.add_argument("--payload", type=int, default=32, help="message bytes")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for the whole run")
    parser.add_argument("--cpu", default=None, help="taskset CPU list for redis-benchmark")
    args = parser.parse_args()

    payload = b"x" * args.payload
    message_size = len(frame(b"message", CHANNEL, payload))
    deadline = time.monotonic() + args.timeout

    subscribers = []
    confirmation = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(CHANNEL), CHANNEL)
    for _ in range(args.subscribers):
        s = socket.create_connection(("127.0.0.1", args.port), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.sendall(frame(b"SUBSCRIBE", CHANNEL))
        got = b""
        while len(got) < len(confirmation):
            chunk = s.recv(len(confirmation) - len(got))
            if not chunk:
                sys.exit("a subscriber was closed while subscribing")
            got += chunk
        if got != confirmation:
            sys.exit(f"unexpected SUBSCRIBE reply: {got!r}")
        s.setblocking(False)
        subscribers.append(s)

    received = {s.fileno(): 0 for s in subscribers}  # bytes
    selector = selectors.DefaultSelector()
    for s in subscribers:
        selector.register(s, selectors.EVENT_READ)

    command = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(args.port), "-c",
               str(args.publishers), "-n", str(args.messages), "-P", str(args.pipeline), "-q",
               "publish", CHANNEL.decode(), payload.decode()]
    if args.cpu is not None:
        command = ["taskset", "-c", args.cpu] + command
    start = time.monotonic()
    publisher = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    expected = args.messages * message_size
    last = start
    closed = False
    while time.monotonic() < deadline:
        if all(n >= expected for n in received.values()):
            break
        # Once the publisher is done, whatever is still missing must arrive promptly.
        if publisher.poll() is not None and time.monotonic() - last > 2:
            break
        for key, _ in selector.select(timeout=0.1):
            try:
                chunk = key.fileobj.recv(1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                selector.unregister(key.fileobj)
                closed = True
                continue
            received[key.fileobj.fileno()] += len(chunk)
            last = time.monotonic()
    try:
        publisher.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        publisher.kill()
        publisher.wait()
        sys.exit("the publisher did not finish within --timeout")
    if publisher.returncode != 0:
        sys.exit("redis-benchmark failed: " + publisher.stderr.read().decode(errors="replace"))
    for s in subscribers:
        s.close()

    delivered = sum(n // message_size for n in received.values())
    seconds = max(last - start, 1e-9)
    lost = args.messages * args.subscribers - delivered
    print(f"{args.subscribers},{args.messages},{delivered},{args.messages / seconds:.0f},"
          f"{delivered / seconds:.0f},{lost}")
    return 1 if closed or lost else 0


if __name__ == "__main__":
    sys.exit(main())
