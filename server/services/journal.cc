// The command journal (see journal.h).
#include "server/services/journal.h"

#include <algorithm>
#include <cctype>

#include "server/dispatch/client.h"
#include "storage/glob.h"

namespace respd::server {
namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Tells journals apart in the per-thread ring cache (addresses may be reused by a later one).
std::atomic<uint64_t> next_instance{0};

// The ring this thread records into, for the journal `instance` (a thread records into one
// journal, except in tests that run several servers in one process).
struct RingCache {
  uint64_t instance = 0;
  void* ring = nullptr;
};
thread_local RingCache ring_cache;

// Fills what an entry knows before its reply.
JournalEntry Describe(const Completion& done, int64_t unix_ms, size_t max_arg_len) {
  JournalEntry entry;
  entry.unix_ms = unix_ms;
  entry.client_id = done.client.id();
  ClientState::Info info = done.client.info();
  entry.client_name = std::move(info.name);
  entry.lib_name = std::move(info.lib_name);
  entry.lib_ver = std::move(info.lib_ver);
  entry.db = done.client.db_index;
  entry.argv.reserve(done.args.size());
  for (std::string_view arg : done.args) entry.argv.emplace_back(arg.substr(0, max_arg_len));
  std::vector<int> positions;
  if (done.spec != nullptr && KeyPositions(*done.spec, done.args, &positions)) {
    for (int pos : positions) entry.keys.emplace_back(done.args[pos]);
  }
  entry.usec = done.usec;
  return entry;
}

void SetReply(JournalEntry& entry, std::string_view reply) {
  if (!reply.starts_with('-')) return;
  entry.error = true;
  entry.error_text = reply.substr(1, reply.find("\r\n") - 1);
}

}  // namespace

bool JournalFilter::Matches(const JournalEntry& entry) const {
  if (entry.seq <= since) return false;
  if (!client_glob.empty() && !storage::GlobMatch(client_glob, entry.client_name)) return false;
  if (!lib.empty() && entry.lib_name != lib) return false;
  if (!commands.empty() && std::find(commands.begin(), commands.end(),
                                     Lower(entry.argv[0])) == commands.end()) {
    return false;
  }
  if (!key_glob.empty() && std::none_of(entry.keys.begin(), entry.keys.end(), [&](auto& key) {
        return storage::GlobMatch(key_glob, key);
      })) {
    return false;
  }
  return true;
}

Journal::Journal(Config& config)
    : max_len_(config.Get("journal-max-len")),
      max_arg_len_(config.Get("journal-max-arg-len")),
      instance_(next_instance.fetch_add(1) + 1) {}

Journal::~Journal() {
  if (ring_cache.instance == instance_) ring_cache = {};
}

Journal::Ring& Journal::LocalRing() {
  if (ring_cache.instance == instance_) [[likely]] {
    return *static_cast<Ring*>(ring_cache.ring);
  }
  std::lock_guard lock(rings_mutex_);
  Ring*& ring = ring_of_thread_[std::this_thread::get_id()];
  if (ring == nullptr) {
    rings_.push_back(std::make_unique<Ring>());
    ring = rings_.back().get();
  }
  ring_cache = {instance_, ring};
  return *ring;
}

void Journal::AppendLocked(Ring& ring, JournalEntry entry) {
  entry.seq = next_seq_.fetch_add(1, std::memory_order_relaxed) + 1;
  ring.entries.push_back(std::move(entry));
  size_t max_len = static_cast<size_t>(max_len_.number());
  while (ring.entries.size() > max_len) ring.entries.pop_front();
}

void Journal::Drop(bool restart_numbering) {
  std::lock_guard lock(rings_mutex_);
  std::vector<std::unique_lock<std::mutex>> ring_locks;
  ring_locks.reserve(rings_.size());
  for (auto& ring : rings_) ring_locks.emplace_back(ring->mutex);
  for (auto& ring : rings_) ring->entries.clear();
  if (restart_numbering) next_seq_.store(0, std::memory_order_relaxed);
}

