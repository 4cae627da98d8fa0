// Blocked clients' deadlines on one I/O thread (see block_timeouts.h).
#include "server/net/block_timeouts.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "server/net/connection.h"

namespace respd::server {
namespace {

// The longest the timer waits before it looks at the Clock again. The Clock flows with the wall
// clock, which may be stepped (NTP) while the timer counts steady time; Redis checks its timeouts
// against the wall clock at every event-loop turn, and a second late is the most we allow.
constexpr int64_t kMaxTimerWaitUs = 1'000'000;

}  // namespace

BlockTimeouts::BlockTimeouts(boost::asio::io_context& io, const storage::Clock& clock)
    : clock_(clock), timer_(io) {}

void BlockTimeouts::Add(int64_t deadline_ms, uint64_t client_id,
                        std::weak_ptr<Connection> connection) {
  deadlines_.emplace(std::pair(deadline_ms, client_id), std::move(connection));
  if (armed_for_ == kNotArmed || deadline_ms < armed_for_) Arm();
}

void BlockTimeouts::Remove(int64_t deadline_ms, uint64_t client_id) {
  // The timer stays armed: when it fires with nothing due it re-arms for what is left, which costs
  // less than re-arming on every served client.
  deadlines_.erase(std::pair(deadline_ms, client_id));
}

void BlockTimeouts::FireDue() {
  int64_t now_ms = clock_.NowMs();
  std::vector<std::weak_ptr<Connection>> due;
  while (!deadlines_.empty() && deadlines_.begin()->first.first <= now_ms) {
    due.push_back(std::move(deadlines_.begin()->second));
    deadlines_.erase(deadlines_.begin());
  }
  // Taken out first: a timed-out client runs its next commands right away, and may block again.
  for (std::weak_ptr<Connection>& weak : due) {
    if (auto connection = weak.lock()) connection->OnBlockDeadline();
  }
  Arm();
}

void BlockTimeouts::Arm() {
  if (deadlines_.empty() || clock_.frozen()) {
    // A frozen Clock reaches no deadline by itself; OnClockChanged looks again when it moves.
    if (armed_for_ != kNotArmed) timer_.cancel();
    armed_for_ = kNotArmed;
    return;
  }
  armed_for_ = deadlines_.begin()->first.first;
  int64_t wait_us = std::clamp<int64_t>(armed_for_ * 1000 - clock_.NowUs(), 0, kMaxTimerWaitUs);
  // Re-arming cancels the wait armed before; its handler sees operation_aborted.
  timer_.expires_after(std::chrono::microseconds(wait_us));
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    armed_for_ = kNotArmed;
    FireDue();
  });
}

}  // namespace respd::server
