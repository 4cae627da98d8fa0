// ACL and its subcommands (SETUSER GETUSER DELUSER USERS LIST WHOAMI CAT DRYRUN GENPASS LOG SAVE
// LOAD HELP), and the admission hook that checks every command against its client's user. The
// rules themselves are server/services/acl.*; this file adds what needs clients: killing those of
// a deleted or changed user, and the client line ACL LOG quotes.
#include <algorithm>
#include <random>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/errors.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

constexpr std::string_view kErrNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";
constexpr int64_t kGenpassMaxBits = 4096;

const AclUser& UserOf(ServerContext& server, const ClientState& client) {
  return client.acl_user != nullptr ? *client.acl_user : *server.acl.default_user();
}

// Closes the connections of `client`'s kind chosen by `doomed`: the running client once its reply
// is written, the others from their own threads.
template <typename Fn>
void KillClients(CommandContext& ctx, Fn&& doomed) {
  for (auto& handle : ctx.server.clients.Snapshot()) {
    ClientState& client = handle->state();
    if (!doomed(client)) continue;
    if (&client == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else {
      handle->Kill();
    }
  }
}

// ACL SETUSER username [rule ...]
void CmdAclSetuser(CommandContext& ctx) {
  std::string_view name = ctx.args[2];
  std::vector<std::string> ops(ctx.args.begin() + 3, ctx.args.end());
  bool narrowed = false;
  std::string error = ctx.server.acl.SetUser(name, ops, &narrowed);
  if (!error.empty()) {
    ctx.reply.Error(error);
    return;
  }
  // Subscribers of the user whose channels the new rules no longer allow are disconnected
  // (Redis's ACLKillPubsubClientsIfNeeded).
  if (narrowed) {
    PubSubRegistry& pubsub = ctx.server.pubsub;
    KillClients(ctx, [&](ClientState& client) {
      if (client.info().user != name || !client.subscribed()) return false;
      std::vector<std::string> channels =
          pubsub.SubscriptionsOf(client, PubSubRegistry::Kind::kChannel);
      std::vector<std::string> shard = pubsub.SubscriptionsOf(client, PubSubRegistry::Kind::kShard);
      channels.insert(channels.end(), shard.begin(), shard.end());
      return !ctx.server.acl.ChannelsAllowed(
          name, channels, pubsub.SubscriptionsOf(client, PubSubRegistry::Kind::kPattern));
    });
  }
  ctx.reply.Ok();
}

// ACL DELUSER username [username ...]
void CmdAclDeluser(CommandContext& ctx) {
  std::vector<std::string_view> names(ctx.args.begin() + 2, ctx.args.end());
  if (std::find(names.begin(), names.end(), "default") != names.end()) {
    ctx.reply.Error("ERR The 'default' user cannot be removed");
    return;
  }
  int deleted = ctx.server.acl.DeleteUsers(names);
  KillClients(ctx, [&](ClientState& client) {
    std::string user = client.info().user;
    return std::find(names.begin(), names.end(), user) != names.end();
  });
  ctx.reply.Integer(deleted);
}

void ReplySelector(CommandContext& ctx, const AclSelectorDescription& selector) {
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(selector.commands);
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(selector.keys);
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(selector.channels);
}

// ACL GETUSER username
void CmdAclGetuser(CommandContext& ctx) {
  AclUserDescription user;
  if (!ctx.server.acl.GetUser(ctx.args[2], &user)) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.MapHeader(6);
  ctx.reply.Bulk("flags");
  ctx.reply.SetHeader(user.flags.size());
  for (std::string_view flag : user.flags) ctx.reply.Bulk(flag);
  ctx.reply.Bulk("passwords");
  ctx.reply.ArrayHeader(user.passwords.size());
  for (const std::string& password : user.passwords) ctx.reply.Bulk(password);
  ReplySelector(ctx, user.selectors.front());
  ctx.reply.Bulk("selectors");
  ctx.reply.ArrayHeader(user.selectors.size() - 1);
  for (size_t i = 1; i < user.selectors.size(); ++i) {
    ctx.reply.MapHeader(3);
    ReplySelector(ctx, user.selectors[i]);
  }
}

// ACL USERS
void CmdAclUsers(CommandContext& ctx) {
  std::vector<std::string> names = ctx.server.acl.UserNames();
  ctx.reply.ArrayHeader(names.size());
  for (const std::string& name : names) ctx.reply.Bulk(name);
}

// ACL LIST
void CmdAclList(CommandContext& ctx) {
  std::vector<std::string> lines = ctx.server.acl.ListLines();
  ctx.reply.ArrayHeader(lines.size());
  for (const std::string& line : lines) ctx.reply.Bulk(line);
}

// ACL WHOAMI
void CmdAclWhoami(CommandContext& ctx) { ctx.reply.Bulk(UserOf(ctx.server, ctx.client).name()); }

// ACL CAT [category]
void CmdAclCat(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
    return;
  }
  if (ctx.args.size() == 2) {
    std::span<const std::string_view> names = Acl::CategoryNames();
    ctx.reply.ArrayHeader(names.size());
    for (std::string_view name : names) ctx.reply.Bulk(name);
    return;
  }
  std::vector<std::string_view> commands;
  if (!ctx.server.acl.CommandsInCategory(ctx.args[2], &commands)) {
    ctx.reply.Error("ERR Unknown category '" + std::string(AsCString(ctx.args[2]).substr(0, 128)) +
                    "'");
    return;
  }
  ctx.reply.ArrayHeader(commands.size());
  for (std::string_view name : commands) ctx.reply.Bulk(name);
}

