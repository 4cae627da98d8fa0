// MODULE (Redis's module.c) for a server that loads no modules: LIST answers the empty list that
// clients probe for (RedisJSON, RediSearch...), and LOAD, LOADEX and UNLOAD fail as Redis fails
// them when a module cannot be loaded or is not loaded. The three are protected as in Redis
// (enable-module-command, checked by the dispatcher).
#include <spdlog/spdlog.h>

#include <string_view>

#include "server/commands/families.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

// MODULE LIST
void CmdModuleList(CommandContext& ctx) { ctx.reply.ArrayHeader(0); }

// MODULE LOAD path [arg ...], MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]
void CmdModuleLoad(CommandContext& ctx) {
  spdlog::warn("Module {} failed to load: respd does not load modules", ctx.args[2]);
  ctx.reply.Error("ERR Error loading the extension. Please check the server logs.");
}

// MODULE UNLOAD name
void CmdModuleUnload(CommandContext& ctx) {
  ctx.reply.Error("ERR Error unloading module: no such module with that name");
}

void CmdModuleHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LIST",
      "    Return a list of loaded modules.",
      "LOAD <path> [<arg> ...]",
      "    Load a module library from <path>, passing to it any optional arguments.",
      "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
      "    Load a module library from <path>, while passing it module configurations and optional "
      "arguments.",
      "UNLOAD <name>",
      "    Unload a module.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr uint32_t kChangeFlags = kAdmin | kNoscript | kNoAsyncLoading | kProtected;

constexpr CommandSpec kModuleSubcommands[] = {
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdModuleHelp},
    {.name = "list", .arity = 2, .flags = kAdmin | kNoscript, .handler = CmdModuleList},
    {.name = "load", .arity = -3, .flags = kChangeFlags, .handler = CmdModuleLoad},
    {.name = "loadex", .arity = -3, .flags = kChangeFlags, .handler = CmdModuleLoad},
    {.name = "unload", .arity = 3, .flags = kChangeFlags, .handler = CmdModuleUnload},
};

constexpr CommandSpec kRows[] = {
    {.name = "module",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kModuleSubcommands},
};

}  // namespace

void RegisterModuleFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
