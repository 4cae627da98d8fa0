// The deadlines of the clients blocked on one I/O thread (BLPOP k 5...), in server Clock time, and
// one timer armed for the earliest, as Redis keeps blocked clients' timeouts in one sorted
// structure checked before it sleeps (src/timeout.c). A deadline is due when the Clock reaches it,
// not when some real duration has passed: a frozen Clock arms nothing, and moving the Clock
// (OnClockChanged, posted to every I/O thread by the server) fires what became due at once.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "storage/clock.h"

namespace respd::server {

class Connection;

class BlockTimeouts {
 public:
  BlockTimeouts(boost::asio::io_context& io, const storage::Clock& clock);
  BlockTimeouts(const BlockTimeouts&) = delete;
  BlockTimeouts& operator=(const BlockTimeouts&) = delete;

  // Calls connection->OnBlockDeadline() on this thread once the Clock reaches `deadline_ms`,
  // unless Remove()d first. Only this I/O thread calls these.
  void Add(int64_t deadline_ms, uint64_t client_id, std::weak_ptr<Connection> connection);
  void Remove(int64_t deadline_ms, uint64_t client_id);
  // The Clock was moved, frozen or let run: fires what is due now and re-arms for the earliest.
  void OnClockChanged() { FireDue(); }

 private:
  // Hands every due deadline to its connection, then arms the timer for the earliest left.
  void FireDue();
  void Arm();

  const storage::Clock& clock_;
  boost::asio::steady_timer timer_;
  // (deadline in Clock ms, client id): equal deadlines fire in the order of their ids.
  std::map<std::pair<int64_t, uint64_t>, std::weak_ptr<Connection>> deadlines_;
  // The deadline the timer is armed towards, or kNotArmed.
  static constexpr int64_t kNotArmed = -1;
  int64_t armed_for_ = kNotArmed;
};

}  // namespace respd::server
