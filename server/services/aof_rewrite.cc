// The AOF base file of commands (see aof_rewrite.h).
#include "server/services/aof_rewrite.h"

#include <algorithm>
#include <cstdio>
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

// Writes RESP arrays as Redis's rio helpers do.
class CommandWriter {
 public:
  void Count(size_t n) { Header('*', n); }
  void Bulk(std::string_view s) {
    Header('$', s.size());
    out_.append(s);
    out_.append("\r\n");
  }
  void Bulk(int64_t v) { Bulk(std::to_string(v)); }
  // rioWriteBulkDouble: "%.17g".
  void BulkDouble(double d) {
    char buf[128];
    int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
    Bulk(std::string_view(buf, static_cast<size_t>(n)));
  }
  // rioWriteBulkStreamID: "<ms>-<seq>".
  void BulkId(storage::StreamId id) { Bulk(std::to_string(id.ms) + "-" + std::to_string(id.seq)); }
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
    w.Count(7);
    for (std::string_view arg :
         {std::string_view("XADD"), key, std::string_view("MAXLEN"), std::string_view("0"),
          std::string_view("0-1"), std::string_view("x"), std::string_view("y")}) {
      w.Bulk(arg);
    }
  }
  // After the XADDs, so the last ID is right after an XDEL of the last entry.
  w.Count(7);
  w.Bulk("XSETID");
  w.Bulk(key);
  w.BulkId(stream.last_id());
  w.Bulk("ENTRIESADDED");
  w.Bulk(static_cast<int64_t>(stream.entries_added()));
  w.Bulk("MAXDELETEDID");
  w.BulkId(stream.max_deleted_id());
  for (const auto& [name, group] : stream.groups()) {
    w.Count(7);
    w.Bulk("XGROUP");
    w.Bulk("CREATE");
    w.Bulk(key);
    w.Bulk(name);
    w.BulkId(group.last_id);
    w.Bulk("ENTRIESREAD");
    w.Bulk(group.entries_read);
    for (const auto& [consumer_name, consumer] : group.consumers) {
      if (consumer.pel.empty()) {
        w.Count(5);
        w.Bulk("XGROUP");
        w.Bulk("CREATECONSUMER");
        w.Bulk(key);
        w.Bulk(name);
        w.Bulk(consumer_name);
        continue;
      }
      for (storage::StreamId id : consumer.pel) {
        const storage::StreamNack& nack = group.pel.at(id);
        w.Count(12);
        w.Bulk("XCLAIM");
        w.Bulk(key);
        w.Bulk(name);
        w.Bulk(consumer_name);
        w.Bulk("0");
        w.BulkId(id);
        w.Bulk("TIME");
        w.Bulk(nack.delivery_time);
        w.Bulk("RETRYCOUNT");
        w.Bulk(static_cast<int64_t>(nack.delivery_count));
        w.Bulk("JUSTID");
        w.Bulk("FORCE");
      }
    }
  }
}

void WriteKey(CommandWriter& w, const storage::Entry& entry) {
  const std::string_view key = entry.key();
  using storage::ValueType;
  switch (entry.type()) {
    case ValueType::kString:
      w.Count(3);
      w.Bulk("SET");
      w.Bulk(key);
      w.Bulk(entry.str());
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
    w.Count(3);
    w.Bulk("PEXPIREAT");
    w.Bulk(key);
    w.Bulk(entry.expire_at());
  }
}

}  // namespace

std::string EncodeCommands(ServerContext& server, bool engine_held) {
  CommandWriter w;
  {
    std::unique_lock<std::timed_mutex> engine_lock;
    if (!engine_held) engine_lock = std::unique_lock(server.scripting.mutex());
    for (const auto& [name, library] : server.scripting.libraries()) {
      w.Count(3);
      w.Bulk("FUNCTION");
      w.Bulk("LOAD");
      w.Bulk(library.code);
    }
  }
  for (int i = 0; i < server.store.num_databases(); ++i) {
    storage::Database& db = server.store.db(i);
    if (db.Size() == 0) continue;
    w.Count(2);
    w.Bulk("SELECT");
    w.Bulk(i);
    db.ForEachStored([&](const storage::Entry* entry) { WriteKey(w, *entry); });
  }
  return w.Take();
}

}  // namespace respd::server::aof_rewrite
