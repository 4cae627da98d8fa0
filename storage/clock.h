// The server's one source of time. Everything that reads "now" (expiry, TTL, OBJECT IDLETIME, TIME)
// asks a Clock, so tests and the RESPD time controls can freeze it or move it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace respd::storage {

class Clock {
 public:
  // Milliseconds since the Unix epoch: wall time moved by the offset, or the frozen instant.
  int64_t NowMs() const { return NowUs() / 1000; }
  int64_t NowUs() const {
    int64_t frozen = frozen_us_.load(std::memory_order_relaxed);
    if (frozen >= 0) return frozen;
    return SystemUs() + offset_us_.load(std::memory_order_relaxed);
  }

  // Stops time at the current instant (or at `at_us`): NowMs() returns it until Unfreeze.
  void Freeze() { frozen_us_.store(NowUs()); }
  void FreezeAt(int64_t at_us) { frozen_us_.store(at_us); }
  // Lets time run again from the frozen instant.
  void Unfreeze() {
    int64_t frozen = frozen_us_.exchange(-1);
    if (frozen >= 0) offset_us_.store(frozen - SystemUs());
  }
  // Moves time forward (or back, with a negative delta), frozen or not.
  void Advance(int64_t delta_us) {
    int64_t frozen = frozen_us_.load();
    if (frozen >= 0) {
      frozen_us_.store(frozen + delta_us);
    } else {
      offset_us_.fetch_add(delta_us);
    }
  }
  bool frozen() const { return frozen_us_.load(std::memory_order_relaxed) >= 0; }

 private:
  static int64_t SystemUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  std::atomic<int64_t> offset_us_{0};
  std::atomic<int64_t> frozen_us_{-1};
};

}  // namespace respd::storage

namespace respd::storage {

// The time of the command running on this thread, taken from the Clock once per command (or once
// for a whole script or transaction, which Redis also runs at one instant). Expiry decisions read
// it.
int64_t CommandTimeMs();
void SetCommandTimeMs(int64_t now_ms);
// True while a ScopedCommandTime is alive on this thread: commands then keep its time.
bool CommandTimeHeld();

// Fixes the command time for a scope: one event-loop turn of a connection (every command of one read
// batch), a transaction or a script. Reading the clock once per batch instead of once per command is
// measurable on pipelined GET/SET. The time before is restored on exit: clients served from a busy
// script's hook must not move the script's instant.
class ScopedCommandTime {
 public:
  explicit ScopedCommandTime(int64_t now_ms);
  ~ScopedCommandTime();
  ScopedCommandTime(const ScopedCommandTime&) = delete;
  ScopedCommandTime& operator=(const ScopedCommandTime&) = delete;

 private:
  int64_t previous_ms_;
};

}  // namespace respd::storage
