// Fault rules and server modes (see faults.h).
#include "server/services/faults.h"

#include <algorithm>

#include "server/dispatch/client.h"
#include "storage/glob.h"

namespace respd::server {
namespace {

bool EqualsLower(std::string_view lower, std::string_view name) {
  return std::equal(lower.begin(), lower.end(), name.begin(), name.end(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

}  // namespace

uint64_t Faults::Add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  rule.id = ++next_id_;
  rules_.push_back(std::move(rule));
  Rearm();
  return next_id_;
}

bool Faults::Delete(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](auto& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  Rearm();
  return true;
}

void Faults::Drop(bool restart_ids) {
  std::lock_guard lock(mutex_);
  rules_.clear();
  if (restart_ids) next_id_ = 0;
  loading_ = false;
  readonly_ = false;
  Rearm();
}

std::vector<FaultRule> Faults::List() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

void Faults::Seed(uint64_t seed) {
  std::lock_guard lock(mutex_);
  random_.seed(seed);
}

void Faults::SetLoading(bool on) {
  std::lock_guard lock(mutex_);
  loading_ = on;
  Rearm();
}

void Faults::SetReadonly(bool on) {
  std::lock_guard lock(mutex_);
  readonly_ = on;
  Rearm();
}

void Faults::Rearm() { armed_ = !rules_.empty() || loading_ || readonly_; }

bool Faults::Matches(const FaultRule& rule, const Admission& admission) const {
  if (rule.db >= 0 && admission.client.db_index != rule.db) return false;
  if (!rule.commands.empty()) {
    std::string_view name = admission.args[0];
    if (std::none_of(rule.commands.begin(), rule.commands.end(),
                     [&](const std::string& c) { return EqualsLower(c, name); })) {
      return false;
    }
  }
  if (!rule.client_glob.empty() &&
      !storage::GlobMatch(rule.client_glob, admission.client.info().name)) {
    return false;
  }
  if (!rule.key_glob.empty()) {
    std::vector<int> positions;
    if (!KeyPositions(admission.spec, admission.args, &positions)) return false;
    if (std::none_of(positions.begin(), positions.end(), [&](int pos) {
          return storage::GlobMatch(rule.key_glob, admission.args[pos]);
        })) {
      return false;
    }
  }
  return true;
}

Refusal Faults::Admit(const Admission& admission) {
  if (!armed_.load(std::memory_order_relaxed)) [[likely]] {
    return Refusal::kNone;
  }
  // The test controls stay reachable, whatever is injected.
  if (EqualsLower("respd", admission.args[0])) return Refusal::kNone;
  if (loading() && admission.path == ExecutionMode::kNormal &&
      !(admission.spec.flags & kLoading)) {
    admission.error_text = kErrLoading;
    return Refusal::kHookError;
  }
  if (readonly() && (admission.spec.flags & kWrite) &&
      admission.path != ExecutionMode::kBlockedRetry) {
    admission.error_text = kErrReadonly;
    return Refusal::kHookError;
  }
  // A blocked client's re-run happens on the writer's thread: a connection-level fate set here
  // is carried out by the blocked client's own connection when the answer reaches it.
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    FaultRule& rule = *it;
    if (!Matches(rule, admission)) continue;
    if (++rule.matched <= rule.after) continue;
    if (rule.probability < 1 &&
        std::uniform_real_distribution<double>(0, 1)(random_) >= rule.probability) {
      continue;
    }
    ++rule.fired;
    FaultRule fired = rule;
    if (rule.times > 0 && rule.fired >= static_cast<uint64_t>(rule.times)) {
      rules_.erase(it);
      Rearm();
    }
    ClientState& client = admission.client;
    switch (fired.action) {
      case FaultAction::kError:
        admission.error_text = fired.error;
        return Refusal::kHookError;
      case FaultAction::kDelay:
        client.reply_fate = ReplyFate::kDelay;
        client.reply_delay_ms = fired.delay_ms;
        return Refusal::kNone;
      case FaultAction::kCloseBefore:
        client.reply_fate = ReplyFate::kClose;
        admission.error_text = "ERR connection closed by a respd fault";
        return Refusal::kHookError;
      case FaultAction::kCloseAfter:
        client.reply_fate = ReplyFate::kClose;
        return Refusal::kNone;
      case FaultAction::kNoReply:
        client.reply_fate = ReplyFate::kHang;
        return Refusal::kNone;
    }
  }
  return Refusal::kNone;
}

}  // namespace respd::server
