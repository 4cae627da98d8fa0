#include "server/services/client_pause.h"

#include "server/dispatch/client.h"

namespace respd::server {

void ClientPause::Pause(Mode mode, int64_t end_ms) {
  std::lock_guard lock(mutex_);
  if (mode > mode_.load(std::memory_order_relaxed)) mode_.store(mode, std::memory_order_relaxed);
  if (end_ms > end_ms_) end_ms_ = end_ms;
  store_.HoldExpiry(true);
}

void ClientPause::Unpause() {
  std::vector<std::weak_ptr<ClientHandle>> clients;
  {
    std::lock_guard lock(mutex_);
    clients = EndLocked();
  }
  Wake(std::move(clients));
}

void ClientPause::CheckTimeout(int64_t now_ms) {
  if (!active()) return;
  std::vector<std::weak_ptr<ClientHandle>> clients;
  {
    std::lock_guard lock(mutex_);
    if (mode_.load(std::memory_order_relaxed) == Mode::kNone || now_ms < end_ms_) return;
    clients = EndLocked();
  }
  Wake(std::move(clients));
}

bool ClientPause::PostponeIfPaused(bool writes, int64_t now_ms,
                                   std::shared_ptr<ClientHandle> client) {
  std::vector<std::weak_ptr<ClientHandle>> clients;
  {
    std::lock_guard lock(mutex_);
    Mode mode = mode_.load(std::memory_order_relaxed);
    if (mode != Mode::kNone && now_ms < end_ms_) {
      // A client without a connection (in-process tests) could never be woken: it runs.
      if ((mode == Mode::kWrite && !writes) || client == nullptr) return false;
      waiting_.push_back(std::move(client));
      blocked_clients_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    if (mode == Mode::kNone) return false;
    clients = EndLocked();
  }
  Wake(std::move(clients));
  return false;
}

std::vector<std::weak_ptr<ClientHandle>> ClientPause::EndLocked() {
  mode_.store(Mode::kNone, std::memory_order_relaxed);
  end_ms_ = 0;
  store_.HoldExpiry(false);
  std::vector<std::weak_ptr<ClientHandle>> clients = std::move(waiting_);
  waiting_.clear();
  return clients;
}

void ClientPause::Wake(std::vector<std::weak_ptr<ClientHandle>> clients) {
  for (auto& weak : clients) {
    if (std::shared_ptr<ClientHandle> client = weak.lock()) client->Unpause();
  }
}

}  // namespace respd::server
