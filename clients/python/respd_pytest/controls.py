"""The RESPD test controls as Python objects: leased databases, the clock, faults, the journal.

Each wraps RESPD commands sent on a control connection (docs/TESTING.md has the grammar). Times
are in seconds, as Python's own are; the server speaks milliseconds.
"""

import datetime
from dataclasses import dataclass, field

import redis

from .server import RespdError


def _ms(seconds):
    return int(round(seconds * 1000))


def _unix_ms(at):
    """A datetime (naive means UTC) or Unix seconds, as Unix milliseconds."""
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=datetime.timezone.utc)
        return _ms(at.timestamp())
    return _ms(at)


class Lease:
    """A database reserved by RESPD DB LEASE for as long as its own connection holds it.

    The lease belongs to the connection that asked for it, so it gets one of its own that sends
    nothing but RESPD commands (which faults never match). release() gives the database back.
    """

    def __init__(self, server):
        self._server = server
        self._conn = server.client(db=0, single_connection_client=True, socket_timeout=10)
        try:
            self.db = int(self._conn.execute_command("RESPD", "DB", "LEASE"))
        except redis.ResponseError as e:
            self._conn.close()
            if "unknown subcommand" in str(e):
                raise RespdError(
                    f"this respd cannot lease databases (RESPD DB LEASE: {e}); "
                    "the respd fixture needs a respd with RESPD DB LEASE/RELEASE"
                ) from e
            raise

    @property
    def url(self):
        return self._server.url(self.db)

    def client(self, **kwargs):
        """A new redis-py client on the leased database."""
        return self._server.client(db=self.db, **kwargs)

    def release(self):
        if self._conn is None:
            return
        try:
            self._conn.execute_command("RESPD", "DB", "RELEASE", self.db)
        finally:
            self._conn.close()
            self._conn = None


class Clock:
    """The server clock (RESPD TIME). Every method returns the new now, in Unix seconds."""

    def __init__(self, control):
        self._control = control

    def _time(self, *args):
        return int(self._control.execute_command("RESPD", "TIME", *args)) / 1000

    def advance(self, seconds):
        """Moves time forward: TTLs run out, blocked commands time out, as if it had passed."""
        if seconds < 0:
            raise ValueError("the clock only advances; use set() to go back")
        return self._time("ADVANCE", _ms(seconds))

    def freeze(self, at=None):
        """Stops the clock at now, or at `at` (a datetime or Unix seconds)."""
        return self._time("FREEZE") if at is None else self._time("FREEZE", _unix_ms(at))

    def set(self, at):
        """Puts the clock at `at` (backwards too); it stays frozen if it was."""
        return self._time("SET", _unix_ms(at))

    def resume(self):
        """Lets a frozen clock flow again from where it stands."""
        return self._time("RESUME")

    def real(self):
        """Back to the wall clock."""
        return self._time("REAL")

    def _state(self):
        reply = self._control.execute_command("RESPD", "TIME")
        if isinstance(reply, list):  # RESP2 flattens the map
            reply = dict(zip(reply[::2], reply[1::2]))
        return {_text(k): v for k, v in reply.items()}

    @property
    def mode(self):
        """"real", "frozen" or "flowing" (running from a moved instant)."""
        return _text(self._state()["mode"])

    def now(self):
        return int(self._state()["now-ms"]) / 1000


class Fault:
    """A rule added by Faults.add(); remove() deletes it (a rule past its TIMES is already gone)."""

    def __init__(self, control, fault_id):
        self._control = control
        self.id = fault_id

    def info(self):
        """The rule as RESPD FAULT LIST shows it (counters `matched` and `fired` included), or None
        once it is gone."""
        for rule in self._control.execute_command("RESPD", "FAULT", "LIST"):
            rule = _pairs(rule)
            if rule["id"] == self.id:
                return rule
        return None

    @property
    def fired(self):
        rule = self.info()
        return 0 if rule is None else rule["fired"]

    def remove(self):
        """True if the rule was still there."""
        return bool(self._control.execute_command("RESPD", "FAULT", "DEL", self.id))