// ACL DRYRUN username command [arg ...]
void CmdAclDryrun(CommandContext& ctx) {
  std::shared_ptr<AclUser> user = ctx.server.acl.FindUser(ctx.args[2]);
  if (user == nullptr) {
    ctx.reply.Error("ERR User '" + std::string(AsCString(ctx.args[2])) + "' not found");
    return;
  }
  Args command = ctx.args.subspan(3);
  Resolution resolved = ctx.server.dispatcher.Resolve(command);
  if (resolved.refusal == Refusal::kUnknownCommand ||
      resolved.refusal == Refusal::kUnknownSubcommand) {
    ctx.reply.Error("ERR Command '" + std::string(AsCString(command[0])) + "' not found");
    return;
  }
  std::string_view full_name = ctx.server.acl.FullName(*resolved.spec);
  if (!resolved.ok()) {
    ctx.reply.Error(WrongArityError(full_name));
    return;
  }
  AclVerdict verdict = ctx.server.acl.Check(*user, *resolved.spec, command);
  switch (verdict.denial) {
    case AclDenial::kNone:
      ctx.reply.Ok();
      return;
    case AclDenial::kKey:
      ctx.reply.Bulk("This user has no permissions to access the '" +
                     std::string(command[verdict.arg_index]) + "' key");
      return;
    case AclDenial::kChannel:
      ctx.reply.Bulk("This user has no permissions to access the '" +
                     std::string(command[verdict.arg_index]) + "' channel");
      return;
    default:
      ctx.reply.Bulk("This user has no permissions to run the '" + std::string(full_name) +
                     "' command");
  }
}

// ACL GENPASS [bits]
void CmdAclGenpass(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
    return;
  }
  int64_t bits = 256;
  if (ctx.args.size() == 3) {
    ArgParser parser(ctx.args, 2);
    bits = parser.NextInt64();
    if (!parser.Finalize(ctx)) return;
  }
  if (bits <= 0 || bits > kGenpassMaxBits) {
    ctx.reply.Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
        "number up to 4096");
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  std::string password(static_cast<size_t>((bits + 3) / 4), '0');
  for (char& c : password) c = kHex[random() & 0xf];
  ctx.reply.Bulk(password);
}

// ACL LOG [count | RESET]
void CmdAclLog(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(SubcommandSyntaxError(ctx.args[0], ctx.args[1]));
    return;
  }
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (IsKeyword(ctx.args[2], "reset")) {
      ctx.server.acl.ResetLog();
      ctx.reply.Ok();
      return;
    }
    ArgParser parser(ctx.args, 2);
    count = std::max<int64_t>(0, parser.NextInt64());
    if (!parser.Finalize(ctx)) return;
  }
  std::vector<AclLogEntry> entries = ctx.server.acl.LogEntries(static_cast<size_t>(count));
  int64_t now = ctx.server.clock.NowMs();
  static constexpr std::string_view kReasons[] = {"unknown", "command", "key", "auth", "channel"};
  static constexpr std::string_view kContexts[] = {"toplevel", "multi", "lua"};
  ctx.reply.ArrayHeader(entries.size());
  for (const AclLogEntry& entry : entries) {
    ctx.reply.MapHeader(7);
    ctx.reply.Bulk("count");
    ctx.reply.Integer(static_cast<int64_t>(entry.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(kReasons[static_cast<int>(entry.reason)]);
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(kContexts[static_cast<int>(entry.context)]);
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(entry.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(entry.username);
    ctx.reply.Bulk("age-seconds");
    ctx.reply.Double(static_cast<double>(now - entry.ctime_ms) / 1000);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(entry.client_info);
  }
}

// ACL SAVE
void CmdAclSave(CommandContext& ctx) {
  if (ctx.server.acl.aclfile().empty()) {
    ctx.reply.Error(kErrNoAclFile);
  } else if (ctx.server.acl.SaveFile()) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
  }
}

// ACL LOAD
void CmdAclLoad(CommandContext& ctx) {
  if (ctx.server.acl.aclfile().empty()) {
    ctx.reply.Error(kErrNoAclFile);
    return;
  }
  std::vector<std::string> replaced;
  std::string errors = ctx.server.acl.LoadFile(&replaced);
  if (!errors.empty()) {
    ctx.reply.Error("ERR " + errors);
    return;
  }
  // Every user but the default one was replaced: their clients go, as Redis frees the old users.
  KillClients(ctx, [&](ClientState& client) {
    std::string user = client.info().user;
    return std::find(replaced.begin(), replaced.end(), user) != replaced.end();
  });
  ctx.reply.Ok();
}

// ACL HELP
void CmdAclHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr uint32_t kAclAdmin = kAdmin | kNoscript | kLoading | kStale;
constexpr uint32_t kAclPlain = kNoscript | kLoading | kStale;

constexpr CommandSpec kAclSubcommands[] = {
    {.name = "cat", .arity = -2, .flags = kAclPlain, .handler = CmdAclCat},
    {.name = "deluser", .arity = -3, .flags = kAclAdmin, .handler = CmdAclDeluser},
    {.name = "dryrun", .arity = -4, .flags = kAclAdmin, .handler = CmdAclDryrun},
    {.name = "genpass", .arity = -2, .flags = kAclPlain, .handler = CmdAclGenpass},
    {.name = "getuser", .arity = 3, .flags = kAclAdmin, .handler = CmdAclGetuser},
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdAclHelp},
    {.name = "list", .arity = 2, .flags = kAclAdmin, .handler = CmdAclList},
    {.name = "load", .arity = 2, .flags = kAclAdmin, .handler = CmdAclLoad},
    {.name = "log", .arity = -2, .flags = kAclAdmin, .handler = CmdAclLog},
    {.name = "save", .arity = 2, .flags = kAclAdmin, .handler = CmdAclSave},
    {.name = "setuser", .arity = -3, .flags = kAclAdmin, .handler = CmdAclSetuser},
    {.name = "users", .arity = 2, .flags = kAclAdmin, .handler = CmdAclUsers},
    {.name = "whoami", .arity = 2, .flags = kAclPlain, .handler = CmdAclWhoami},
};

