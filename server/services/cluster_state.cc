// A lone cluster node's state and its nodes.conf (see cluster_state.h).
#include "server/services/cluster_state.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace respd::server {
namespace {

// Redis's CLUSTER_WRITABLE_DELAY: a master stays down this long after the state is first computed.
constexpr int64_t kWritableDelayMs = 2000;
// Redis's CLUSTER_MIN_REJOIN_DELAY and CLUSTER_MAX_REJOIN_DELAY: the bounds of how long a master
// stays down after it was last in a minority (cluster-node-timeout, clamped).
constexpr int64_t kMinRejoinDelayMs = 500;
constexpr int64_t kMaxRejoinDelayMs = 5000;
constexpr size_t kNodeIdLength = 40;
// Redis's clusterCron period (at hz 10): how stale the state may be when nothing changed.
constexpr int64_t kCronPeriodMs = 100;

// CRC16/XMODEM (polynomial 0x1021, no reflection, initial value 0), the checksum Redis Cluster
// hashes keys with, one table lookup per byte.
constexpr std::array<uint16_t, 256> MakeCrc16Table() {
  std::array<uint16_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    auto crc = static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}
constexpr std::array<uint16_t, 256> kCrc16Table = MakeCrc16Table();

uint16_t Crc16(std::string_view bytes) {
  uint16_t crc = 0;
  for (unsigned char c : bytes) {
    crc = static_cast<uint16_t>((crc << 8) ^ kCrc16Table[((crc >> 8) ^ c) & 0xff]);
  }
  return crc;
}

// Redis's sdssplitargs is more than nodes.conf needs: its fields never hold spaces or quotes.
std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  std::string field;
  while (in >> field) fields.push_back(field);
  return fields;
}

bool ParseUint(std::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  uint64_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + static_cast<uint64_t>(c - '0');
  }
  *value = result;
  return true;
}

bool ParseSlot(std::string_view text, int* slot) {
  uint64_t value = 0;
  if (!ParseUint(text, &value) || value >= kClusterSlots) return false;
  *slot = static_cast<int>(value);
  return true;
}

[[noreturn]] void Corrupted(const std::string& path, const std::string& why) {
  throw std::runtime_error("Unrecoverable error: corrupted cluster config file " + path + " (" +
                           why + ")");
}

}  // namespace

std::string NodeAddress::PreferredEndpoint() const {
  if (endpoint_type == "hostname") return hostname.empty() ? "?" : hostname;
  if (endpoint_type == "unknown-endpoint") return "";
  return ip;
}

int KeyHashSlot(std::string_view key) {
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & (kClusterSlots - 1);
}

void ClusterState::Start(std::string path, std::function<NodeAddress()> address,
                         std::function<ClusterSettings()> settings) {
  std::lock_guard lock(mutex_);
  path_ = std::move(path);
  address_ = std::move(address);
  settings_ = std::move(settings);
  std::ifstream in(path_);
  std::string text;
  if (in) {
    std::ostringstream content;
    content << in.rdbuf();
    text = content.str();
  }
  // Redis locks the file for the process's life so two nodes cannot share it.
  lock_fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ == -1) {
    throw std::runtime_error("Can't open " + path_ +
                             " in order to acquire a lock: " + std::strerror(errno));
  }
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) == -1) {
    if (errno == EWOULDBLOCK) {
      throw std::runtime_error("Sorry, the cluster configuration file " + path_ +
                               " is already used by a different Redis Cluster node. Please make "
                               "sure that different nodes use different cluster configuration "
                               "files.");
    }
    throw std::runtime_error("Impossible to lock " + path_ + ": " + std::strerror(errno));
  }
  // An empty or missing file makes a fresh node, which Redis writes before it knows its port.
  if (text.find_first_not_of(" \r\n\t") == std::string::npos) {
    my_id_ = RandomId();
    spdlog::info("No cluster configuration found, I'm {}", my_id_);
    std::function<NodeAddress()> real = std::move(address_);
    address_ = [real] {
      NodeAddress unknown = real();
      unknown.port = 0;
      unknown.cport = 0;
      return unknown;
    };
    std::string error = SaveLocked();
    address_ = std::move(real);
    if (!error.empty()) throw std::runtime_error("Fatal: can't update cluster config file.");
  } else {
    LoadLocked(text);
    spdlog::info("Node configuration loaded, I'm {}", my_id_);
  }
  first_update_ms_ = NowMs();
  enabled_.store(true, std::memory_order_relaxed);
}

