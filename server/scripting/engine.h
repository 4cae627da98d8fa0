// The Lua 5.1 engine behind EVAL and FCALL: one sandboxed Lua state shared by every script and
// function library, as in Redis, the script cache, the function libraries and the BUSY / KILL
// state other threads read. A script runs while its caller holds every shard lock (nothing else
// touches the keyspace meanwhile) and the engine's mutex (nothing else touches the Lua state).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/dispatch/client.h"

struct lua_State;
struct lua_Debug;

namespace respd::server {

struct CommandContext;

// The registry slot of the globals table itself; scripts only see it through a read-only proxy.
inline constexpr char kLuaGlobalsKey[] = "respd.globals";

// Flags of a function (redis.register_function) or of an EVAL script's shebang line.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1u << 0,
  kScriptAllowOom = 1u << 1,
  kScriptAllowStale = 1u << 2,
  kScriptNoCluster = 1u << 3,
  kScriptAllowCrossSlot = 1u << 4,
};

// The flag named `name` in a shebang or register_function ("no-writes"...), 0 if none is.
uint32_t ScriptFlagByName(std::string_view name);

// A script in EVAL's cache. Without a shebang line it runs in Redis 7's compatibility mode:
// EVAL_RO may run it and only its writes are refused.
struct CachedScript {
  int ref = 0;  // the compiled chunk, in the registry
  size_t body_size = 0;
  uint32_t flags = 0;
  bool shebang = false;
};

struct FunctionInfo {
  std::string name;
  std::string description;  // empty: none
  uint32_t flags = 0;
  int ref = 0;  // the Lua function, in the registry
};

struct LibraryInfo {
  std::string name;
  std::string code;
  // Within a library names are case-sensitive; across libraries (FCALL, collisions) they are
  // not, as in Redis.
  std::map<std::string, FunctionInfo, std::less<>> functions;
};

// What a running script needs: its caller, its own client (SELECT inside a script does not move
// the caller), the protocol it asked for with redis.setresp, and what KILL must know.
struct ScriptRun {
  CommandContext* caller = nullptr;
  ClientState* client = nullptr;
  protocol::RespVersion resp = protocol::RespVersion::kResp2;
  bool read_only = false;
  // Used memory was past maxmemory (under noeviction) when it began and it did not declare
  // allow-oom (Redis's pre_command_oom_state and SCRIPT_ALLOW_OOM): until its first write, what
  // may grow memory is refused.
  bool past_maxmemory = false;
  bool is_function = false;
  // Cluster mode: the keys of its commands may span slots (allow-cross-slot-keys, or an EVAL
  // script without a shebang, as Redis 7.0's compatibility mode).
  bool allow_cross_slot = false;
  std::string name;  // sha or function name, for error messages
  // redis.set_repl: where the writes of its later redis.call propagate (PropagationTarget bits,
  // the values of redis.REPL_AOF and REPL_REPLICA).
  uint8_t replication_targets = 3;
};

class ScriptEngine {
 public:
  // `deprecated_api`: lua-enable-deprecated-api, read once (Redis's is immutable).
  explicit ScriptEngine(bool deprecated_api = false);
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // Guards the Lua state, the script cache and the libraries. Taken after every shard lock.
  std::timed_mutex& mutex() { return mutex_; }

  // EVAL's script cache. Compiles `body` unless cached; false with Redis's error text otherwise.
  bool CreateScript(std::string_view body, std::string* sha, std::string* error);
  bool HasScript(std::string_view sha) const;
  const CachedScript* FindScript(std::string_view sha) const;
  // The flags a script command declares (kScript*), as Redis's getCommandFlags reads them before
  // running (CLIENT PAUSE WRITE, MONITOR, min-replicas-to-write): the EVAL `body` by its shebang,
  // the cached script `sha` (EVALSHA), the function `name` (FCALL). Nothing for an unknown script
  // or function, or one without a shebang: the command's own flags stand. Takes the engine mutex.
  enum class ScriptTarget : uint8_t { kBody, kSha, kFunction };
  std::optional<uint32_t> DeclaredFlags(ScriptTarget kind, std::string_view target);
  // SCRIPT FLUSH: forgets every script and starts a fresh Lua state (libraries are reloaded).
  void FlushScripts();

  // Runs cached script `sha` (or function `fn`) for `ctx` and writes its reply. `read_only`
  // refuses writes (EVAL_RO, or a no-writes flag).
  void RunScript(CommandContext& ctx, std::string_view sha, std::span<const std::string_view> keys,
                 std::span<const std::string_view> argv, bool read_only);
  void RunFunction(CommandContext& ctx, const FunctionInfo& fn,
                   std::span<const std::string_view> keys, std::span<const std::string_view> argv,
                   bool read_only);

  // FUNCTION libraries (scripting_functions.cc). Each returns Redis's error text, empty on
  // success.
  std::string LoadLibrary(std::string_view code, bool replace, std::string* name);
  // The library name a FUNCTION LOAD code declares, empty if its header line is not valid.
  static std::string LibraryNameOf(std::string_view code);
  std::string DeleteLibrary(std::string_view name);
  void FlushLibraries();
  const std::map<std::string, LibraryInfo>& libraries() const { return libraries_; }
  // The function FCALL `name` calls: the name is matched without regard to case.
  const FunctionInfo* FindFunction(std::string_view name) const;
  size_t function_count() const;

