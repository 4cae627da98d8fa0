// What handlers of several families share besides argument parsing (see handler_support.h).
#include "server/commands/handler_support.h"

#include <vector>

#include "server/config/config.h"
#include "server/dispatch/server_context.h"

namespace respd::server {

size_t OptionIndex(std::string_view name) {
  const std::vector<OptionSpec>& specs = OptionSpecs();
  size_t i = 0;
  while (specs[i].name != name) ++i;
  return i;
}

int ListMaxListpackSize(const CommandContext& ctx) {
  static const size_t kIndex = OptionIndex("list-max-listpack-size");
  return static_cast<int>(ctx.server.config.options()[kIndex]->number());
}

bool RdbCompression(const ServerContext& server) {
  static const size_t kIndex = OptionIndex("rdbcompression");
  return server.config.options()[kIndex]->text() == "yes";
}

storage::rdb::LoadLimits LoadLimitsOf(const ServerContext& server) {
  static const size_t kHashEntries = OptionIndex("hash-max-listpack-entries");
  static const size_t kHashValue = OptionIndex("hash-max-listpack-value");
  static const size_t kZSetEntries = OptionIndex("zset-max-listpack-entries");
  static const size_t kZSetValue = OptionIndex("zset-max-listpack-value");
  static const size_t kIntsetEntries = OptionIndex("set-max-intset-entries");
  static const size_t kListFill = OptionIndex("list-max-listpack-size");
  const auto& options = server.config.options();
  const auto number = [&](size_t index) { return options[index]->number(); };
  storage::rdb::LoadLimits limits;
  limits.hash = {static_cast<size_t>(number(kHashEntries)), static_cast<size_t>(number(kHashValue))};
  limits.zset = {static_cast<size_t>(number(kZSetEntries)), static_cast<size_t>(number(kZSetValue))};
  limits.set_max_intset_entries = static_cast<size_t>(number(kIntsetEntries));
  limits.list_fill = static_cast<int>(number(kListFill));
  return limits;
}

uint64_t MaxStringLen(const CommandContext& ctx) {
  return static_cast<uint64_t>(ctx.server.config.proto_max_bulk_len().number());
}

void ReplyEmptyScan(CommandContext& ctx) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk("0");
  ctx.reply.ArrayHeader(0);
}

}  // namespace respd::server
