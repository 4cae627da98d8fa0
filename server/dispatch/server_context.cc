// ServerContext and the client registry.
#include "server/dispatch/server_context.h"

#include "server/scripting/sandbox.h"

namespace respd::server {

ServerContext::ServerContext(Config& config, storage::Clock& clock)
    : config(config),
      clock(clock),
      store(static_cast<int>(config.databases().number()), config.threads().number() != 1),
      scripting(config.Get("lua-enable-deprecated-api").enabled()) {}

namespace {

// Bumped by every SeedRandom: each thread's generator notices at its next use and starts again.
std::atomic<uint64_t> rng_generation{0};
std::mutex seed_mutex;
std::optional<uint64_t> seed_value;

}  // namespace

std::mt19937_64& ServerContext::Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  thread_local uint64_t generation = 0;
  uint64_t current = rng_generation.load(std::memory_order_acquire);
  if (current != generation) {
    generation = current;
    std::optional<uint64_t> seed = random_seed();
    rng.seed(seed ? *seed : std::random_device{}());
  }
  return rng;
}

void ServerContext::SeedRandom(std::optional<uint64_t> seed) {
  {
    std::lock_guard lock(seed_mutex);
    seed_value = seed;
  }
  rng_generation.fetch_add(1, std::memory_order_acq_rel);
  SeedScriptRandom(seed ? std::optional<int32_t>(static_cast<int32_t>(*seed)) : std::nullopt);
  faults.Seed(seed.value_or(0));
}

std::optional<uint64_t> ServerContext::random_seed() {
  std::lock_guard lock(seed_mutex);
  return seed_value;
}

void ClientRegistry::Add(std::shared_ptr<ClientHandle> client) {
  std::lock_guard lock(mutex_);
  clients_[client->state().id()] = client;
}

void ClientRegistry::Remove(uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    clients_.erase(id);
  }
  for (const auto& hook : disconnect_hooks_) hook(id);
}

std::shared_ptr<ClientHandle> ClientRegistry::Find(uint64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.lock();
}

std::vector<std::shared_ptr<ClientHandle>> ClientRegistry::Snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<ClientHandle>> out;
  out.reserve(clients_.size());
  for (const auto& [id, weak] : clients_) {
    auto client = weak.lock();
    if (client && !client->killed()) out.push_back(std::move(client));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a->state().id() < b->state().id(); });
  return out;
}

size_t ClientRegistry::size() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

}  // namespace respd::server