void ClusterState::LoadLocked(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  bool found_myself = false;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields = SplitFields(line);
    if (fields.empty()) continue;
    if (fields[0] == "vars") {
      for (size_t i = 1; i + 1 < fields.size(); i += 2) {
        uint64_t value = 0;
        if (!ParseUint(fields[i + 1], &value)) Corrupted(path_, "bad vars value");
        if (fields[i] == "currentEpoch") {
          current_epoch_ = value;
        } else if (fields[i] == "lastVoteEpoch") {
          last_vote_epoch_ = value;
        } else {
          spdlog::warn("Skipping unknown cluster config variable '{}'", fields[i]);
        }
      }
      continue;
    }
    if (fields.size() < 8) Corrupted(path_, "a node line with fewer than 8 fields");
    if (fields[0].size() != kNodeIdLength) Corrupted(path_, "a node ID that is not 40 characters");
    if (fields[2].find("myself") == std::string::npos) {
      throw std::runtime_error("respd's cluster mode runs a single node, and " + path_ +
                               " lists another one (" + fields[0] + ")");
    }
    found_myself = true;
    my_id_ = fields[0];
    if (!ParseUint(fields[6], &config_epoch_)) Corrupted(path_, "bad config epoch");
    for (size_t i = 8; i < fields.size(); ++i) {
      std::string_view field = fields[i];
      if (field.starts_with('[')) {
        size_t arrow = field.find("->-");
        bool migrating = arrow != std::string_view::npos;
        if (!migrating) arrow = field.find("-<-");
        int slot = 0;
        if (arrow == std::string_view::npos || !ParseSlot(field.substr(1, arrow - 1), &slot)) {
          Corrupted(path_, "bad open slot");
        }
        std::string_view peer = field.substr(arrow + 3);
        if (peer.size() != kNodeIdLength + 1 || peer.substr(0, kNodeIdLength) != my_id_) {
          throw std::runtime_error("respd's cluster mode runs a single node, and " + path_ +
                                   " has a slot open with another one");
        }
        (migrating ? migrating_ : importing_).set(slot);
        continue;
      }
      size_t dash = field.find('-');
      int start = 0;
      int stop = 0;
      bool ok = dash == std::string_view::npos ? ParseSlot(field, &start) && ParseSlot(field, &stop)
                                               : ParseSlot(field.substr(0, dash), &start) &&
                                                     ParseSlot(field.substr(dash + 1), &stop);
      if (!ok || start > stop) Corrupted(path_, "bad slot range");
      for (int slot = start; slot <= stop; ++slot) slots_.set(slot);
    }
  }
  if (!found_myself) Corrupted(path_, "no line for myself");
}

std::string ClusterState::RandomId() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(kNodeIdLength, '0');
  for (char& c : id) c = kHex[rng() & 15];
  return id;
}

int64_t ClusterState::NowMs() {
  // Cluster timing is real time in Redis, not the data's time: a frozen test clock must not keep
  // the node down for ever.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string ClusterState::MyId() const {
  std::lock_guard lock(mutex_);
  return my_id_;
}

void ClusterState::UpdateStateLocked(bool changed) {
  int64_t now = NowMs();
  if (!changed && now - last_update_ms_ < kCronPeriodMs) return;
  last_update_ms_ = now;
  if (!ok_ && now - first_update_ms_ < kWritableDelayMs) return;
  ClusterSettings settings = settings_();
  bool ok = !(settings.require_full_coverage && !slots_.all());
  size_ = slots_.any() ? 1 : 0;
  // The node reaches itself: it is in a minority only when it serves no slot (0 < 0/2 + 1).
  if (size_ == 0) {
    ok = false;
    among_minority_ms_ = now;
  }
  if (ok == ok_) return;
  int64_t rejoin_delay = std::clamp(settings.node_timeout_ms, kMinRejoinDelayMs, kMaxRejoinDelayMs);
  if (ok && now - among_minority_ms_ < rejoin_delay) return;
  spdlog::warn("Cluster state changed: {}", ok ? "ok" : "fail");
  ok_ = ok;
}

bool ClusterState::state_ok() {
  std::lock_guard lock(mutex_);
  UpdateStateLocked();
  return ok_;
}

int ClusterState::size() {
  std::lock_guard lock(mutex_);
  UpdateStateLocked();
  return size_;
}

