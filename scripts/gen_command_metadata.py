#!/usr/bin/env python3
"""Generates server/dispatch/command_metadata_data.cc from redis-server's own COMMAND INFO and
COMMAND DOCS replies, so respd describes every command exactly as Redis 7.0 does.

Run by hand when the reference Redis changes (the output is checked in):

    scripts/gen_command_metadata.py                      # starts /usr/bin/redis-server itself
    scripts/gen_command_metadata.py --port 6379          # or asks a running one

It writes one declarative entry per command and subcommand of the reference server (all of them,
not only those respd registers, so a command's metadata exists before its handler lands). The
generator checks that the replies have the shape respd's COMMAND code writes (field order, types);
it fails loudly rather than emit data that could not be replayed byte for byte.
"""
import argparse
import os
import socket
import subprocess
import sys
import time

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server", "dispatch",
                      "command_metadata_data.cc")


class Simple(str):
    """A RESP simple string (status), as opposed to a bulk string (plain str)."""


class RespSet(list):
    pass


class RespMap(list):
    """Key-value pairs in reply order."""


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("server closed")
            self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill(len(self.buf) + 1)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        line = self._line()
        kind, rest = chr(line[0]), line[1:]
        if kind == "+":
            return Simple(rest.decode())
        if kind == "-":
            raise RuntimeError(rest.decode())
        if kind == ":":
            return int(rest)
        if kind == "$":
            n = int(rest)
            self._fill(n + 2)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if kind == "_":
            return None
        if kind in "*~%":
            n = int(rest)
            if kind == "%":
                return RespMap((self.read(), self.read()) for _ in range(n))
            items = [self.read() for _ in range(n)]
            return RespSet(items) if kind == "~" else items
        raise ValueError("unexpected RESP type " + kind)


def command(sock, reader, *args):
    out = b"*%d\r\n" % len(args)
    for arg in args:
        arg = arg.encode()
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    sock.sendall(out)
    return reader.read()


def expect(condition, message):
    if not condition:
        sys.exit("gen_command_metadata: unexpected reply shape: " + message)


def simple_list(value, what):
    expect(isinstance(value, RespSet) and all(isinstance(v, Simple) for v in value), what)
    for v in value:
        expect(" " not in v, what + " contains a space: " + v)
    return " ".join(value)


def bulk_set(value, what):
    expect(isinstance(value, RespSet) and all(type(v) is str for v in value), what)
    for v in value:
        expect(" " not in v, what + " contains a space: " + v)
    return " ".join(value)


def fields(value, allowed, what):
    """A map's fields as a dict, checking they appear in `allowed`'s order."""
    expect(isinstance(value, RespMap), what + " is not a map")
    keys = [k for k, _ in value]
    order = [k for k in allowed if k in keys]
    expect(keys == order, "%s fields %s, expected order %s" % (what, keys, allowed))
    return dict(value)


def c_string(s):
    out = '"'
    for ch in s.encode():
        if ch == 0x22:
            out += '\\"'
        elif ch == 0x5C:
            out += "\\\\"
        elif 0x20 <= ch < 0x7F:
            out += chr(ch)
        else:
            out += '\\x%02x""' % ch
    return out + '"'