constexpr CommandSpec kRows[] = {
    {.name = "acl",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kAclSubcommands},
};

// What a refused command gets on each entry path, as Redis words it there: processCommand,
// execCommand (rules changed since queueing) and scriptCall.
std::string DenialText(ExecutionMode path, AclDenial denial, std::string_view full_name) {
  switch (path) {
    case ExecutionMode::kTransaction: {
      std::string_view reason =
          denial == AclDenial::kKey       ? "no permission to touch the specified keys"
          : denial == AclDenial::kChannel ? "no permission to access one of the channels used as "
                                            "arguments"
                                          : "no permission to execute the command or subcommand";
      return "NOPERM ACLs rules changed between the moment the transaction was accumulated and "
             "the EXEC call. This command is no longer allowed for the following reason: " +
             std::string(reason);
    }
    case ExecutionMode::kScript:
      return denial == AclDenial::kKey
                 ? "ERR The user executing the script can't access at least one of the keys "
                   "mentioned in the command arguments"
             : denial == AclDenial::kChannel
                 ? "ERR The user executing the script can't publish to the channel mentioned in "
                   "the command"
                 : "ERR The user executing the script can't run this command or subcommand";
    default:
      return denial == AclDenial::kKey
                 ? "NOPERM this user has no permissions to access one of the keys used as "
                   "arguments"
             : denial == AclDenial::kChannel
                 ? "NOPERM this user has no permissions to access one of the channels used as "
                   "arguments"
                 : "NOPERM this user has no permissions to run the '" + std::string(full_name) +
                       "' command";
  }
}

}  // namespace

void RegisterAclFamily(CommandTable& table) { table.Register(kRows); }

AdmissionHook AclAdmissionHook(ServerContext& server) {
  return [&server](const Admission& admission) {
    // Redis 7.0 serves a blocked client without checking its command again.
    if (admission.path == ExecutionMode::kBlockedRetry) return Refusal::kNone;
    const AclUser& user = UserOf(server, admission.client);
    AclVerdict verdict = server.acl.Check(user, admission.spec, admission.args);
    if (verdict.denial == AclDenial::kNone) [[likely]] {
      return Refusal::kNone;
    }
    std::string_view full_name = server.acl.FullName(admission.spec);
    AclLogContext context = AclLogContext::kTopLevel;
    if (admission.path == ExecutionMode::kScript) {
      context = AclLogContext::kLua;
    } else if (admission.path == ExecutionMode::kTransaction ||
               (admission.client.transaction != nullptr &&
                admission.client.transaction->in_multi())) {
      context = AclLogContext::kMulti;
    }
    std::string object = verdict.denial == AclDenial::kCommand
                             ? std::string(full_name)
                             : std::string(admission.args[verdict.arg_index]);
    // A script's refusal is logged with its caller's line, as Redis logs the script's caller.
    ScriptRun* run =
        admission.path == ExecutionMode::kScript ? server.scripting.current_run() : nullptr;
    ClientState& client = run != nullptr ? run->caller->client : admission.client;
    server.acl.Log(verdict.denial, context, std::move(object), user.name(), server.clock.NowMs(),
                   ClientInfoLine(server, client));
    admission.error_text = DenialText(admission.path, verdict.denial, full_name);
    return Refusal::kHookError;
  };
}

}  // namespace respd::server