ClusterRoute ClusterState::Route(const ClusterRequest& request, const KeyExists& exists) {
  if (request.keys.empty()) return {};
  std::string_view first = request.keys[0];
  int slot = KeyHashSlot(first);
  bool migrating = false;
  bool importing = false;
  bool multiple_keys = false;
  {
    std::lock_guard lock(mutex_);
    // The first key's slot is looked at before the other keys are.
    if (!slots_[slot]) return {ClusterRedirect::kUnbound, -1};
    for (std::string_view key : request.keys.subspan(1)) {
      if (key == first) continue;
      if (KeyHashSlot(key) != slot) return {ClusterRedirect::kCrossSlot, -1};
      multiple_keys = true;
    }
    UpdateStateLocked();
    migrating = migrating_[slot];
    importing = importing_[slot];
    if (!ok_) {
      ClusterSettings settings = settings_();
      if (request.pubsub_shard) {
        if (!settings.allow_pubsubshard_when_down) return {ClusterRedirect::kDown, -1};
      } else if (!settings.allow_reads_when_down) {
        return {ClusterRedirect::kDown, -1};
      } else if (request.write) {
        return {ClusterRedirect::kDownReadOnly, -1};
      }
    }
  }
  if (!(migrating || importing) || request.pubsub_shard || request.migrate) {
    return {ClusterRedirect::kNone, slot};
  }
  // Redis counts every key occurrence, duplicates included.
  int missing = 0;
  int existing = 0;
  for (std::string_view key : request.keys) (exists(key) ? existing : missing)++;
  if (migrating && missing > 0) {
    return {existing > 0 ? ClusterRedirect::kTryAgain : ClusterRedirect::kAsk, slot};
  }
  // A slot is importing here only while another node owns it, which a lone node never has: the
  // owner check above already answered. Kept for a slot both migrating and importing.
  if (importing && request.asking && multiple_keys && missing > 0) {
    return {ClusterRedirect::kTryAgain, slot};
  }
  return {ClusterRedirect::kNone, slot};
}

std::string ClusterState::RedirectText(const ClusterRoute& route) const {
  switch (route.redirect) {
    case ClusterRedirect::kNone:
      return {};
    case ClusterRedirect::kCrossSlot:
      return "CROSSSLOT Keys in request don't hash to the same slot";
    case ClusterRedirect::kUnbound:
      return "CLUSTERDOWN Hash slot not served";
    case ClusterRedirect::kDown:
      return "CLUSTERDOWN The cluster is down";
    case ClusterRedirect::kDownReadOnly:
      return "CLUSTERDOWN The cluster is down and only accepts read commands";
    case ClusterRedirect::kTryAgain:
      return "TRYAGAIN Multiple keys request during rehashing of slot";
    case ClusterRedirect::kAsk: {
      NodeAddress address = address_();
      return "ASK " + std::to_string(route.slot) + " " + address.PreferredEndpoint() + ":" +
             std::to_string(address.port);
    }
  }
  return {};
}

std::string ClusterState::DescriptionLocked() const {
  NodeAddress address = address_();
  std::string out = my_id_ + " " + address.ip + ":" + std::to_string(address.port) + "@" +
                    std::to_string(address.cport);
  if (!address.hostname.empty()) out += "," + address.hostname;
  out += " myself,master - 0 0 " + std::to_string(config_epoch_) + " connected";
  for (int slot = 0; slot < kClusterSlots;) {
    if (!slots_[slot]) {
      ++slot;
      continue;
    }
    int start = slot;
    while (slot + 1 < kClusterSlots && slots_[slot + 1]) ++slot;
    out += " " + std::to_string(start);
    if (slot != start) out += "-" + std::to_string(slot);
    ++slot;
  }
  for (int slot = 0; slot < kClusterSlots; ++slot) {
    if (migrating_[slot]) {
      out += " [" + std::to_string(slot) + "->-" + my_id_ + "]";
    } else if (importing_[slot]) {
      out += " [" + std::to_string(slot) + "-<-" + my_id_ + "]";
    }
  }
  return out;
}

std::string ClusterState::NodesDescription() const {
  std::lock_guard lock(mutex_);
  return DescriptionLocked() + "\n";
}

std::vector<std::pair<int, int>> ClusterState::SlotRanges() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<int, int>> ranges;
  for (int slot = 0; slot < kClusterSlots; ++slot) {
    if (!slots_[slot]) continue;
    if (!ranges.empty() && ranges.back().second == slot - 1) {
      ranges.back().second = slot;
    } else {
      ranges.emplace_back(slot, slot);
    }
  }
  return ranges;
}

uint64_t ClusterState::current_epoch() const {
  std::lock_guard lock(mutex_);
  return current_epoch_;
}

