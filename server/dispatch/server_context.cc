// ServerContext and the client registry.
#include "server/dispatch/server_context.h"

namespace respd::server {

ServerContext::ServerContext(Config& config, storage::Clock& clock)
    : config(config),
      clock(clock),
      store(static_cast<int>(config.databases().number()), config.threads().number() != 1) {}

std::mt19937_64& ServerContext::Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

void ClientRegistry::Add(std::shared_ptr<ClientHandle> client) {
  std::lock_guard lock(mutex_);
  clients_[client->state().id()] = client;
}

void ClientRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  clients_.erase(id);
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
    if (auto client = weak.lock()) out.push_back(std::move(client));
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
