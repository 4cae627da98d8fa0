// Per-command rows kept per thread, for statistics every command updates (INFO commandstats,
// LATENCY HISTOGRAM): each thread writes only its own block, so recording costs no locked
// instruction and no cache line shared between I/O threads. Readers visit every block.
#pragma once

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

template <typename Row>
class PerThreadRows {
 public:
  PerThreadRows() : instance_(per_thread_rows_detail::next_instance.fetch_add(1)) {}
  PerThreadRows(const PerThreadRows&) = delete;
  PerThreadRows& operator=(const PerThreadRows&) = delete;

  // This thread's row of `spec`, made on first use. The row never moves.
  Row& RowOf(const CommandSpec& spec) {
    Block& block = ThisThreadBlock();
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
    std::lock_guard lock(blocks_mutex_);
    for (const auto& block : blocks_) {
      std::lock_guard rows_lock(block->insert_mutex);
      for (const auto& [spec, row] : block->rows) fn(spec, row);
    }
  }

 private:
  struct Block {
    mutable std::mutex insert_mutex;  // held to add a row, and by readers from other threads
    std::unordered_map<const CommandSpec*, Row> rows;  // node-based: a row never moves
    // The owner's last row: a run of one command skips the lookup. Owner thread only.
    const CommandSpec* last_spec = nullptr;
    Row* last_row = nullptr;
  };

  Block& ThisThreadBlock() {
    // The block of the instance this thread used last; a thread serving several (tests) looks the
    // others up.
    struct Cached {
      uint64_t instance;
      Block* block;
    };
    thread_local std::vector<Cached> cache;
    if (!cache.empty() && cache.back().instance == instance_) return *cache.back().block;
    for (Cached& cached : cache) {
      if (cached.instance == instance_) {
        std::swap(cached, cache.back());
        return *cache.back().block;
      }
    }
    std::lock_guard lock(blocks_mutex_);
    blocks_.push_back(std::make_unique<Block>());
    cache.push_back({instance_, blocks_.back().get()});
    return *blocks_.back();
  }

  const uint64_t instance_;
  mutable std::mutex blocks_mutex_;
  std::vector<std::unique_ptr<Block>> blocks_;
};

}  // namespace respd::server
