// A cluster node on its own (cluster-enabled yes): Redis's clusterState with `myself` as the only
// node. It keeps the node ID, the epochs, the slots the node serves and the slots set MIGRATING or
// IMPORTING (whose only possible peer is the node itself), writes them to cluster-config-file in
// Redis's nodes.conf format on every change and reads them back at start-up. It decides the
// cluster state (ok / fail) with Redis's timing and routes a request's keys as Redis's
// getNodeByQuery does. There is no cluster bus: the node meets no other node. Knows nothing of
// commands, replies or sockets; the keyspace is asked about through a callback.
#pragma once

#include <atomic>
#include <bitset>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace respd::server {

inline constexpr int kClusterSlots = 16384;

// Redis's keyHashSlot: CRC16 (XMODEM) of the key, or of the text between its first '{' and the
// next '}' when that is not empty, modulo 16384.
int KeyHashSlot(std::string_view key);

// How the node is reached, as the options and the listener say now (Redis's myself->ip, port,
// cport and hostname).
struct NodeAddress {
  std::string ip;  // cluster-announce-ip; empty, as Redis's until a peer tells it its address
  int port = 0;
  int cport = 0;
  std::string hostname;              // cluster-announce-hostname
  std::string endpoint_type = "ip";  // cluster-preferred-endpoint-type

  // What redirections and CLUSTER SHARDS name the node by (Redis's getPreferredEndpoint).
  std::string PreferredEndpoint() const;
};

// Redis's CLUSTER_PORT_INCR: the bus port is the client port plus this unless cluster-port says.
inline constexpr int kClusterBusPortOffset = 10000;

// Redis's CLUSTER_REDIR_* outcomes of routing a request.
enum class ClusterRedirect : uint8_t {
  kNone,          // serve it here
  kCrossSlot,     // keys in several slots
  kUnbound,       // the slot is served by no node
  kDown,          // the cluster is down
  kDownReadOnly,  // the cluster is down and serves reads only (cluster-allow-reads-when-down)
  kAsk,           // the slot is migrating and a key is missing here
  kTryAgain,      // the slot is migrating or importing and only some keys are here
};

// One request to route: its keys in order (every queued command's for EXEC), and what Redis's
// getNodeByQuery reads of the command and the client.
struct ClusterRequest {
  std::span<const std::string_view> keys;
  bool pubsub_shard = false;  // SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH: channels, not keys
  bool write = false;         // the command as run writes (EXEC: one of its queued commands)
  bool asking = false;        // the client sent ASKING, or the command is RESTORE-ASKING
  bool migrate = false;       // MIGRATE, which moves keys out of a slot being migrated
};

struct ClusterRoute {
  ClusterRedirect redirect = ClusterRedirect::kNone;
  int slot = -1;  // the keys' slot when they have one and the state let them through
};

// What the cluster options say, read when the state needs them.
struct ClusterSettings {
  bool require_full_coverage = true;
  bool allow_reads_when_down = false;
  bool allow_pubsubshard_when_down = true;
  int64_t node_timeout_ms = 15000;
};

class ClusterState {
 public:
  // Whether a key is stored in database 0, without any side effect (asked only for keys of a slot
  // being migrated or imported, with the key's shard locked by the caller's means).
  using KeyExists = std::function<bool(std::string_view key)>;

  ClusterState() = default;
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  // Start-up with cluster-enabled yes: loads `path` (Redis's clusterLoadConfig), or makes a fresh
  // node (a random ID, epoch 0, no slots) and writes it. `address` and `settings` are called
  // whenever the node's description or the state need them. Throws std::runtime_error with the
  // reason when the file cannot be read, parsed, locked or written.
  void Start(std::string path, std::function<NodeAddress()> address,
             std::function<ClusterSettings()> settings);

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  // On once Start ran: the pipeline's routing hook runs behind it.
  const std::atomic<bool>* enabled_switch() const { return &enabled_; }

  std::string MyId() const;
  // Redis's getNodeByQuery after its key extraction.
  ClusterRoute Route(const ClusterRequest& request, const KeyExists& exists);
  // The error text (without '-') for a route that is not kNone.
  std::string RedirectText(const ClusterRoute& route) const;

  // CLUSTER NODES, and the nodes.conf line of the node (without "vars").
  std::string NodesDescription() const;
  // The node's slot ranges, as [start, end] pairs in slot order.
  std::vector<std::pair<int, int>> SlotRanges() const;
  NodeAddress Address() const { return address_(); }
  uint64_t current_epoch() const;
  uint64_t config_epoch() const;
  int slots_assigned() const;
  bool state_ok();
  // Redis's cluster->size: masters serving a slot, as the last state update counted them.
  int size();

  bool OwnsSlot(int slot) const;
  bool Migrating(int slot) const;
  // ADDSLOTS / DELSLOTS of `slots` (all checked by the caller); clears IMPORTING on added slots.
  void SetSlots(std::span<const int> slots, bool add);
  // Every slot unassigned (FLUSHSLOTS).
  void ClearSlots();
  // SETSLOT <slot> MIGRATING | IMPORTING <myself> and STABLE (the caller checked ownership).
  void SetMigrating(int slot);
  void SetImporting(int slot);
  void SetStable(int slot);
  // SETSLOT <slot> NODE <myself>: assigns the slot; ends MIGRATING when the slot has no keys and
  // IMPORTING with a new config epoch, as Redis's.
  void AssignToMyself(int slot, bool slot_has_keys);
  // BUMPEPOCH: true when the config epoch moved (BUMPED), false when it stayed (STILL).
  bool BumpEpoch();
  // SET-CONFIG-EPOCH on a node whose config epoch is 0 (checked by the caller).
  void SetConfigEpoch(uint64_t epoch);
  // RESET: every slot unassigned and closed; HARD also zeroes the epochs and draws a new ID.
  void Reset(bool hard);
  // SAVECONFIG: an empty string, or the reason the file could not be written.
  std::string Save();

 private:
  // Redis's clusterUpdateState, run lazily: when the state is read at least 100 ms after the last
  // run (Redis runs it every 100 ms), and before and after every change (`changed`), as Redis
  // does. Its delays (2 s after start-up before a master turns ok, then a rejoin delay after a
  // minority) only depend on when it ran.
  void UpdateStateLocked(bool changed = false);
  // Writes the file; the reason on failure. Called with the mutex held after every change.
  std::string SaveLocked() const;
  void SaveOrLog() const;
  std::string DescriptionLocked() const;
  void LoadLocked(const std::string& text);
  static std::string RandomId();
  static int64_t NowMs();

  mutable std::mutex mutex_;
  std::atomic<bool> enabled_{false};
  std::string path_;
  int lock_fd_ = -1;  // holds an flock on the file, as Redis does, for the process's life
  std::function<NodeAddress()> address_;
  std::function<ClusterSettings()> settings_;
  std::string my_id_;
  uint64_t current_epoch_ = 0;
  uint64_t config_epoch_ = 0;
  uint64_t last_vote_epoch_ = 0;
  std::bitset<kClusterSlots> slots_;
  std::bitset<kClusterSlots> migrating_;
  std::bitset<kClusterSlots> importing_;
  bool ok_ = false;
  int size_ = 1;
  int64_t first_update_ms_ = 0;
  int64_t last_update_ms_ = 0;
  int64_t among_minority_ms_ = 0;
};

}  // namespace respd::server
