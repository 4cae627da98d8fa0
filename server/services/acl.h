// Redis 7.0's ACL: users (on/off, passwords as SHA-256 digests, nopass), each with a root selector
// and optional extra selectors of command rules, key patterns (~, %R~, %W~) and channel patterns
// (&); the checks a command passes before it runs; the ACL log; the file format of ACL SAVE/LOAD
// and the `user` directive. Rules are parsed and described as Redis's acl.c does, so ACL LIST,
// GETUSER and the error texts read the same.
//
// Thread safety: one shared mutex guards every user's rules; checks take it shared, changes
// exclusively. A client holds its user (shared_ptr) so a check finds it without a lookup; a user
// whose rules allow everything is answered without the lock. Knows nothing of connections: killing
// the clients of a deleted user is the caller's (server/commands/acl_family.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace respd::server {

class CommandTable;
class Config;
struct CommandSpec;
namespace metadata {
struct CommandMetadata;
}

// Why a check refused, in Redis's order of precedence (ACL_DENIED_*: a later reason wins when
// several selectors refuse).
enum class AclDenial : uint8_t { kNone, kCommand, kKey, kAuth, kChannel };

// The outcome of a check: the reason and, for keys and channels, the argument refused.
struct AclVerdict {
  AclDenial denial = AclDenial::kNone;
  int arg_index = 0;
};

// What ACL LOG says of where a refusal happened (ACL_LOG_CTX_*).
enum class AclLogContext : uint8_t { kTopLevel, kMulti, kLua };

// One selector: what commands, keys and channels it allows.
struct AclSelector {
  bool all_keys = false;
  bool all_channels = false;
  bool all_commands = false;     // every command bit set and none cleared since (a fast path)
  bool future_commands = false;  // set by +@all / allcommands: ACL LIST starts from +@all
  std::vector<bool> commands;    // by command id
  // First arguments allowed of an otherwise refused command (+select|0), by command id.
  std::map<int, std::vector<std::string>> first_args;
  struct KeyPattern {
    int flags;  // read (1) | write (2)
    std::string pattern;
  };
  std::vector<KeyPattern> keys;
  std::vector<std::string> channels;
};

class AclUser {
 public:
  explicit AclUser(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // Guarded by Acl::mutex_.
  struct Rules {
    bool enabled = false;
    bool nopass = false;
    // skip-sanitize-payload / sanitize-payload, shown only once set.
    enum class Sanitize : uint8_t { kUnset, kSkip, kSanitize } sanitize = Sanitize::kUnset;
    std::vector<std::string> passwords;  // hex SHA-256 digests, in the order added
    std::vector<AclSelector> selectors;  // the root first
  };

 private:
  friend class Acl;
  std::string name_;
  // Readable without Acl's lock: the root selector allows every command, key and channel and no
  // other selector exists, or the user was deleted (every check then refuses).
  std::atomic<bool> unrestricted_{false};
  std::atomic<bool> deleted_{false};
  Rules rules_;  // guarded by Acl::mutex_
};

// An ACL LOG entry, as 7.0 shows it.
struct AclLogEntry {
  uint64_t count = 1;
  AclDenial reason;
  AclLogContext context;
  std::string object;
  std::string username;
  int64_t ctime_ms;
  std::string client_info;
};

// The description GETUSER gives of one selector.
struct AclSelectorDescription {
  std::string commands;
  std::string keys;
  std::string channels;
};

struct AclUserDescription {
  std::vector<std::string_view> flags;
  std::vector<std::string> passwords;
  std::vector<AclSelectorDescription> selectors;  // the root first
};

class Acl {
 public:
  explicit Acl(Config& config);
  Acl(const Acl&) = delete;
  Acl& operator=(const Acl&) = delete;

  // Gives every command and subcommand of `table` its id and categories, creates the default user
  // (every permission, nopass, or requirepass's password). Called once, at composition.
  void Init(const CommandTable& table);
  // Start-up: applies the config file's `user` directives and `aclfile`, as Redis's
  // ACLLoadUsersAtStartup. Returns the error to exit with, empty when fine.
  std::string LoadAtStartup(const std::vector<std::vector<std::string>>& users,
                            const std::string& aclfile);

  // The user a client starts with.
  const std::shared_ptr<AclUser>& default_user() const { return default_user_; }
  // The user named `name`, or null.
  std::shared_ptr<AclUser> FindUser(std::string_view name) const;
  // Off while every user ever made allows everything and none was deleted: Check would pass any
  // command, so the pipeline skips its ACL hook. Turned on by the first restricted user, for good.
  const std::atomic<bool>* checks_switch() const { return &checking_; }
  // Redis's authRequired for a new client: the default user needs a password or is off.
  bool AuthRequired() const;
  // The default user has no password (protected mode refuses remote clients then).
  bool DefaultUserNoPass() const;

  // AUTH: the user if `password` opens it, else null.
  std::shared_ptr<AclUser> Authenticate(std::string_view name, std::string_view password);

  // The checks Redis's ACLCheckAllUserCommandPerm makes of `spec` run with `args` by `user`.
  AclVerdict Check(const AclUser& user, const CommandSpec& spec,
                   std::span<const std::string_view> args);
  // The command's full name as ACL texts show it ("config|get").
  std::string_view FullName(const CommandSpec& spec) const;