class Emitter:
    def __init__(self):
        self.arrays = []  # definitions emitted before the entries that reference them
        self.counter = 0

    def name(self, prefix):
        self.counter += 1
        return "k%s%d" % (prefix, self.counter)

    def key_specs(self, specs, what):
        expect(isinstance(specs, list), what + " key specs")
        if not specs:
            return "{}"
        rows = []
        for spec in specs:
            f = fields(spec, ["notes", "flags", "begin_search", "find_keys"], what + " key spec")
            bs = fields(f["begin_search"], ["type", "spec"], what + " begin_search")
            fk = fields(f["find_keys"], ["type", "spec"], what + " find_keys")
            parts = []
            if "notes" in f:
                parts.append(".notes = " + c_string(f["notes"]))
            parts.append(".flags = " + c_string(simple_list(f["flags"], what + " key flags")))
            if bs["type"] == "index":
                s = fields(bs["spec"], ["index"], what + " index spec")
                parts.append(".begin_search = BeginSearch::kIndex")
                parts.append(".index = %d" % s["index"])
            elif bs["type"] == "keyword":
                s = fields(bs["spec"], ["keyword", "startfrom"], what + " keyword spec")
                parts.append(".begin_search = BeginSearch::kKeyword")
                parts.append(".keyword = " + c_string(s["keyword"]))
                parts.append(".startfrom = %d" % s["startfrom"])
            else:
                expect(bs["type"] == "unknown" and not bs["spec"], what + " begin_search type")
                parts.append(".begin_search = BeginSearch::kUnknown")
            if fk["type"] == "range":
                s = fields(fk["spec"], ["lastkey", "keystep", "limit"], what + " range spec")
                parts.append(".find_keys = FindKeys::kRange")
                parts.append(".lastkey = %d" % s["lastkey"])
                parts.append(".keystep = %d" % s["keystep"])
                parts.append(".limit = %d" % s["limit"])
            elif fk["type"] == "keynum":
                s = fields(fk["spec"], ["keynumidx", "firstkey", "keystep"], what + " keynum spec")
                parts.append(".find_keys = FindKeys::kKeynum")
                parts.append(".keystep = %d" % s["keystep"])
                parts.append(".keynumidx = %d" % s["keynumidx"])
                parts.append(".firstkey = %d" % s["firstkey"])
            else:
                expect(fk["type"] == "unknown" and not fk["spec"], what + " find_keys type")
                parts.append(".find_keys = FindKeys::kUnknown")
            rows.append("    {" + ", ".join(parts) + "},")
        array = self.name("KeySpecs")
        self.arrays.append("constexpr KeySpec %s[] = {\n%s\n};\n" % (array, "\n".join(rows)))
        return array

    def arguments(self, args, what):
        expect(isinstance(args, list) and args, what + " arguments")
        rows = []
        for arg in args:
            f = fields(arg, ["name", "type", "key_spec_index", "token", "summary", "since",
                             "deprecated_since", "display_text", "flags", "arguments"],
                       what + " argument")
            parts = [".name = " + c_string(f["name"]), ".type = " + c_string(f["type"])]
            if "key_spec_index" in f:
                parts.append(".key_spec_index = %d" % f["key_spec_index"])
            for key in ["token", "summary", "since", "deprecated_since", "display_text"]:
                if key in f:  # may be "" (MIGRATE's empty-key token): present, unlike absent
                    parts.append(".%s = %s" % (key, c_string(f[key])))
            if "flags" in f:
                parts.append(".flags = " + c_string(simple_list(f["flags"], what + " arg flags")))
            expect(("arguments" in f) == (f["type"] in ("oneof", "block")), what + " nesting")
            if "arguments" in f:
                parts.append(".arguments = " + self.arguments(f["arguments"], what))
            rows.append("    {" + ", ".join(parts) + "},")
        array = self.name("Args")
        self.arrays.append("constexpr Argument %s[] = {\n%s\n};\n" % (array, "\n".join(rows)))
        return array

    def history(self, history, what):
        expect(isinstance(history, RespSet), what + " history")
        rows = []
        for entry in history:
            expect(isinstance(entry, list) and len(entry) == 2, what + " history entry")
            rows.append("    {%s, %s}," % (c_string(entry[0]), c_string(entry[1])))
        array = self.name("History")
        self.arrays.append("constexpr HistoryEntry %s[] = {\n%s\n};\n" % (array, "\n".join(rows)))
        return array

    def entry(self, info, docs, subcommands):
        """One CommandMetadata initializer; `subcommands` names an array or is None."""
        expect(isinstance(info, list) and len(info) == 10, "COMMAND INFO entry")
        name = info[0]
        parts = [".name = " + c_string(name), ".arity = %d" % info[1],
                 ".flags = " + c_string(simple_list(info[2], name + " flags")),
                 ".first_key = %d" % info[3], ".last_key = %d" % info[4],
                 ".key_step = %d" % info[5],
                 ".acl_categories = " + c_string(simple_list(info[6], name + " categories")),
                 ".tips = " + c_string(bulk_set(info[7], name + " tips")),
                 ".key_specs = " + self.key_specs(info[8], name)]
        d = fields(docs, ["summary", "since", "group", "complexity", "doc_flags",
                          "deprecated_since", "replaced_by", "history", "arguments",
                          "subcommands"], name + " docs")
        expect("group" in d, name + " has no group")
        for key in ["summary", "since", "group", "complexity", "doc_flags", "deprecated_since",
                    "replaced_by"]:
            if key == "doc_flags" and key in d:
                parts.append(".doc_flags = " + c_string(simple_list(d[key], name + " doc")))
            elif key in d:
                expect(d[key] != "", name + " empty " + key)
                parts.append(".%s = %s" % (key, c_string(d[key])))
        if "history" in d:
            parts.append(".history = " + self.history(d["history"], name))
        if "arguments" in d:
            parts.append(".arguments = " + self.arguments(d["arguments"], name))
        expect(("subcommands" in d) == (subcommands is not None), name + " subcommands")
        if subcommands is not None:
            parts.append(".subcommands = " + subcommands)
        return "    {" + ",\n     ".join(parts) + "},"


