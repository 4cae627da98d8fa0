// The AOF base file of commands (see aof_rewrite.h).
#include "server/services/aof_rewrite.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string_view>
#include <vector>

#include "server/dispatch/server_context.h"
#include "storage/entry.h"
#include "storage/hash_object.h"
#include "storage/list_object.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace respd::server::aof_rewrite {
namespace {

// Redis's AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH, SADD, ZADD or HMSET.
constexpr size_t kItemsPerCommand = 64;

// rioWriteBulkStreamID's text: "<ms>-<seq>".
std::string IdText(storage::StreamId id) {
  return std::to_string(id.ms) + "-" + std::to_string(id.seq);
}

// Writes RESP arrays as Redis's rio helpers do.
class CommandWriter {
 public:
  void Count(size_t n) { Header('*', n); }
  void Bulk(std::string_view s) {
    Header('$', s.size());
    out_.append(s);
    out_.append("\r\n");
  }
  // "#<text>", a line the loader skips.
  void Annotation(std::string_view text) {
    out_ += '#';
    out_.append(text);
    out_ += "\r\n";
  }
  // A whole command.
  void Command(std::initializer_list<std::string_view> args) {
    Count(args.size());
    for (std::string_view arg : args) Bulk(arg);
  }
  // rioWriteBulkDouble: "%.17g".
  void BulkDouble(double d) {
    char buf[128];
    int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
    Bulk(std::string_view(buf, static_cast<size_t>(n)));
  }
  void BulkId(storage::StreamId id) { Bulk(IdText(id)); }
  std::string Take() { return std::move(out_); }