  // BUSY: true once a script has run longer than busy-reply-threshold. Read by the dispatcher on
  // every command without the engine mutex.
  bool busy() const { return busy_.load(std::memory_order_relaxed); }
  // Whether the script running (or last run) is a function (FCALL): BUSY then names FUNCTION KILL.
  bool running_function() const { return running_function_.load(std::memory_order_relaxed); }
  // BUSY's text naming SCRIPT KILL or FUNCTION KILL, whichever stops what runs (the pipeline
  // refuses other clients with the same texts, errors.h).
  std::string_view BusyError() const;
  // SCRIPT KILL / FUNCTION KILL from another client: "" when the running script will stop, or
  // Redis's NOTBUSY / UNKILLABLE error.
  std::string_view Kill(bool function);
  // The server is stopping: the running script, and any later one, ends at its next hook call
  // whatever it wrote.
  void AbortForShutdown() { shutting_down_.store(true, std::memory_order_release); }
  // Called from the hook while the script is busy, on the script's thread: serves that thread's
  // other clients (set once by the server before any script runs).
  void set_serve_while_busy(std::function<void()> serve) { serve_while_busy_ = std::move(serve); }

  // DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call DEBUG (Redis's test suite reaches DEBUG
  // PROTOCOL and DEBUG SLEEP from Lua this way). Read by the dispatcher without the engine mutex.
  void set_noscript_allowed(bool allowed) {
    noscript_allowed_.store(allowed, std::memory_order_relaxed);
  }
  bool noscript_allowed() const { return noscript_allowed_.load(std::memory_order_relaxed); }

  // FUNCTION STATS: the function running now, if any (any thread).
  struct RunningInfo {
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms = 0;
    bool is_function = false;
  };
  bool Running(RunningInfo* info);
  size_t library_count() const { return library_count_.load(std::memory_order_relaxed); }
  size_t functions_total() const { return function_total_.load(std::memory_order_relaxed); }
  // INFO memory's script fields, as of the last script, load or flush (any thread).
  size_t cached_scripts() const { return script_count_.load(std::memory_order_relaxed); }
  // The Lua heap (one state for scripts and functions).
  size_t lua_heap_bytes() const { return lua_heap_bytes_.load(std::memory_order_relaxed); }
  // The cached scripts' shas and bodies; the libraries' names and code.
  size_t scripts_bytes() const { return script_bytes_.load(std::memory_order_relaxed); }
  size_t functions_bytes() const { return function_bytes_.load(std::memory_order_relaxed); }

  // For the Lua C functions of lua_redis.cc.
  ScriptRun* current_run() { return run_; }
  void NoteWrite() { wrote_.store(true, std::memory_order_relaxed); }
  // The running script has written (Redis's SCRIPT_WRITE_DIRTY): it can no longer be refused a
  // write for the server's state.
  bool wrote() const { return wrote_.load(std::memory_order_relaxed); }
  // The running script began past maxmemory (ScriptRun::past_maxmemory). On the script's thread.
  bool began_past_maxmemory() const { return run_ != nullptr && run_->past_maxmemory; }
  static ScriptEngine* FromLua(lua_State* lua);
  // True once the running script was killed (or the server is stopping): every line it runs from
  // then on raises the error again.
  bool Interrupted() const;
  // The library being loaded by FUNCTION LOAD (redis.register_function adds to it), or null.
  LibraryInfo* loading_library() { return loading_; }

 private:
  void CreateState();
  // Publishes the library and script counts and sizes and the Lua heap for INFO.
  void UpdateCounts();
  void UpdateHeapSize();
  void CloseState();
  // Calls the function on top of the stack (with `nargs` arguments above it) and writes its
  // result or error to the caller.
  void Call(ScriptRun& run, int nargs);
  // Lua's count hook: BUSY, SCRIPT KILL, shutdown, and FUNCTION LOAD's time limit.
  static void Hook(lua_State* lua, lua_Debug* ar);
  // FUNCTION LOAD's top-level code: stopped with Redis's error past its time limit.
  void ArmLoadTimeout();

  std::timed_mutex mutex_;
  bool deprecated_api_;
  lua_State* lua_ = nullptr;
  std::unordered_map<std::string, CachedScript> scripts_;  // by sha
  std::map<std::string, LibraryInfo> libraries_;
  LibraryInfo* loading_ = nullptr;
  ScriptRun* run_ = nullptr;
  ClientState script_client_{0};

  // Shared with other threads.
  std::mutex info_mutex_;
  RunningInfo running_info_;
  std::atomic<size_t> library_count_{0};
  std::atomic<size_t> function_total_{0};
  std::atomic<size_t> script_count_{0};
  std::atomic<size_t> script_bytes_{0};
  std::atomic<size_t> function_bytes_{0};
  std::atomic<size_t> lua_heap_bytes_{0};
  std::atomic<bool> running_{false};
  std::atomic<bool> running_function_{false};
  std::atomic<bool> busy_{false};
  std::atomic<bool> wrote_{false};
  std::atomic<bool> kill_requested_{false};
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> noscript_allowed_{false};
  std::function<void()> serve_while_busy_;
  std::atomic<int64_t> started_us_{0};
  int64_t load_started_us_ = 0;
  bool load_timed_out_ = false;
  std::atomic<int64_t> threshold_ms_{5000};
};

}  // namespace respd::server
