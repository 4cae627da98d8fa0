// Stream operations: appends, trims, deletions and consumer groups, with their keyspace events.
#include "storage/stream_ops.h"

#include <memory>

namespace respd::storage {
namespace {

constexpr KeyEvent kXAddEvent{kEventStream, "xadd"};
constexpr KeyEvent kXTrimEvent{kEventStream, "xtrim"};
constexpr KeyEvent kXDelEvent{kEventStream, "xdel"};
constexpr KeyEvent kXSetIdEvent{kEventStream, "xsetid"};
constexpr KeyEvent kGroupCreateEvent{kEventStream, "xgroup-create"};
constexpr KeyEvent kGroupSetIdEvent{kEventStream, "xgroup-setid"};
constexpr KeyEvent kGroupDestroyEvent{kEventStream, "xgroup-destroy"};
constexpr KeyEvent kCreateConsumerEvent{kEventStream, "xgroup-createconsumer"};
constexpr KeyEvent kDelConsumerEvent{kEventStream, "xgroup-delconsumer"};

// Redis caps the elements of one entry at a listpack's largest size.
constexpr uint64_t kMaxEntryBytes = uint64_t{1} << 30;

ClaimedNack Changed(size_t id_index, StreamId id, const StreamNack& nack) {
  return {id_index, id, nack.consumer->name, nack.delivery_time, nack.delivery_count};
}

OpResult<Stream*> AsStream(OpResult<Entry*> found) {
  if (!found.ok()) return found.status();
  return static_cast<Stream*>((*found)->object());
}

}  // namespace

OpResult<Stream*> FindStreamRead(Database& db, std::string_view key) {
  return AsStream(db.FindReadTyped(key, ValueType::kStream));
}

OpResult<Stream*> FindStreamWrite(Database& db, std::string_view key) {
  return AsStream(db.FindWriteTyped(key, ValueType::kStream));
}

OpResult<XAddResult> XAdd(Database& db, std::string_view key, const XAddRequest& request) {
  OpResult<Stream*> found = FindStreamWrite(db, key);
  if (!found.ok() && (found.status() != OpStatus::kKeyNotFound || request.no_mkstream)) {
    return found.status();
  }
  Stream* stream = found.ok() ? *found : nullptr;
  if (stream == nullptr) {
    stream = static_cast<Stream*>(db.AddObject(key, std::make_unique<Stream>())->object());
  }
  StreamId last = stream->last_id();
  if (last == StreamId::Max()) return XAddResult{StreamError::kIdExhausted, {}};

  // Redis's streamAppendItem: "*" follows the clock but never goes back; "<ms>-*" continues the
  // last sequence within the same millisecond.
  StreamId id;
  if (!request.id) {
    auto now = static_cast<uint64_t>(request.now_ms);
    if (now > last.ms) {
      id = {now, 0};
    } else {
      id = last;
      id.Incr();
    }
  } else if (!request.seq_given && request.id->ms == last.ms) {
    // Redis 7.0 fails here without setting errno, so XADD answers its "too large" error (the
    // errno a socket read left); 7.2 says "equal or smaller".
    if (last.seq == UINT64_MAX) return XAddResult{StreamError::kElementsTooLarge, {}};
    id = {last.ms, last.seq + 1};
  } else {
    id = *request.id;
  }
  if (id <= last) return XAddResult{StreamError::kIdNotGreater, {}};
  uint64_t bytes = 0;
  for (std::string_view s : request.field_values) bytes += s.size();
  if (bytes > kMaxEntryBytes) return XAddResult{StreamError::kElementsTooLarge, {}};

  stream->Append(id, request.field_values, request.limits);
  db.Touch(key, kXAddEvent);
  if (request.trim.strategy != StreamTrim::Strategy::kNone && stream->Trim(request.trim) > 0) {
    db.Notify(key, kXTrimEvent);
  }
  return XAddResult{StreamError::kNone, id, stream};
}

OpResult<XTrimResult> XTrim(Database& db, std::string_view key, const StreamTrim& trim) {
  OpResult<Stream*> found = FindStreamWrite(db, key);
  if (!found.ok()) return found.status();
  int64_t deleted = (*found)->Trim(trim);
  if (deleted > 0) db.Touch(key, kXTrimEvent);
  return XTrimResult{deleted, *found};
}

OpResult<int64_t> XDel(Database& db, std::string_view key, std::span<const StreamId> ids) {
  OpResult<Stream*> found = FindStreamWrite(db, key);
  if (!found.ok()) return found.status();
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += (*found)->Delete(id) ? 1 : 0;
  if (deleted > 0) db.Touch(key, kXDelEvent);
  return deleted;
}

OpResult<StreamError> XSetId(Database& db, std::string_view key, StreamId id,
                             std::optional<uint64_t> entries_added,
                             std::optional<StreamId> max_deleted) {
  OpResult<Stream*> found = FindStreamWrite(db, key);
  if (!found.ok()) return found.status();
  Stream& stream = **found;
  if (stream.Length() > 0) {
    if (id < stream.LastValidId()) return StreamError::kSetIdBelowTop;
    if (entries_added && stream.Length() > *entries_added) {
      return StreamError::kSetIdEntriesAddedBelowLength;
    }
  }
  stream.SetLastId(id);
  if (entries_added) stream.SetEntriesAdded(*entries_added);
  if (max_deleted && !max_deleted->IsZero()) stream.SetMaxDeletedId(*max_deleted);
  // Redis's XSETID reports its event without signalling the key modified (WATCH keeps).
  db.Notify(key, kXSetIdEvent);
  return StreamError::kNone;
}

StreamError CreateGroup(Database& db, std::string_view key, Stream& stream, std::string_view name,
                        StreamId last_id, int64_t entries_read) {
  if (stream.CreateGroup(name, last_id, entries_read) == nullptr) return StreamError::kBusyGroup;
  db.Notify(key, kGroupCreateEvent);
  return StreamError::kNone;
}

void SetGroupId(Database& db, std::string_view key, StreamGroup& group, StreamId last_id,
                int64_t entries_read) {
  group.last_id = last_id;
  group.entries_read = entries_read;
  db.Notify(key, kGroupSetIdEvent);
}

bool DestroyGroup(Database& db, std::string_view key, Stream& stream, std::string_view name) {
  if (!stream.DestroyGroup(name)) return false;
  db.Notify(key, kGroupDestroyEvent);
  return true;
}

StreamConsumer* FindOrCreateConsumer(Database& db, std::string_view key, StreamGroup& group,
                                     std::string_view name, int64_t now_ms, bool* created) {
  StreamConsumer* consumer = group.FindConsumer(name);
  if (created != nullptr) *created = consumer == nullptr;
  if (consumer != nullptr) return consumer;
  consumer = group.CreateConsumer(name, now_ms);
  db.Notify(key, kCreateConsumerEvent);
  db.AddDirty();
  return consumer;
}

std::optional<size_t> DeleteConsumer(Database& db, std::string_view key, StreamGroup& group,
                                     std::string_view name) {
  StreamConsumer* consumer = group.FindConsumer(name);
  if (consumer == nullptr) return std::nullopt;
  size_t pending = group.DeleteConsumer(consumer);
  db.Notify(key, kDelConsumerEvent);
  return pending;
}

std::vector<StreamEntryRef> ReadGroup(Stream& stream, StreamGroup& group, StreamConsumer& consumer,
                                      StreamId after, size_t count, bool noack, bool history,
                                      int64_t now_ms) {
  std::vector<StreamEntryRef> out;
  StreamId start = after;
  start.Incr();
  if (history) {
    // Redis's streamReplyWithRangeFromConsumerPEL: each served ID counts as a new delivery.
    for (auto it = consumer.pel.lower_bound(start);
         it != consumer.pel.end() && (count == 0 || out.size() < count); ++it) {
      StreamEntryRef ref = stream.Find(*it);
      if (ref.found()) {
        StreamNack& nack = group.pel.at(*it);
        nack.delivery_time = now_ms;
        ++nack.delivery_count;
      }
      out.push_back(ref);
    }
    return out;
  }
  out = stream.Range(start, StreamId::Max(), count, false);
  for (const StreamEntryRef& entry : out) {
    stream.AdvanceGroup(group, entry.id);
    if (noack) continue;
    auto [nack, inserted] = group.pel.try_emplace(entry.id);
    if (!inserted && nack->second.consumer != nullptr) {
      nack->second.consumer->pel.erase(entry.id);
    }
    nack->second.consumer = &consumer;
    nack->second.delivery_time = now_ms;
    nack->second.delivery_count = 1;
    consumer.pel.insert(entry.id);
  }
  return out;
}

int64_t Acknowledge(StreamGroup& group, std::span<const StreamId> ids) {
  int64_t acknowledged = 0;
  for (StreamId id : ids) {
    auto it = group.pel.find(id);
    if (it == group.pel.end()) continue;
    group.Acknowledge(it);
    ++acknowledged;
  }
  return acknowledged;
}

std::vector<StreamEntryRef> Claim(Database& db, std::string_view key, Stream& stream,
                                  StreamGroup& group, std::string_view consumer_name,
                                  std::span<const StreamId> ids, const ClaimRequest& request,
                                  int64_t now_ms, uint64_t* changes,
                                  std::vector<ClaimedNack>* changed) {
  bool moved_last_id = false;
  if (request.last_id && *request.last_id > group.last_id) {
    group.last_id = *request.last_id;
    moved_last_id = true;
  }
  int64_t delivery_time = request.delivery_time;
  if (delivery_time < 0 || delivery_time > now_ms) delivery_time = now_ms;

  std::vector<StreamEntryRef> out;
  StreamConsumer* consumer = nullptr;
  for (size_t i = 0; i < ids.size(); ++i) {
    StreamId id = ids[i];
    auto nack = group.pel.find(id);
    StreamEntryRef ref = stream.Find(id);
    if (!ref.found()) {
      // The entry is gone: its pending entry goes too.
      if (nack != group.pel.end()) {
        if (changed != nullptr) changed->push_back(Changed(i, id, nack->second));
        group.Acknowledge(nack);
        ++*changes;
        moved_last_id = false;
      }
      continue;
    }
    if (nack == group.pel.end()) {
      if (!request.force) continue;
      nack = group.pel.try_emplace(id, StreamNack{now_ms, 1, nullptr}).first;
    }
    StreamNack& n = nack->second;
    if (n.consumer != nullptr && request.min_idle_ms > 0 &&
        now_ms - n.delivery_time < request.min_idle_ms) {
      continue;
    }
    if (consumer == nullptr) {
      consumer = FindOrCreateConsumer(db, key, group, consumer_name, now_ms);
      consumer->seen_time = now_ms;  // as Redis's lookup refreshes an existing consumer
    }
    if (n.consumer != consumer && n.consumer != nullptr) n.consumer->pel.erase(id);
    n.delivery_time = delivery_time;
    if (request.retry_count >= 0) {
      n.delivery_count = static_cast<uint64_t>(request.retry_count);
    } else if (!request.just_id) {
      ++n.delivery_count;
    }
    if (n.consumer != consumer) {
      consumer->pel.insert(id);
      n.consumer = consumer;
    }
    out.push_back(ref);
    if (changed != nullptr) changed->push_back(Changed(i, id, n));
    ++*changes;
    moved_last_id = false;
  }
  if (moved_last_id) ++*changes;
  return out;
}

AutoClaimResult AutoClaim(Database& db, std::string_view key, Stream& stream, StreamGroup& group,
                          std::string_view consumer_name, int64_t min_idle_ms, StreamId start,
                          int64_t count, bool just_id, int64_t now_ms, uint64_t* changes,
                          std::vector<ClaimedNack>* changed) {
  // Redis examines at most count * 10 pending entries per call.
  constexpr int64_t kAttemptsFactor = 10;
  int64_t attempts = count * kAttemptsFactor;
  AutoClaimResult result;
  StreamConsumer* consumer = nullptr;
  auto it = group.pel.lower_bound(start);
  while (attempts-- > 0 && count > 0 && it != group.pel.end()) {
    auto current = it++;
    StreamId id = current->first;
    StreamEntryRef ref = stream.Find(id);
    if (!ref.found()) {
      if (changed != nullptr) changed->push_back(Changed(0, id, current->second));
      group.Acknowledge(current);
      result.deleted.push_back(id);
      ++*changes;
      --count;
      continue;
    }
    StreamNack& nack = current->second;
    if (min_idle_ms > 0 && now_ms - nack.delivery_time < min_idle_ms) continue;
    if (consumer == nullptr) {
      consumer = FindOrCreateConsumer(db, key, group, consumer_name, now_ms);
      consumer->seen_time = now_ms;  // as Redis's lookup refreshes an existing consumer
    }
    if (nack.consumer != consumer) {
      if (nack.consumer != nullptr) nack.consumer->pel.erase(id);
      consumer->pel.insert(id);
      nack.consumer = consumer;
    }
    nack.delivery_time = now_ms;
    if (!just_id) ++nack.delivery_count;
    if (changed != nullptr) changed->push_back(Changed(0, id, nack));
    result.claimed.push_back(ref);
    ++*changes;
    --count;
  }
  result.next = it == group.pel.end() ? StreamId{} : it->first;
  return result;
}

}  // namespace respd::storage
