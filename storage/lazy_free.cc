// The free effort of values and the lazy-free thread.
#include "storage/lazy_free.h"

#include "storage/hash_object.h"
#include "storage/list_object.h"
#include "storage/memory.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace respd::storage {
namespace {

size_t StreamFreeEffort(const Stream& stream) {
  size_t nodes = stream.nodes().size();
  size_t effort = nodes > kLazyFreeThreshold ? nodes : stream.RadixTreeNodes();
  const Stream::Groups& groups = stream.groups();
  // Redis takes the first group's PEL (rax order: bytewise, as the map's) as every group's.
  if (!groups.empty()) effort += groups.size() * (1 + groups.begin()->second.pel.size());
  return effort;
}

}  // namespace

size_t FreeEffort(const Object& value) {
  switch (value.type()) {
    case ValueType::kList:
      return static_cast<const List&>(value).NodeCount();
    case ValueType::kSet:
    case ValueType::kHash:
      return value.Encoding() == "hashtable" ? value.Length() : 1;
    case ValueType::kZSet:
      return value.Encoding() == "skiplist" ? value.Length() : 1;
    case ValueType::kStream:
      return StreamFreeEffort(static_cast<const Stream&>(value));
    case ValueType::kString:
      break;
  }
  return 1;
}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LazyFreer::Free(std::unique_ptr<Object> value) {
  if (FreeEffort(*value) <= kLazyFreeThreshold) return;  // freed on the way out
  Enqueue({.value = std::move(value), .tables = {}, .objects = 1});
}

void LazyFreer::FreeTables(std::vector<std::unique_ptr<KeyTable>> tables, size_t keys) {
  Enqueue({.value = nullptr, .tables = std::move(tables), .objects = keys});
}

void LazyFreer::Enqueue(Job job) {
  pending_.fetch_add(job.objects, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void LazyFreer::WaitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void LazyFreer::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Drains the queue before stopping: whatever was handed over is freed, never leaked.
    wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    bool entries = !job.tables.empty();
    job.value.reset();
    job.tables.clear();
    // Entry blocks freed here would idle in this thread's slab lists, which nothing allocates
    // from.
    if (entries) memory::ReturnThreadBlocks();
    pending_.fetch_sub(job.objects, std::memory_order_relaxed);
    freed_.fetch_add(job.objects, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace respd::storage