 private:
  void Header(char prefix, size_t n) {
    out_ += prefix;
    out_ += std::to_string(n);
    out_ += "\r\n";
  }
  std::string out_;
};

// Elements in commands of at most kItemsPerCommand elements of `width` arguments each: `command`
// and the key, then the elements `emit` writes, called once per element.
template <typename EachElement>
void Batched(CommandWriter& w, std::string_view command, std::string_view key, size_t items,
             size_t width, EachElement&& each_element) {
  size_t in_command = 0;
  each_element([&](auto&& write_element) {
    if (in_command == 0) {
      w.Count(2 + std::min(items, kItemsPerCommand) * width);
      w.Bulk(command);
      w.Bulk(key);
    }
    write_element();
    --items;
    if (++in_command == kItemsPerCommand) in_command = 0;
  });
}

void WriteList(CommandWriter& w, std::string_view key, const storage::List& list) {
  Batched(w, "RPUSH", key, list.Length(), 1, [&](auto&& element) {
    for (size_t n = 0; n < list.NodeCount(); ++n) {
      const storage::ListPack& node = list.NodeAt(n);
      size_t next = 0;
      for (size_t pos = node.Begin(); pos < node.End(); pos = next) {
        std::string_view value = node.GetNext(pos, &next);
        element([&] { w.Bulk(value); });
      }
    }
  });
}

void WriteSet(CommandWriter& w, std::string_view key, const storage::Set& set) {
  Batched(w, "SADD", key, set.Length(), 1, [&](auto&& element) {
    set.ForEach([&](std::string_view member) { element([&] { w.Bulk(member); }); });
  });
}

void WriteZSet(CommandWriter& w, std::string_view key, const storage::ZSet& zset) {
  Batched(w, "ZADD", key, zset.Length(), 2, [&](auto&& element) {
    zset.ForRange(0, zset.Length(), false, [&](std::string_view member, double score) {
      element([&] {
        w.BulkDouble(score);
        w.Bulk(member);
      });
    });
  });
}

void WriteHash(CommandWriter& w, std::string_view key, const storage::Hash& hash) {
  Batched(w, "HMSET", key, hash.Length(), 2, [&](auto&& element) {
    hash.ForEach([&](std::string_view field, std::string_view value) {
      element([&] {
        w.Bulk(field);
        w.Bulk(value);
      });
    });
  });
}

// rewriteStreamObject.
void WriteStream(CommandWriter& w, std::string_view key, const storage::Stream& stream) {
  if (stream.Length() > 0) {
    for (const storage::StreamEntryRef& entry :
         stream.Range({}, storage::StreamId::Max(), 0, false)) {
      w.Count(3 + entry.size());
      w.Bulk("XADD");
      w.Bulk(key);
      w.BulkId(entry.id);
      entry.ForEach([&](std::string_view element) { w.Bulk(element); });
    }
  } else {
    // XADD MAXLEN 0 makes the empty stream.
    w.Command({"XADD", key, "MAXLEN", "0", "0-1", "x", "y"});
  }
  // After the XADDs, so the last ID is right after an XDEL of the last entry.
  w.Command({"XSETID", key, IdText(stream.last_id()), "ENTRIESADDED",
             std::to_string(stream.entries_added()), "MAXDELETEDID",
             IdText(stream.max_deleted_id())});
  for (const auto& [name, group] : stream.groups()) {
    w.Command({"XGROUP", "CREATE", key, name, IdText(group.last_id), "ENTRIESREAD",
               std::to_string(group.entries_read)});
    for (const auto& [consumer_name, consumer] : group.consumers) {
      if (consumer.pel.empty()) {
        w.Command({"XGROUP", "CREATECONSUMER", key, name, consumer_name});
        continue;
      }
      for (storage::StreamId id : consumer.pel) {
        const storage::StreamNack& nack = group.pel.at(id);
        w.Command({"XCLAIM", key, name, consumer_name, "0", IdText(id), "TIME",
                   std::to_string(nack.delivery_time), "RETRYCOUNT",
                   std::to_string(nack.delivery_count), "JUSTID", "FORCE"});
      }
    }
  }
}

void WriteKey(CommandWriter& w, const storage::Entry& entry) {
  const std::string_view key = entry.key();
  using storage::ValueType;
  switch (entry.type()) {
    case ValueType::kString:
      w.Command({"SET", key, entry.str()});
      break;
    case ValueType::kList:
      WriteList(w, key, static_cast<const storage::List&>(*entry.object()));
      break;
    case ValueType::kSet:
      WriteSet(w, key, static_cast<const storage::Set&>(*entry.object()));
      break;
    case ValueType::kZSet:
      WriteZSet(w, key, static_cast<const storage::ZSet&>(*entry.object()));
      break;
    case ValueType::kHash:
      WriteHash(w, key, static_cast<const storage::Hash&>(*entry.object()));
      break;
    case ValueType::kStream:
      WriteStream(w, key, static_cast<const storage::Stream&>(*entry.object()));
      break;
  }
  if (entry.expire_at() != storage::Entry::kNoExpire) {
    w.Command({"PEXPIREAT", key, std::to_string(entry.expire_at())});
  }
}

}  // namespace

std::string EncodeCommands(ServerContext& server, bool engine_held) {
  CommandWriter w;
  // aof-timestamp-enabled: the rewrite's time first.
  if (server.config.Get("aof-timestamp-enabled").enabled()) {
    w.Annotation("TS:" + std::to_string(server.clock.NowMs() / 1000));
  }
  {
    std::unique_lock<std::timed_mutex> engine_lock;
    if (!engine_held) engine_lock = std::unique_lock(server.scripting.mutex());
    for (const auto& [name, library] : server.scripting.libraries()) {
      w.Command({"FUNCTION", "LOAD", library.code});
    }
  }
  for (int i = 0; i < server.store.num_databases(); ++i) {
    storage::Database& db = server.store.db(i);
    if (db.Size() == 0) continue;
    w.Command({"SELECT", std::to_string(i)});
    db.ForEachStored([&](const storage::Entry* entry) { WriteKey(w, *entry); });
  }
  return w.Take();
}

}  // namespace respd::server::aof_rewrite