  // ACL SETUSER: applies `ops` to a copy of the user (created if missing) and keeps it only if all
  // apply. Returns Redis's error text (without '-'), empty on success. `channels_narrowed` is set
  // when an existing user's channel permissions may have shrunk (its subscribers must be checked).
  std::string SetUser(std::string_view name, std::span<const std::string> ops,
                      bool* channels_narrowed = nullptr);
  // ACL DELUSER: removes the users; returns how many existed.
  int DeleteUsers(std::span<const std::string_view> names);
  bool GetUser(std::string_view name, AclUserDescription* description);
  std::vector<std::string> UserNames();
  // ACL LIST / ACL SAVE lines: "user <name> <rules>".
  std::vector<std::string> ListLines();
  // Whether `user` may still subscribe to each of these (after SETUSER changed its channels).
  bool ChannelsAllowed(std::string_view user, const std::vector<std::string>& channels,
                       const std::vector<std::string>& patterns);
  // ACL LOAD from the aclfile: all or nothing. Returns Redis's error text (without "ERR "),
  // empty on success; `replaced` gets the names of users whose clients must go.
  std::string LoadFile(std::vector<std::string>* replaced);
  // ACL SAVE. Returns false when the file could not be written (logged).
  bool SaveFile();
  const std::string& aclfile() const { return aclfile_; }

  // ACL CAT.
  static std::span<const std::string_view> CategoryNames();
  // The full names of the commands in `category`, false if there is no such category.
  bool CommandsInCategory(std::string_view category, std::vector<std::string_view>* names) const;

  // ACL LOG.
  void Log(AclDenial reason, AclLogContext context, std::string object, std::string username,
           int64_t now_ms, std::string client_info);
  std::vector<AclLogEntry> LogEntries(size_t count);
  void ResetLog();

 private:
  struct CommandInfo {
    const CommandSpec* spec;
    int parent;  // id, or -1
    std::string full_name;
    uint32_t categories;  // bit i: CategoryNames()[i]
    const metadata::CommandMetadata* meta;
    std::vector<int> subcommands;  // ids
  };
  // An op's failure, as Redis's errno after ACLSetUser.
  enum class OpError : uint8_t {
    kNone,
    kSyntax,              // EINVAL
    kUnknown,             // ENOENT
    kKeyAfterAll,         // EEXIST
    kChannelAfterAll,     // EISDIR
    kNoSuchPassword,      // ENODEV
    kBadHash,             // EBADMSG
    kSubcommandFirstArg,  // ECHILD
  };
  using UserRules = AclUser::Rules;

  static std::string_view OpErrorText(OpError error);
  AclSelector NewSelector() const;
  UserRules NewRules() const;
  OpError ApplyUserOp(UserRules& rules, std::string_view op) const;
  OpError ApplySelectorOp(AclSelector& selector, std::string_view op) const;
  void SetCommand(AclSelector& selector, int id, bool allow) const;
  void SetCategory(AclSelector& selector, uint32_t category_bit, bool allow) const;
  const CommandInfo* LookupCommand(std::string_view name) const;
  std::string DescribeCommands(const AclSelector& selector) const;
  std::string DescribeSelector(const AclSelector& selector) const;
  std::string DescribeRules(const UserRules& rules) const;
  // Replaces the rules of `user` (exclusive lock held).
  void Store(AclUser& user, UserRules rules) const;
  AclDenial CheckSelector(const AclSelector& selector, const CommandInfo& command,
                          std::span<const std::string_view> args, int* arg_index) const;
  // Applies a changed requirepass to the default user (Redis does it when the option is set).
  void SyncRequirepass() const;
  // Parses an ACL file's text into `users`; returns Redis's messages for its errors ("" if none).
  std::string ParseFile(const std::string& text, std::map<std::string, UserRules>* users) const;
  // The rules of `user ...` ops, merged across selector parentheses; false on an op's error.
  std::string ApplyOps(UserRules& rules, std::span<const std::string> ops) const;

  Config& config_;
  std::vector<CommandInfo> commands_;  // by id
  std::unordered_map<const CommandSpec*, int> ids_;
  std::unordered_map<std::string, int> ids_by_name_;  // full names

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<AclUser>, std::less<>> users_;  // Redis lists them sorted
  std::shared_ptr<AclUser> default_user_;
  mutable std::atomic<uint64_t> requirepass_version_{UINT64_MAX};
  mutable std::atomic<bool> checking_{false};  // set by Store, which SyncRequirepass calls
  std::string aclfile_;

  std::mutex log_mutex_;
  std::deque<AclLogEntry> log_;
};

// Redis's sdssplitargs-free split of an ACL file line: words separated by single spaces.
std::vector<std::string> SplitAclLine(std::string_view line);
// Redis's ACLStringHasSpaces: whitespace or NUL, refused in user names and patterns.
bool AclHasSpaces(std::string_view s);
// Redis's ACLMergeSelectorArguments: a selector split over several arguments ("(~a*" "+get)")
// becomes one. Returns false with the index of the unclosed opening argument.
bool MergeAclSelectors(std::span<const std::string> ops, std::vector<std::string>* merged,
                       size_t* invalid);

}  // namespace respd::server
