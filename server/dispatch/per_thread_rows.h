// Per-command rows and counters kept per thread, for statistics every command updates (INFO
// commandstats, LATENCY HISTOGRAM, total_commands_processed): each thread writes only its own
// block, so recording costs no locked instruction and no shared cache line. Readers visit all.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace respd::server {

struct CommandSpec;

namespace per_thread_rows_detail {
inline std::atomic<uint64_t> next_instance{1};
}  // namespace per_thread_rows_detail

// One `Block` per thread that used this instance, made on its first use; blocks never move or go
// away while the instance lives. The owner finds its block through a thread_local cache.
template <typename Block>
class PerThreadBlocks {
 public:
  PerThreadBlocks() : instance_(per_thread_rows_detail::next_instance.fetch_add(1)) {}
  PerThreadBlocks(const PerThreadBlocks&) = delete;
  PerThreadBlocks& operator=(const PerThreadBlocks&) = delete;

  Block& ThisThread() {
    // The block of the instance this thread used last, in a trivially constructed thread_local (a
    // plain TLS load, no guard); a thread serving several (tests) looks the others up.
    struct Cached {
      uint64_t instance;
      Block* block;
    };
    thread_local Cached last{0, nullptr};
    if (last.instance == instance_) [[likely]] {
      return *last.block;
    }
    thread_local std::vector<Cached> cache;
    auto known = std::find_if(cache.begin(), cache.end(),
                              [&](const Cached& cached) { return cached.instance == instance_; });
    if (known == cache.end()) {
      std::lock_guard lock(blocks_mutex_);
      blocks_.push_back(std::make_unique<Block>());
      known = cache.insert(cache.end(), {instance_, blocks_.back().get()});
    }
    last = *known;
    return *last.block;
  }

  // Calls fn(block) for every thread's block.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::lock_guard lock(blocks_mutex_);
    for (const auto& block : blocks_) fn(*block);
  }

 private:
  const uint64_t instance_;
  mutable std::mutex blocks_mutex_;
  std::vector<std::unique_ptr<Block>> blocks_;
};

template <typename Row>
class PerThreadRows {
 public:
  PerThreadRows() = default;
  PerThreadRows(const PerThreadRows&) = delete;
  PerThreadRows& operator=(const PerThreadRows&) = delete;

  // This thread's row of `spec`, made on first use. The row never moves.
  Row& RowOf(const CommandSpec& spec) {
    Block& block = blocks_.ThisThread();
    if (block.last_spec == &spec) return *block.last_row;
    // Only this thread inserts into its block, so it may look up without the lock.
    auto it = block.rows.find(&spec);
    Row* row = nullptr;
    if (it != block.rows.end()) {
      row = &it->second;
    } else {
      std::lock_guard lock(block.insert_mutex);
      row = &block.rows[&spec];
    }
    block.last_spec = &spec;
    block.last_row = row;
    return *row;
  }

  // Calls fn(spec, row) for every row of every thread.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    blocks_.ForEach([&](const Block& block) {
      std::lock_guard rows_lock(block.insert_mutex);
      for (const auto& [spec, row] : block.rows) fn(spec, row);
    });
  }

 private:
  struct Block {
    mutable std::mutex insert_mutex;  // held to add a row, and by readers from other threads
    std::unordered_map<const CommandSpec*, Row> rows;  // node-based: a row never moves
    // The owner's last row: a run of one command skips the lookup. Owner thread only.
    const CommandSpec* last_spec = nullptr;
    Row* last_row = nullptr;
  };

  PerThreadBlocks<Block> blocks_;
};

// A server counter every command bumps (total_commands_processed): each thread adds to its own
// cell with a relaxed load and store, no locked instruction; a reader sums the cells. Reads as
// the std::atomic it replaces (load, store) so its readers need not know.
class PerThreadCounter {
 public:
  void Add(uint64_t n) {
    std::atomic<uint64_t>& cell = cells_.ThisThread();
    cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t load(std::memory_order = std::memory_order_relaxed) const {
    return Sum() - baseline_.load(std::memory_order_relaxed);
  }
  // CONFIG RESETSTAT: counts start again from `value`. Cells only grow, so no thread's count is
  // lost to a reset that races with it.
  void store(uint64_t value, std::memory_order = std::memory_order_relaxed) {
    baseline_.store(Sum() - value, std::memory_order_relaxed);
  }

 private:
  uint64_t Sum() const {
    uint64_t sum = 0;
    cells_.ForEach([&](const std::atomic<uint64_t>& cell) {
      sum += cell.load(std::memory_order_relaxed);
    });
    return sum;
  }

  PerThreadBlocks<std::atomic<uint64_t>> cells_;
  std::atomic<uint64_t> baseline_{0};
};

}  // namespace respd::server