void Journal::Record(const Completion& done, int64_t unix_ms) {
  if (!enabled()) [[likely]] {
    return;
  }
  // Queued commands are journaled when EXEC runs them; a blocked one when its connection gets
  // the answer (RecordUnblocked), whether a re-run, a timeout or CLIENT UNBLOCK gave it.
  if (done.outcome == Outcome::kQueued || done.path == ExecutionMode::kBlockedRetry) return;
  // The test controls do not journal themselves.
  if (Lower(done.args[0]) == "respd") return;
  size_t max_arg_len = static_cast<size_t>(max_arg_len_.number());
  JournalEntry entry = Describe(done, unix_ms, max_arg_len);
  Ring& ring = LocalRing();
  // A command that wrote nothing without blocking (CLIENT REPLY OFF) is recorded as it is.
  if (done.outcome == Outcome::kBlocked && done.client.blocked) {
    std::lock_guard lock(ring.mutex);
    if (ring.blocked.insert_or_assign(done.client.id(), std::move(entry)).second) {
      blocked_count_.fetch_add(1, std::memory_order_relaxed);
    }
    return;
  }
  SetReply(entry, done.reply);
  std::lock_guard lock(ring.mutex);
  AppendLocked(ring, std::move(entry));
}

void Journal::RecordUnblocked(uint64_t client_id, std::string_view reply) {
  if (blocked_count_.load(std::memory_order_relaxed) == 0) [[likely]] {
    return;
  }
  Ring& ring = LocalRing();
  std::lock_guard lock(ring.mutex);
  auto it = ring.blocked.find(client_id);
  if (it == ring.blocked.end()) return;
  JournalEntry entry = std::move(it->second);
  ring.blocked.erase(it);
  blocked_count_.fetch_sub(1, std::memory_order_relaxed);
  // Turned off while the client waited: nothing is recorded.
  if (!enabled()) return;
  SetReply(entry, reply);
  AppendLocked(ring, std::move(entry));
}

void Journal::DropBlocked(uint64_t client_id) {
  if (blocked_count_.load(std::memory_order_relaxed) == 0) [[likely]] {
    return;
  }
  Ring& ring = LocalRing();
  std::lock_guard lock(ring.mutex);
  if (ring.blocked.erase(client_id) != 0) blocked_count_.fetch_sub(1, std::memory_order_relaxed);
}

template <class Fn>
void Journal::ForEachLocked(Fn fn) const {
  std::lock_guard lock(rings_mutex_);
  std::vector<std::unique_lock<std::mutex>> ring_locks;
  ring_locks.reserve(rings_.size());
  for (const auto& ring : rings_) ring_locks.emplace_back(ring->mutex);
  // Every number handed out is in some ring now (or was dropped): the newest journal-max-len are
  // those past this.
  uint64_t last = next_seq_.load(std::memory_order_relaxed);
  uint64_t max_len = static_cast<uint64_t>(max_len_.number());
  uint64_t oldest_kept = last > max_len ? last - max_len : 0;
  for (const auto& ring : rings_) {
    for (const JournalEntry& entry : ring->entries) {
      if (entry.seq > oldest_kept) fn(entry);
    }
  }
}

std::vector<JournalEntry> Journal::Get(const JournalFilter& filter, size_t count) const {
  std::vector<JournalEntry> out;
  ForEachLocked([&](const JournalEntry& entry) {
    if (filter.Matches(entry)) out.push_back(entry);
  });
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
  if (count != 0 && out.size() > count) out.resize(count);
  return out;
}

uint64_t Journal::Count(const JournalFilter& filter) const {
  uint64_t count = 0;
  ForEachLocked([&](const JournalEntry& entry) { count += filter.Matches(entry) ? 1 : 0; });
  return count;
}

}  // namespace respd::server