def generate(sock):
    reader = Reader(sock)
    hello = command(sock, reader, "HELLO", "3")
    version = dict(hello)["version"]
    infos = command(sock, reader, "COMMAND", "INFO")
    docs = dict(command(sock, reader, "COMMAND", "DOCS"))
    emitter = Emitter()
    top = []
    for info in sorted(infos, key=lambda i: i[0]):
        name = info[0]
        doc = docs[name]
        subs = info[9]
        sub_array = None
        if subs:
            # Redis lists subcommands in its hash table's order, which changes with each
            # process's hash seed; by name, the output is stable.
            sub_docs = dict(dict(doc)["subcommands"])
            expect(sorted(s[0] for s in subs) == sorted(sub_docs), name + " subcommands differ")
            subs = sorted(subs, key=lambda s: s[0])
            sub_rows = [emitter.entry(sub, sub_docs[sub[0]], None) for sub in subs]
            sub_array = emitter.name("Subcommands")
            emitter.arrays.append("constexpr CommandMetadata %s[] = {\n%s\n};\n" %
                                  (sub_array, "\n".join(sub_rows)))
        top.append(emitter.entry(info, doc, sub_array))
    out = []
    out.append("// GENERATED by scripts/gen_command_metadata.py from redis-server %s's COMMAND INFO and\n"
               "// COMMAND DOCS. Do not edit: rerun the script.\n" % version)
    out.append('#include "server/dispatch/command_metadata.h"\n\n')
    out.append("namespace respd::server::metadata {\nnamespace {\n\n")
    out.extend(emitter.arrays)
    out.append("// Sorted by name, subcommands too.\n")
    out.append("constexpr CommandMetadata kCommands[] = {\n%s\n};\n\n" % "\n".join(top))
    out.append("}  // namespace\n\n")
    out.append("std::span<const CommandMetadata> RedisCommands() { return kCommands; }\n\n")
    out.append("}  // namespace respd::server::metadata\n")
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, help="a running redis-server's port")
    parser.add_argument("--redis-server", default="/usr/bin/redis-server")
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args()
    process = None
    port = args.port
    if port is None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        process = subprocess.Popen([args.redis_server, "--port", str(port), "--bind", "127.0.0.1",
                                    "--save", "", "--appendonly", "no"],
                                   stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("gen_command_metadata: cannot connect to port %d" % port)
        text = generate(sock)
        sock.close()
    finally:
        if process is not None:
            process.terminate()
            process.wait()
    with open(args.output, "w") as f:
        f.write(text)
    print("wrote " + os.path.normpath(args.output))


if __name__ == "__main__":
    main()
