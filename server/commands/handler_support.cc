// What handlers of several families share besides argument parsing (see handler_support.h).
#include "server/commands/handler_support.h"

#include "server/config/config.h"
#include "server/dispatch/server_context.h"

namespace respd::server {

int ListMaxListpackSize(const CommandContext& ctx) {
  static const size_t kIndex = OptionIndex("list-max-listpack-size");
  return static_cast<int>(ctx.server.config.options()[kIndex]->number());
}

uint64_t MaxStringLen(const CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.server.config.proto_max_bulk_len().number());
}

std::string DeletionCommand(const CommandContext& ctx, std::string_view lazyfree_option) {
  return ctx.server.config.Get(lazyfree_option).enabled() ? "UNLINK" : "DEL";
}

void ReplyEmptyScan(CommandContext& ctx) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk("0");
  ctx.reply.ArrayHeader(0);
}

}  // namespace respd::server