uint64_t ClusterState::config_epoch() const {
  std::lock_guard lock(mutex_);
  return config_epoch_;
}

int ClusterState::slots_assigned() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(slots_.count());
}

bool ClusterState::OwnsSlot(int slot) const {
  std::lock_guard lock(mutex_);
  return slots_[slot];
}

bool ClusterState::Migrating(int slot) const {
  std::lock_guard lock(mutex_);
  return migrating_[slot];
}

void ClusterState::SetSlots(std::span<const int> slots, bool add) {
  std::lock_guard lock(mutex_);
  // As Redis's cron would have before the command: a minority noticed now, not at start-up.
  UpdateStateLocked(true);
  for (int slot : slots) {
    importing_.reset(slot);
    slots_.set(slot, add);
  }
  UpdateStateLocked(true);
  SaveOrLog();
}

void ClusterState::ClearSlots() {
  std::lock_guard lock(mutex_);
  UpdateStateLocked(true);
  slots_.reset();
  UpdateStateLocked(true);
  SaveOrLog();
}

void ClusterState::SetMigrating(int slot) {
  std::lock_guard lock(mutex_);
  migrating_.set(slot);
  SaveOrLog();
}

void ClusterState::SetImporting(int slot) {
  std::lock_guard lock(mutex_);
  importing_.set(slot);
  SaveOrLog();
}

void ClusterState::SetStable(int slot) {
  std::lock_guard lock(mutex_);
  migrating_.reset(slot);
  importing_.reset(slot);
  SaveOrLog();
}

void ClusterState::AssignToMyself(int slot, bool slot_has_keys) {
  std::lock_guard lock(mutex_);
  UpdateStateLocked(true);
  if (!slot_has_keys) migrating_.reset(slot);
  slots_.set(slot);
  if (importing_[slot]) {
    // Redis's clusterBumpConfigEpochWithoutConsensus, as after a manual migration.
    if (config_epoch_ == 0 || config_epoch_ != std::max(config_epoch_, current_epoch_)) {
      config_epoch_ = ++current_epoch_;
      spdlog::warn("configEpoch updated after importing slot {}", slot);
    }
    importing_.reset(slot);
  }
  UpdateStateLocked(true);
  SaveOrLog();
}

bool ClusterState::BumpEpoch() {
  std::lock_guard lock(mutex_);
  // Redis's clusterBumpConfigEpochWithoutConsensus: the greatest epoch known is the current one or
  // the node's own.
  if (config_epoch_ != 0 && config_epoch_ == std::max(config_epoch_, current_epoch_)) return false;
  config_epoch_ = ++current_epoch_;
  SaveOrLog();
  return true;
}

void ClusterState::SetConfigEpoch(uint64_t epoch) {
  std::lock_guard lock(mutex_);
  config_epoch_ = epoch;
  spdlog::warn("configEpoch set to {} via CLUSTER SET-CONFIG-EPOCH", epoch);
  if (current_epoch_ < epoch) current_epoch_ = epoch;
  SaveOrLog();
}

void ClusterState::Reset(bool hard) {
  std::lock_guard lock(mutex_);
  UpdateStateLocked(true);
  migrating_.reset();
  importing_.reset();
  slots_.reset();
  if (hard) {
    current_epoch_ = 0;
    last_vote_epoch_ = 0;
    config_epoch_ = 0;
    spdlog::warn("configEpoch set to 0 via CLUSTER RESET HARD");
    my_id_ = RandomId();
    spdlog::info("Node hard reset, now I'm {}", my_id_);
  }
  UpdateStateLocked(true);
  SaveOrLog();
}

std::string ClusterState::Save() {
  std::lock_guard lock(mutex_);
  return SaveLocked();
}

void ClusterState::SaveOrLog() const {
  std::string error = SaveLocked();
  if (!error.empty()) spdlog::warn("Can't update the cluster config file: {}", error);
}

std::string ClusterState::SaveLocked() const {
  std::string content = DescriptionLocked() + "\nvars currentEpoch " +
                        std::to_string(current_epoch_) + " lastVoteEpoch " +
                        std::to_string(last_vote_epoch_) + "\n";
  // Written in place and then truncated, as Redis does, so the file keeps its inode and lock.
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd == -1) return std::strerror(errno);
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string error = std::strerror(errno);
      close(fd);
      return error;
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  int truncated = ftruncate(fd, static_cast<off_t>(content.size()));
  int synced = fsync(fd);
  std::string error = truncated == -1 || synced == -1 ? std::strerror(errno) : "";
  close(fd);
  return error;
}

}  // namespace respd::server
