// DEBUG: the subcommands client libraries' test suites call (POPULATE, OBJECT, DIGEST,
// DIGEST-VALUE, PROTOCOL, SET-ACTIVE-EXPIRE, SET-DISABLE-DENY-SCRIPTS, PAUSE-CRON, ERROR, SLEEP,
// LOG, RELOAD...), refused unless enable-debug-command allows the client (the dispatcher checks kProtected). Those
// about replication, persistence, crashes or allocator internals are not here. Reads and writes the
// keyspace through ServerContext only; no sockets, no other family.
#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/commands/handler_support.h"
#include "server/config/config.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"
#include "server/scripting/sha1.h"
#include "storage/dump_ops.h"
#include "storage/glob.h"
#include "storage/hash_object.h"
#include "storage/list_object.h"
#include "storage/numbers.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace respd::server {
namespace {

using storage::Entry;
using storage::ValueType;

// ---- DIGEST ---------------------------------------------------------------------------------
// Redis's dataset digest (debug.c): SHA1-based, order-independent where the type is (sets,
// hashes, sorted sets, keys of a database), so equal datasets digest equally on respd and Redis.

using Digest = std::array<uint8_t, 20>;

Digest Sha1(std::string_view data) {
  std::string hex = Sha1Hex(data);
  Digest out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

// Redis's xorDigest: digest ^= SHA1(data).
void XorDigest(Digest& digest, std::string_view data) {
  Digest hash = Sha1(data);
  for (size_t i = 0; i < digest.size(); ++i) digest[i] ^= hash[i];
}

// Redis's mixDigest: digest = SHA1(digest ^ SHA1(data)), so order matters.
void MixDigest(Digest& digest, std::string_view data) {
  XorDigest(digest, data);
  digest = Sha1(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string_view AsBytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// Redis's object type numbers (OBJ_STRING...), which the digest mixes in.
uint32_t RedisTypeNumber(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return 0;
    case ValueType::kList:
      return 1;
    case ValueType::kSet:
      return 2;
    case ValueType::kZSet:
      return 3;
    case ValueType::kHash:
      return 4;
    case ValueType::kStream:
      return 6;
  }
  return 0;
}

// Redis's xorObjectDigest: the value (and whether it has a TTL) folded into `digest`.
void ObjectDigest(const Entry& entry, Digest& digest) {
  uint32_t type = htonl(RedisTypeNumber(entry.type()));
  MixDigest(digest, std::string_view(reinterpret_cast<const char*>(&type), sizeof(type)));
  switch (entry.type()) {
    case ValueType::kString:
      MixDigest(digest, entry.str());
      break;
    case ValueType::kList: {
      const auto& list = static_cast<const storage::List&>(*entry.object());
      list.Walk(0, false, [&](size_t, std::string_view element) {
        MixDigest(digest, element);
        return true;
      });
      break;
    }
    case ValueType::kSet:
      static_cast<const storage::Set&>(*entry.object()).ForEach([&](std::string_view member) {
        XorDigest(digest, member);
      });
      break;
    case ValueType::kZSet: {
      const auto& zset = static_cast<const storage::ZSet&>(*entry.object());
      zset.ForRange(0, zset.Length(), false, [&](std::string_view member, double score) {
        char buf[64];
        int len = std::snprintf(buf, sizeof(buf), "%.17g", score);
        Digest element{};
        MixDigest(element, member);
        MixDigest(element, std::string_view(buf, static_cast<size_t>(len)));
        XorDigest(digest, AsBytes(element));
      });
      break;
    }
    case ValueType::kHash:
      static_cast<const storage::Hash&>(*entry.object())
          .ForEach([&](std::string_view field, std::string_view value) {
            Digest element{};
            MixDigest(element, field);
            MixDigest(element, value);
            XorDigest(digest, AsBytes(element));
          });
      break;
    case ValueType::kStream:  // no stream commands yet, so no stream values
      break;
  }
  if (entry.has_expire()) XorDigest(digest, "!!expire!!");
}

std::string Hex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

// DEBUG DIGEST: every database's keys, expired ones not yet reclaimed included, as Redis.
void CmdDigest(CommandContext& ctx) {
  Digest final_digest{};
  storage::Store& store = ctx.server.store;
  for (int i = 0; i < store.num_databases(); ++i) {
    storage::Database& db = store.db(i);
    if (db.Size() == 0) continue;
    uint32_t index = htonl(static_cast<uint32_t>(i));
    MixDigest(final_digest, std::string_view(reinterpret_cast<const char*>(&index), sizeof(index)));
    db.ForEachStored([&](const Entry* entry) {
      Digest digest{};
      MixDigest(digest, entry->key());
      ObjectDigest(*entry, digest);
      XorDigest(final_digest, AsBytes(digest));
    });
  }
  ctx.reply.SimpleString(Hex(final_digest));
}

// DEBUG DIGEST-VALUE [key ...]: the value digests, without the key names; zeros for a missing key.
void CmdDigestValue(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    Digest digest{};
    const Entry* entry = ctx.db().FindStored(ctx.args[i]);
    if (entry != nullptr) ObjectDigest(*entry, digest);
    ctx.reply.SimpleString(Hex(digest));
  }
}

// ---- OBJECT, LISTPACK -----------------------------------------------------------------------

// Redis shares the integers 0..9999 between keys (refcount INT_MAX) unless a memory limit with
// an LRU or LFU policy gives each key its own access clock.
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = 2147483647;

int64_t Refcount(CommandContext& ctx, const Entry& entry) {
  if (entry.type() != ValueType::kString || entry.StringEncodingName() != "int") return 1;
  std::optional<int64_t> value = storage::ParseInt64(entry.str());
  if (!value || *value < 0 || *value >= kSharedIntegers) return 1;
  std::string policy = ctx.server.config.Get("maxmemory-policy").text();
  bool per_key_clock = ctx.server.config.Get("maxmemory").number() != 0 &&
                       (policy.ends_with("-lru") || policy.ends_with("-lfu"));
  return per_key_clock ? 1 : kSharedRefcount;
}

// Redis's serializedlength: the size of the value's RDB encoding (its DUMP body without the type
// byte), LZF included under rdbcompression.
size_t SerializedLength(const ServerContext& server, const Entry& entry) {
  storage::rdb::Writer w(RdbCompression(server.config));
  storage::WriteEntryValue(entry, w);
  return w.data().size() - 1;
}

// DEBUG OBJECT key: Redis's line; the address and lru are respd's own.
void CmdObject(CommandContext& ctx) {
  const Entry* entry = ctx.db().FindStored(ctx.args[2]);
  if (entry == nullptr) {
    ctx.reply.Error(kErrNoSuchKey);
    return;
  }
  bool is_string = entry->type() == ValueType::kString;
  std::string_view encoding = is_string ? entry->StringEncodingName() : entry->object()->Encoding();
  char line[512];
  int len = std::snprintf(
      line, sizeof(line),
      "Value at:%p refcount:%lld encoding:%.*s serializedlength:%zu lru:%u lru_seconds_idle:%lld",
      static_cast<const void*>(entry), static_cast<long long>(Refcount(ctx, *entry)),
      static_cast<int>(encoding.size()), encoding.data(), SerializedLength(ctx.server, *entry), entry->lru(),
      static_cast<long long>(storage::IdleSeconds(entry, storage::CommandTimeMs())));
  std::string reply(line, static_cast<size_t>(len));
  if (entry->type() == ValueType::kList) {
    const auto& list = static_cast<const storage::List&>(*entry->object());
    size_t nodes = list.NodeCount();
    len = std::snprintf(
        line, sizeof(line),
        " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%lld ql_compressed:%d "
        "ql_uncompressed_size:%zu",
        nodes, nodes == 0 ? 0.0 : static_cast<double>(list.Length()) / static_cast<double>(nodes),
        static_cast<long long>(ctx.server.config.Get("list-max-listpack-size").number()),
        ctx.server.config.Get("list-compress-depth").number() != 0 ? 1 : 0, list.PackedBytes());
    reply.append(line, static_cast<size_t>(len));
  }
  ctx.reply.SimpleString(reply);
}

// DEBUG LISTPACK key: Redis prints the listpack on its stdout; respd only answers as Redis does.
void CmdListpack(CommandContext& ctx) {
  const Entry* entry = ctx.db().FindStored(ctx.args[2]);
  if (entry == nullptr) {
    ctx.reply.Error(kErrNoSuchKey);
    return;
  }
  if (entry->type() == ValueType::kString || entry->object()->Encoding() != "listpack") {
    ctx.reply.Error("ERR Not a listpack encoded object.");
    return;
  }
  ctx.reply.SimpleString("Listpack structure printed on stdout");
}

// ---- POPULATE -------------------------------------------------------------------------------

// Redis formats each key into a 128-byte buffer, so a long prefix is cut.
constexpr size_t kPopulateKeyMax = 127;

// DEBUG POPULATE count [prefix] [size]: string keys "prefix:N" (prefix "key") holding "value:N",
// cut or zero-padded to `size` bytes when given; existing keys are left alone. Not a change
// Redis counts, and it wakes no one (only strings are written).
void CmdPopulate(CommandContext& ctx) {
  ArgParser parser(ctx.args, 2);
  int64_t count = parser.NextNonNegative();
  std::string prefix(parser.HasNext() ? AsCString(parser.Next()) : "key");
  int64_t size = parser.HasNext() ? parser.NextNonNegative() : 0;
  if (!parser.Finalize(ctx)) return;
  storage::Database& db = ctx.db();
  std::string value;
  for (int64_t j = 0; j < count; ++j) {
    std::string key = prefix + ":" + std::to_string(j);
    if (key.size() > kPopulateKeyMax) key.resize(kPopulateKeyMax);
    if (db.FindWrite(key) != nullptr) continue;
    value = "value:" + std::to_string(j);
    if (size != 0) value.resize(static_cast<size_t>(size), '\0');
    db.SetString(key, value, Entry::kNoExpire);
  }
  ctx.reply.Ok();
}

// ---- PROTOCOL -------------------------------------------------------------------------------

// DEBUG PROTOCOL type: Redis's sample reply of each RESP3 type, as each protocol carries it.
void CmdProtocol(CommandContext& ctx) {
  std::string_view type = ctx.args[2];
  protocol::ReplyWriter& reply = ctx.reply;
  if (IsKeyword(type, "string")) {
    reply.Bulk("Hello World");
  } else if (IsKeyword(type, "integer")) {
    reply.Integer(12345);
  } else if (IsKeyword(type, "double")) {
    reply.Double(3.141);
  } else if (IsKeyword(type, "bignum")) {
    reply.BigNumber("1234567999999999999999999999999999999");
  } else if (IsKeyword(type, "null")) {
    reply.Null();
  } else if (IsKeyword(type, "array") || IsKeyword(type, "set")) {
    IsKeyword(type, "array") ? reply.ArrayHeader(3) : reply.SetHeader(3);
    for (int j = 0; j < 3; ++j) reply.Integer(j);
  } else if (IsKeyword(type, "map")) {
    reply.MapHeader(3);
    for (int j = 0; j < 3; ++j) {
      reply.Integer(j);
      reply.Bool(j == 1);
    }
  } else if (IsKeyword(type, "attrib")) {
    if (reply.resp3()) {
      reply.AttributeHeader(1);
      reply.Bulk("key-popularity");
      reply.ArrayHeader(2);
      reply.Bulk("key:123");
      reply.Integer(90);
    }
    reply.Bulk("Some real reply following the attribute");
  } else if (IsKeyword(type, "push")) {
    if (!reply.resp3()) {
      reply.Error("ERR RESP2 is not supported by this command");
      return;
    }
    reply.PushHeader(2);
    reply.Bulk("server-cpu-usage");
    reply.Integer(42);
    reply.Bulk("Some real reply following the push reply");
  } else if (IsKeyword(type, "verbatim")) {
    reply.Verbatim("txt", "This is a verbatim\nstring");
  } else if (IsKeyword(type, "true") || IsKeyword(type, "false")) {
    reply.Bool(IsKeyword(type, "true"));
  } else {
    reply.Error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

// ---- The rest ---------------------------------------------------------------------------------

// DEBUG SLEEP seconds: blocks the calling connection's I/O thread holding every shard, so with
// any number of threads no command touching keys runs meanwhile, as in Redis.
void CmdSleep(CommandContext& ctx) {
  // Redis reads the seconds with strtod and treats garbage as 0.
  std::string text(ctx.args[2]);
  double seconds = std::strtod(text.c_str(), nullptr);
  // Redis's conversion to microseconds overflows past ~292,000 years; a century is as long to any
  // client and keeps the conversion defined.
  constexpr double kMaxSleepSeconds = 100.0 * 366 * 24 * 3600;
  if (std::isfinite(seconds) && seconds > 0) {
    seconds = std::min(seconds, kMaxSleepSeconds);
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
  }
  ctx.reply.Ok();
}

// DEBUG CONFIG-REWRITE-FORCE-ALL
void CmdConfigRewriteForceAll(CommandContext& ctx) {
  std::string error = ctx.server.config.RewriteForceAll();
  if (error.empty()) return ctx.reply.Ok();
  ctx.reply.Error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + error);
}

// DEBUG LOG message
void CmdLog(CommandContext& ctx) {
  spdlog::warn("DEBUG LOG: {}", ctx.args[2]);
  ctx.reply.Ok();
}

// DEBUG ERROR message: an error reply of exactly `message`, for clients' error-handling tests.
void CmdError(CommandContext& ctx) { ctx.reply.Error(AsCString(ctx.args[2])); }

// DEBUG SET-ACTIVE-EXPIRE 0|1: any other integer turns it on, as Redis's atoi != 0.
void CmdSetActiveExpire(CommandContext& ctx) {
  std::string text(ctx.args[2]);
  ctx.server.active_expire.store(std::atoi(text.c_str()) != 0, std::memory_order_relaxed);
  ctx.reply.Ok();
}

// DEBUG SET-DISABLE-DENY-SCRIPTS 0|1: as SET-ACTIVE-EXPIRE, Redis's atoi != 0.
void CmdSetDisableDenyScripts(CommandContext& ctx) {
  std::string text(ctx.args[2]);
  ctx.server.scripting.set_noscript_allowed(std::atoi(text.c_str()) != 0);
  ctx.reply.Ok();
}

// DEBUG PAUSE-CRON 0|1: as SET-ACTIVE-EXPIRE, Redis's atoi != 0.
void CmdPauseCron(CommandContext& ctx) {
  std::string text(ctx.args[2]);
  ctx.server.pause_cron.store(std::atoi(text.c_str()) != 0, std::memory_order_relaxed);
  ctx.reply.Ok();
}

// DEBUG HTSTATS-KEY key: the shape of the hash table behind a set, hash or sorted set, in Redis's
// dictGetStats text. respd resizes its tables at once, so there is never a "rehashing target".
void CmdHtstatsKey(CommandContext& ctx) {
  const Entry* entry = ctx.db().FindStored(ctx.args[2]);
  if (entry == nullptr) return ctx.reply.Error(kErrNoSuchKey);
  std::optional<storage::HashTableStats> stats;
  if (entry->type() != ValueType::kString) stats = entry->object()->TableStats();
  if (!stats) {
    return ctx.reply.Error(
        "ERR The value stored at the specified key is not represented using an hash table");
  }
  size_t used_buckets = stats->buckets - stats->buckets_by_length[0];
  // Redis divides in float: the same rounding gives the same digits.
  float average = static_cast<float>(stats->elements) / static_cast<float>(used_buckets);
  char line[512];
  int len = std::snprintf(
      line, sizeof(line),
      "Hash table 0 stats (main hash table):\n table size: %zu\n number of elements: %zu\n"
      " different slots: %zu\n max chain length: %zu\n avg chain length (counted): %.02f\n"
      " avg chain length (computed): %.02f\n Chain length distribution:\n",
      stats->buckets, stats->elements, used_buckets, stats->max_chain, static_cast<double>(average),
      static_cast<double>(average));
  std::string text(line, static_cast<size_t>(len));
  for (size_t length = 0; length + 1 < stats->buckets_by_length.size(); ++length) {
    size_t count = stats->buckets_by_length[length];
    if (count == 0) continue;
    float share = static_cast<float>(count) / static_cast<float>(stats->buckets) * 100;
    len = std::snprintf(line, sizeof(line), "   %zu: %zu (%.02f%%)\n", length, count,
                        static_cast<double>(share));
    text.append(line, static_cast<size_t>(len));
  }
  ctx.reply.Verbatim("txt", text);
}

// DEBUG REPLYBUFFER PEAK-RESET-TIME never|reset|ms, DEBUG REPLYBUFFER RESIZING 0|1: how the cron
// resizes clients' reply buffers (server/net/connection.h). A negative time is never, as in Redis.
void CmdReplybuffer(CommandContext& ctx) {
  ServerContext& server = ctx.server;
  if (IsKeyword(ctx.args[2], "peak-reset-time")) {
    if (IsKeyword(ctx.args[3], "never")) {
      server.reply_buffer_peak_reset_ms.store(-1, std::memory_order_relaxed);
    } else if (IsKeyword(ctx.args[3], "reset")) {
      server.reply_buffer_peak_reset_ms.store(ServerContext::kDefaultReplyBufferPeakResetMs,
                                              std::memory_order_relaxed);
    } else {
      auto ms = storage::ParseInt64(ctx.args[3]);
      if (!ms) return ctx.reply.Error(kErrNotInteger);
      server.reply_buffer_peak_reset_ms.store(*ms, std::memory_order_relaxed);
    }
  } else if (IsKeyword(ctx.args[2], "resizing")) {
    std::string text(ctx.args[3]);
    server.reply_buffer_resizing.store(std::atoi(text.c_str()) != 0, std::memory_order_relaxed);
  } else {
    return ctx.reply.Error(SubcommandSyntaxError("debug", ctx.args[1]));
  }
  ctx.reply.Ok();
}

// DEBUG QUICKLIST-PACKED-THRESHOLD size: respd's lists never use plain nodes, so the size is only
// validated as Redis does (up to 4 GB less 1 MB; 0 restores the default).
void CmdQuicklistPackedThreshold(CommandContext& ctx) {
  constexpr uint64_t kMaxThreshold = (uint64_t{1} << 32) - (uint64_t{1} << 20);
  uint64_t bytes = 0;
  if (!ParseMemory(ctx.args[2], &bytes) || bytes > kMaxThreshold) {
    ctx.reply.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    return;
  }
  ctx.reply.Ok();
}

// DEBUG CHANGE-REPL-ID: respd has no replication, so there is no history to cut.
void CmdChangeReplId(CommandContext& ctx) { ctx.reply.Ok(); }

// The random inputs STRINGMATCH-TEST feeds the glob matcher; Redis runs ten million.
constexpr int kStringmatchCycles = 100000;

// DEBUG STRINGMATCH-TEST: fuzzes the KEYS/SCAN glob matcher with random patterns and subjects.
void CmdStringmatchTest(CommandContext& ctx) {
  std::mt19937_64& rng = ServerContext::Rng();
  auto random_text = [&] {
    std::string s(rng() % 32, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    return s;
  };
  for (int i = 0; i < kStringmatchCycles; ++i) {
    std::string pattern = random_text();
    storage::GlobMatch(pattern, random_text(), rng() % 2 == 0);
  }
  ctx.reply.SimpleString("Apparently Redis did not crash: test passed");
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the RDB file, empties the databases and loads
// the file back, so values come back with the encodings a real reload gives them. The function
// libraries are saved and loaded too: with NOFLUSH, loading one that exists fails the load unless
// MERGE replaces it.
void CmdReload(CommandContext& ctx) {
  // Nothing of it reaches the AOF, as in Redis: the dataset is what it was.
  ctx.PreventPropagation();
  bool merge = false, flush = true, save = true;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (IsKeyword(ctx.args[i], "merge")) {
      merge = true;
    } else if (IsKeyword(ctx.args[i], "noflush")) {
      flush = false;
    } else if (IsKeyword(ctx.args[i], "nosave")) {
      save = false;
    } else {
      return ctx.reply.Error(
          "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  ServerContext& server = ctx.server;
  // Called from a script (SET-DISABLE-DENY-SCRIPTS), the script holds the engine's mutex.
  const bool engine_held = ctx.mode == ExecutionMode::kScript;
  if (save && !server.persistence.Save(server, Persistence::kInternalSave, engine_held)) {
    return ctx.reply.Error("ERR");
  }
  if (flush) {
    for (int i = 0; i < server.store.num_databases(); ++i) server.store.db(i).Clear();
    server.tracking.InvalidateAll();
  }
  if (!server.persistence.LoadForReload(server, merge, merge || flush, engine_held)) {
    return ctx.reply.Error("ERR Error trying to load the RDB dump");
  }
  spdlog::warn("DB reloaded by DEBUG RELOAD");
  ctx.reply.Ok();
}

// DEBUG LOADAOF: syncs the AOF when it is on, empties the databases and the function libraries,
// then loads the files the AOF manifest names (server/services/aof.h). Redis exits when it cannot
// load them; respd answers an error, and leaves the dataset as it was when there is nothing to
// load or a file is missing.
void CmdLoadaof(CommandContext& ctx) {
  // What was loaded is in the files already (Redis zeroes server.dirty).
  ctx.PreventPropagation();
  const bool engine_held = ctx.mode == ExecutionMode::kScript;
  if (!ctx.server.aof.Reload(engine_held)) {
    return ctx.reply.Error("ERR Error trying to load the AOF");
  }
  ctx.reply.Ok();
}

void CmdHelp(CommandContext& ctx);

// One DEBUG subcommand: its name and how many arguments DEBUG takes with it, as Redis checks.
struct Subcommand {
  std::string_view name;
  size_t min_args;
  size_t max_args;
  Handler handler;
};

constexpr size_t kAny = SIZE_MAX;

constexpr Subcommand kSubcommands[] = {
    {"help", 2, 2, CmdHelp},
    {"htstats-key", 3, 3, CmdHtstatsKey},
    {"change-repl-id", 2, 2, CmdChangeReplId},
    {"digest", 2, 2, CmdDigest},
    {"digest-value", 2, kAny, CmdDigestValue},
    {"error", 3, 3, CmdError},
    {"log", 3, 3, CmdLog},
    {"object", 3, 3, CmdObject},
    {"populate", 3, 5, CmdPopulate},
    {"protocol", 3, 3, CmdProtocol},
    {"reload", 2, kAny, CmdReload},
    {"loadaof", 2, kAny, CmdLoadaof},
    {"set-active-expire", 3, 3, CmdSetActiveExpire},
    {"set-disable-deny-scripts", 3, 3, CmdSetDisableDenyScripts},
    {"config-rewrite-force-all", 2, 2, CmdConfigRewriteForceAll},
    {"quicklist-packed-threshold", 3, 3, CmdQuicklistPackedThreshold},
    {"sleep", 3, 3, CmdSleep},
    {"stringmatch-test", 2, 2, CmdStringmatchTest},
    {"listpack", 3, 3, CmdListpack},
    {"pause-cron", 3, 3, CmdPauseCron},
    {"replybuffer", 4, 4, CmdReplybuffer},
};

// DEBUG HELP: Redis's lines for the subcommands respd has, in Redis's order.
void CmdHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANGE-REPL-ID",
      "    Change the replication IDs of the instance.",
      "    Dangerous: should be used only for testing the replication subsystem.",
      "CONFIG-REWRITE-FORCE-ALL",
      "    Like CONFIG REWRITE but writes all configuration options, including",
      "    keywords not listed in original configuration file or default values.",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "ERROR <string>",
      "    Return a Redis protocol error with <string> as message. Useful for clients",
      "    unit tests to simulate Redis errors.",
      "LOG <message>",
      "    Write <message> to the server log.",
      "HTSTATS-KEY <key>",
      "    Like HTSTATS but for the hash table stored at <key>'s value.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "POPULATE <count> [<prefix>] [<size>]",
      "    Create <count> string keys named key:<num>. If <prefix> is specified then",
      "    it is used instead of the 'key' prefix. These are not propagated to",
      "    replicas. Cluster slots are not respected so keys not belonging to the",
      "    current node can be created in cluster mode.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "    Examples:",
      "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
      "      the database.",
      "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
      "      existing RDB file.",
      "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
      "      file to the database.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "QUICKLIST-PACKED-THRESHOLD <size>",
      "    Sets the threshold for elements to be inserted as plain vs packed nodes",
      "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "STRINGMATCH-TEST",
      "    Run a fuzz tester against the stringmatchlen() function.",
      "LISTPACK <key>",
      "    Show low level info about the listpack encoding of <key>.",
      "PAUSE-CRON <0|1>",
      "    Stop periodic cron job processing.",
      "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
      "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
      "    In case NEVER is provided the last observed peak will never be reset",
      "    In case RESET is provided the peak reset time will be restored to the default value",
      "REPLYBUFFER RESIZING <0|1>",
      "    Enable or disable the reply buffer resize cron job",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

// DEBUG subcommand [arg ...]
void CmdDebug(CommandContext& ctx) {
  size_t argc = ctx.args.size();
  for (const Subcommand& sub : kSubcommands) {
    if (IsKeyword(ctx.args[1], sub.name) && argc >= sub.min_args && argc <= sub.max_args) {
      sub.handler(ctx);
      return;
    }
  }
  ctx.reply.Error(SubcommandSyntaxError("debug", ctx.args[1]));
}

constexpr CommandSpec kRows[] = {
    {.name = "debug",
     .arity = -2,
     .flags = kAdmin | kNoscript | kLoading | kStale | kProtected | kLockAll,
     .handler = CmdDebug},
};

}  // namespace

void RegisterDebugFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