class Faults:
    """Fault rules (RESPD FAULT). close() removes the rules added here and ends the modes set
    here."""

    def __init__(self, control):
        self._control = control
        self._added = []
        self._modes = set()

    def add(self, *, error=None, delay=None, close=None, noreply=False, command=None, key=None,
            client=None, db=None, after=None, times=None, probability=None):
        """Adds a rule and returns it as a Fault.

        One action: `error` (the reply's text, e.g. "LOADING Redis is loading the dataset in
        memory"), `delay` (seconds), `close` ("before" or "after" executing) or `noreply=True`.
        Matchers: `command` (a name or a list), `key` and `client` (name) globs, `db`. `after`
        skips the first n matches, `times` removes the rule after firing n times, `probability`
        fires on that fraction of matches (seeded on the server).
        """
        actions = (error is not None, delay is not None, close is not None, noreply)
        if sum(map(bool, actions)) != 1:
            raise ValueError("give exactly one of error=, delay=, close=, noreply=True")
        args = []
        for name in [command] if isinstance(command, str) else command or []:
            args += ["COMMAND", name]
        for word, value in (("KEY", key), ("CLIENT", client), ("DB", db), ("AFTER", after),
                            ("TIMES", times), ("PROBABILITY", probability)):
            if value is not None:
                args += [word, value]
        if error is not None:
            args += ["ERROR", error]
        elif delay is not None:
            args += ["DELAY", _ms(delay)]
        elif close is not None:
            if close not in ("before", "after"):
                raise ValueError('close= is "before" or "after"')
            args += ["CLOSE", close.upper()]
        else:
            args += ["NOREPLY"]
        fault_id = int(self._control.execute_command("RESPD", "FAULT", "ADD", *args))
        fault = Fault(self._control, fault_id)
        self._added.append(fault)
        return fault

    def list(self):
        return [_pairs(rule) for rule in self._control.execute_command("RESPD", "FAULT", "LIST")]

    def loading(self, on=True):
        """Every command answers -LOADING, as while a server loads its data."""
        self._mode("LOADING", on)

    def readonly(self, on=True):
        """Writes answer -READONLY, as a replica's do."""
        self._mode("READONLY", on)

    def _mode(self, mode, on):
        self._control.execute_command("RESPD", "FAULT", mode, "on" if on else "off")
        (self._modes.add if on else self._modes.discard)(mode)

    def clear(self):
        """Removes every rule on the server, not only those added here, and ends both modes."""
        self._control.execute_command("RESPD", "FAULT", "CLEAR")
        self._added.clear()
        self._modes.clear()

    def close(self):
        for fault in self._added:
            fault.remove()
        self._added.clear()
        for mode in sorted(self._modes):
            self._control.execute_command("RESPD", "FAULT", mode, "off")
        self._modes.clear()


class JournalTimeout(AssertionError):
    """journal.wait() saw fewer matching commands than it waited for."""


@dataclass
class JournalEntry:
    seq: int
    time_ms: int
    client_id: int
    client_name: str
    lib_name: str
    lib_ver: str
    db: int
    argv: list = field(default_factory=list)
    reply: str = "ok"  # or "error"
    error: str = ""
    duration_us: int = 0

    @property
    def command(self):
        """The command's name, lower case (argv[0])."""
        return self.argv[0].lower() if self.argv else ""


class Journal:
    """The command journal (RESPD JOURNAL): what clients sent, with filters.

    Filters, in every method: `command` (a name or a list), `key` and `client` (name) globs, `lib`
    (client library name), `since` (entries after that seq). `db` is applied here, not on the
    server: entries whose client was on that database.
    """

    def __init__(self, control, server):
        self._control = control
        self._server = server

    def on(self):
        self._control.execute_command("RESPD", "JOURNAL", "ON")

    def off(self):
        self._control.execute_command("RESPD", "JOURNAL", "OFF")

    def reset(self):
        self._control.execute_command("RESPD", "JOURNAL", "RESET")

    def commands(self, *, count=None, db=None, **filters):
        """Matching entries, oldest first (the first `count` of them)."""
        args = _filters(**filters)
        if count is not None and db is None:
            args += ["COUNT", count]
        reply = self._control.execute_command("RESPD", "JOURNAL", "GET", *args)
        entries = [_entry(e) for e in reply]
        if db is not None:
            entries = [e for e in entries if e.db == db][:count]
        return entries

    def count(self, **filters):
        return int(self._control.execute_command("RESPD", "JOURNAL", "COUNT", *_filters(**filters)))

    def wait(self, *, min=1, timeout=5.0, **filters):
        """Blocks until at least `min` matching commands were recorded (a background worker did its
        part) and returns how many match; raises JournalTimeout after `timeout` seconds."""
        if timeout <= 0:
            raise ValueError("wait() needs a timeout above 0 seconds")
        # WAIT blocks its connection, so it gets its own, with room beyond the server's timeout.
        with self._server.client(db=0, single_connection_client=True,
                                 socket_timeout=timeout + 10) as conn:
            seen = int(conn.execute_command("RESPD", "JOURNAL", "WAIT", *_filters(**filters),
                                            "MIN", min, "TIMEOUT", max(1, _ms(timeout))))
        if seen < min:
            raise JournalTimeout(f"journal: {seen} matching command(s) after {timeout} s, "
                                 f"waited for {min} ({filters})")
        return seen


def _filters(command=None, key=None, client=None, lib=None, since=None):
    args = []
    if client is not None:
        args += ["CLIENT", client]
    if lib is not None:
        args += ["LIB", lib]
    if command is not None:
        args += ["COMMAND", *([command] if isinstance(command, str) else command)]
    if key is not None:
        args += ["KEY", key]
    if since is not None:
        args += ["SINCE", since]
    return args


def _text(value):
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _pairs(flat):
    """A RESP2 flattened map as a dict with str keys; bulk values decoded."""
    if isinstance(flat, dict):
        flat = [x for pair in flat.items() for x in pair]
    out = {}
    for k, v in zip(flat[::2], flat[1::2]):
        out[_text(k)] = [_text(x) for x in v] if isinstance(v, list) else _text(v)
    return out


def _entry(flat):
    e = _pairs(flat)
    return JournalEntry(
        seq=e["seq"], time_ms=e["time"], client_id=e["client-id"], client_name=e["client-name"],
        lib_name=e["lib-name"], lib_ver=e["lib-ver"], db=e["db"], argv=e["argv"],
        reply=e["reply"], error=e["error"], duration_us=e["duration-us"],
    )
