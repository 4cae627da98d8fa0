// The server's one source of time. Everything that reads "now" (expiry, TTL, OBJECT IDLETIME, TIME,
// blocking and idle-client timeouts) asks a Clock, so tests and the RESPD time controls can freeze
// it or move it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace respd::storage {

// Told when the Clock is moved, frozen or let run again, not as it flows: whoever waits for a
// Clock time (a blocked client's deadline, an idle client's timeout) looks again. Called on the
// thread that changed the clock; implementations must only record or post, never block.
class ClockObserver {
 public:
  virtual ~ClockObserver() = default;
  virtual void OnClockChanged() = 0;
};

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
  void Freeze() {
    frozen_us_.store(NowUs());
    Changed();
  }
  void FreezeAt(int64_t at_us) {
    frozen_us_.store(at_us);
    Changed();
  }
  // Lets time run again from the frozen instant.
  void Unfreeze() {
    int64_t frozen = frozen_us_.exchange(-1);
    if (frozen >= 0) offset_us_.store(frozen - SystemUs());
    Changed();
  }
  // Moves time forward (or back, with a negative delta), frozen or not.
  void Advance(int64_t delta_us) {
    int64_t frozen = frozen_us_.load();
    if (frozen >= 0) {
      frozen_us_.store(frozen + delta_us);
    } else {
      offset_us_.fetch_add(delta_us);
    }
    Changed();
  }
  // Puts now at `at_us`, frozen there if the clock was frozen, flowing from there if not.
  void Set(int64_t at_us) {
    if (frozen_us_.load() >= 0) {
      frozen_us_.store(at_us);
    } else {
      offset_us_.store(at_us - SystemUs());
    }
    Changed();
  }
  // Back to the wall clock: flowing, without an offset.
  void Real() {
    frozen_us_.store(-1);
    offset_us_.store(0);
    Changed();
  }
  bool frozen() const { return frozen_us_.load(std::memory_order_relaxed) >= 0; }
  // How far a flowing clock is from the wall clock (0 when it reads the wall clock).
  int64_t offset_us() const { return offset_us_.load(std::memory_order_relaxed); }

  // An observer stays registered until removed, and must be removed before it is destroyed.
  void AddObserver(ClockObserver* observer) {
    std::lock_guard lock(observers_mutex_);
    observers_.push_back(observer);
  }
  void RemoveObserver(ClockObserver* observer) {
    std::lock_guard lock(observers_mutex_);
    std::erase(observers_, observer);
  }

 private:
  static int64_t SystemUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // Changes are rare (tests, the RESPD time controls): a lock here costs the command path nothing.
  void Changed() {
    std::lock_guard lock(observers_mutex_);
    for (ClockObserver* observer : observers_) observer->OnClockChanged();
  }

  std::atomic<int64_t> offset_us_{0};
  std::atomic<int64_t> frozen_us_{-1};
  std::mutex observers_mutex_;
  std::vector<ClockObserver*> observers_;
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
