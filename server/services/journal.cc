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

void Journal::SetMaxLen(size_t max_len) {
  std::lock_guard lock(mutex_);
  max_len_ = max_len;
  while (entries_.size() > max_len_) entries_.pop_front();
}

void Journal::Reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

void Journal::Record(const Completion& done, int64_t unix_ms) {
  if (!enabled()) [[likely]] {
    return;
  }
  // Queued commands are journaled when EXEC runs them; a blocked one when its re-run answers.
  if (done.outcome == Outcome::kQueued || done.outcome == Outcome::kBlocked) return;
  // The test controls do not journal themselves.
  if (Lower(done.args[0]) == "respd") return;
  JournalEntry entry;
  entry.unix_ms = unix_ms;
  entry.client_id = done.client.id();
  ClientState::Info info = done.client.info();
  entry.client_name = std::move(info.name);
  entry.lib_name = std::move(info.lib_name);
  entry.lib_ver = std::move(info.lib_ver);
  entry.db = done.client.db_index;
  entry.argv.reserve(done.args.size());
  for (std::string_view arg : done.args) entry.argv.emplace_back(arg.substr(0, kMaxArgBytes));
  std::vector<int> positions;
  if (done.spec != nullptr && KeyPositions(*done.spec, done.args, &positions)) {
    for (int pos : positions) entry.keys.emplace_back(done.args[pos]);
  }
  if (done.reply.starts_with('-')) {
    entry.error = true;
    entry.error_text = done.reply.substr(1, done.reply.find("\r\n") - 1);
  }
  entry.usec = done.usec;
  std::lock_guard lock(mutex_);
  if (max_len_ == 0) return;
  entry.seq = ++next_seq_;
  if (entries_.size() >= max_len_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> Journal::Get(const JournalFilter& filter, size_t count) const {
  std::vector<JournalEntry> out;
  std::lock_guard lock(mutex_);
  for (const JournalEntry& entry : entries_) {
    if (!filter.Matches(entry)) continue;
    out.push_back(entry);
    if (count != 0 && out.size() == count) break;
  }
  return out;
}

uint64_t Journal::Count(const JournalFilter& filter) const {
  std::lock_guard lock(mutex_);
  return std::count_if(entries_.begin(), entries_.end(),
                       [&](const JournalEntry& entry) { return filter.Matches(entry); });
}

}  // namespace respd::server
