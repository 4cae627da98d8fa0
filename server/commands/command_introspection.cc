// COMMAND's replies about commands, in Redis 7.0's field order and RESP types (server.c's
// addReplyCommandInfo, addReplyCommandDocs, getKeysSubcommandImpl). The values come from the
// generated metadata; a command Redis 7.0 does not have (CLIENT SETINFO) is described from its
// table row.
#include "server/commands/command_introspection.h"

#include <strings.h>

#include <cctype>
#include <cstdint>
#include <string>

#include "server/dispatch/command_metadata.h"
#include "server/dispatch/command_table.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

using metadata::Argument;
using metadata::BeginSearch;
using metadata::CommandMetadata;
using metadata::FindKeys;
using metadata::KeySpec;
using metadata::Present;
using metadata::Words;

std::string FullName(const CommandSpec& spec, const CommandSpec* container) {
  if (container == nullptr) return std::string(spec.name);
  return std::string(container->name) + "|" + std::string(spec.name);
}

// Every registered command has metadata (command_metadata_test checks); the empty fallback keeps
// COMMAND from crashing on a row added without it.
const CommandMetadata& MetadataOf(const CommandSpec& spec, const CommandSpec* container) {
  static constexpr CommandMetadata kUndescribed;
  const CommandMetadata* found = metadata::Find(FullName(spec, container));
  return found != nullptr ? *found : kUndescribed;
}

// Redis writes flag and category sets as status replies.
void ReplyStatusSet(CommandContext& ctx, const std::vector<std::string_view>& items) {
  ctx.reply.SetHeader(items.size());
  for (std::string_view item : items) ctx.reply.SimpleString(item);
}

void ReplyKeySpec(CommandContext& ctx, const KeySpec& spec) {
  ctx.reply.MapHeader(Present(spec.notes) ? 4 : 3);
  if (Present(spec.notes)) {
    ctx.reply.Bulk("notes");
    ctx.reply.Bulk(spec.notes);
  }
  ctx.reply.Bulk("flags");
  ReplyStatusSet(ctx, Words(spec.flags));
  ctx.reply.Bulk("begin_search");
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("type");
  switch (spec.begin_search) {
    case BeginSearch::kIndex:
      ctx.reply.Bulk("index");
      ctx.reply.Bulk("spec");
      ctx.reply.MapHeader(1);
      ctx.reply.Bulk("index");
      ctx.reply.Integer(spec.index);
      break;
    case BeginSearch::kKeyword:
      ctx.reply.Bulk("keyword");
      ctx.reply.Bulk("spec");
      ctx.reply.MapHeader(2);
      ctx.reply.Bulk("keyword");
      ctx.reply.Bulk(spec.keyword);
      ctx.reply.Bulk("startfrom");
      ctx.reply.Integer(spec.startfrom);
      break;
    case BeginSearch::kUnknown:
      ctx.reply.Bulk("unknown");
      ctx.reply.Bulk("spec");
      ctx.reply.MapHeader(0);
      break;
  }
  ctx.reply.Bulk("find_keys");
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("type");
  switch (spec.find_keys) {
    case FindKeys::kRange:
      ctx.reply.Bulk("range");
      ctx.reply.Bulk("spec");
      ctx.reply.MapHeader(3);
      ctx.reply.Bulk("lastkey");
      ctx.reply.Integer(spec.lastkey);
      ctx.reply.Bulk("keystep");
      ctx.reply.Integer(spec.keystep);
      ctx.reply.Bulk("limit");
      ctx.reply.Integer(spec.limit);
      break;
    case FindKeys::kKeynum:
      ctx.reply.Bulk("keynum");
      ctx.reply.Bulk("spec");
      ctx.reply.MapHeader(3);
      ctx.reply.Bulk("keynumidx");
      ctx.reply.Integer(spec.keynumidx);
      ctx.reply.Bulk("firstkey");
      ctx.reply.Integer(spec.firstkey);
      ctx.reply.Bulk("keystep");
      ctx.reply.Integer(spec.keystep);
      break;
    case FindKeys::kUnknown:
      ctx.reply.Bulk("unknown");
      ctx.reply.Bulk("spec");
      ctx.reply.MapHeader(0);
      break;
  }
}

// A registered subcommand list in Redis's order (the metadata's), then any Redis 7.0 lacks.
std::vector<const CommandSpec*> OrderedSubcommands(const CommandSpec& spec,
                                                   const CommandMetadata& meta) {
  std::vector<const CommandSpec*> ordered;
  for (const CommandMetadata& sub : meta.subcommands) {
    std::string_view own = sub.name.substr(sub.name.find('|') + 1);
    if (const CommandSpec* found = CommandTable::FindSubcommand(spec, own)) {
      ordered.push_back(found);
    }
  }
  for (const CommandSpec& sub : spec.subcommands) {
    if (metadata::FindSubcommand(meta, sub.name) == nullptr) ordered.push_back(&sub);
  }
  return ordered;
}

void ReplyArguments(CommandContext& ctx, std::span<const Argument> arguments) {
  ctx.reply.ArrayHeader(arguments.size());
  for (const Argument& arg : arguments) {
    std::pair<std::string_view, std::string_view> optional[] = {
        {"token", arg.token},
        {"summary", arg.summary},
        {"since", arg.since},
        {"deprecated_since", arg.deprecated_since},
        {"display_text", arg.display_text}};
    size_t fields = 2 + (arg.key_spec_index >= 0) + Present(arg.flags) + !arg.arguments.empty();
    for (const auto& [name, value] : optional) fields += Present(value);
    ctx.reply.MapHeader(fields);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(arg.name);
    ctx.reply.Bulk("type");
    ctx.reply.Bulk(arg.type);
    if (arg.key_spec_index >= 0) {
      ctx.reply.Bulk("key_spec_index");
      ctx.reply.Integer(arg.key_spec_index);
    }
    for (const auto& [name, value] : optional) {
      if (!Present(value)) continue;
      ctx.reply.Bulk(name);
      ctx.reply.Bulk(value);
    }
    if (Present(arg.flags)) {
      ctx.reply.Bulk("flags");
      ReplyStatusSet(ctx, Words(arg.flags));
    }
    if (!arg.arguments.empty()) {
      ctx.reply.Bulk("arguments");
      ReplyArguments(ctx, arg.arguments);
    }
  }
}

// ---- GETKEYS ----------------------------------------------------------------------------------

constexpr std::string_view kReadAccess = "RO access";
constexpr std::string_view kReadWriteUpdate = "RW access update";
constexpr std::string_view kOverwrite = "OW update";

bool IsWord(std::string_view arg, std::string_view word) {
  arg = AsCString(arg);
  return arg.size() == word.size() && strncasecmp(arg.data(), word.data(), arg.size()) == 0;
}

// BITFIELD only reads when every operation is a complete GET (OVERFLOW aside), as Redis's
// bitfieldGetKeys decides.
bool BitfieldOnlyReads(Args args) {
  for (size_t i = 2; i < args.size(); ++i) {
    size_t remaining = args.size() - i - 1;
    if (IsWord(args[i], "get") && remaining >= 2) {
      i += 2;
    } else if (IsWord(args[i], "overflow") && remaining >= 1) {
      i += 1;
    } else {
      return false;
    }
  }
  return true;
}

// The flags Redis's own key-finding function of a command gives the key at `position`, used where
// the key specs do not apply or carry variable flags.
std::string_view FallbackFlags(const CommandMetadata& meta, Args args, int position) {
  if (meta.name == "set") {
    for (size_t i = 3; i < args.size(); ++i) {
      if (IsWord(args[i], "get")) return kReadWriteUpdate;
    }
    return kOverwrite;
  }
  if (meta.name == "bitfield") return BitfieldOnlyReads(args) ? kReadAccess : kReadWriteUpdate;
  if (meta.name == "sort" || meta.name == "sort_ro") return position == 1 ? kReadAccess : kOverwrite;
  // Otherwise the spec the position belongs to: the one starting there, else the first movable.
  const KeySpec* chosen = nullptr;
  for (const KeySpec& spec : meta.key_specs) {
    if (spec.begin_search == BeginSearch::kIndex && spec.index == position &&
        spec.find_keys == FindKeys::kRange && spec.lastkey == 0) {
      chosen = &spec;
      break;
    }
    bool movable = spec.begin_search != BeginSearch::kIndex || spec.find_keys != FindKeys::kRange;
    if (chosen == nullptr && movable) chosen = &spec;
  }
  if (chosen == nullptr) chosen = &meta.key_specs.front();
  // The flags without the spec-only markers, which a key-finding function never reports.
  std::string_view flags = chosen->flags;
  for (std::string_view marker : {" incomplete", " variable_flags"}) {
    size_t at = flags.find(marker);
    if (at != std::string_view::npos) flags = flags.substr(0, at);
  }
  return flags;
}

// C's atoi as glibc has it, (int)strtol: leading blanks, a sign, digits up to the first other
// character; out of range saturates to LONG_MIN/LONG_MAX before the cast.
int Atoi(std::string_view arg) {
  arg = AsCString(arg);
  size_t i = 0;
  while (i < arg.size() && std::isspace(static_cast<unsigned char>(arg[i]))) ++i;
  bool negative = i < arg.size() && arg[i] == '-';
  if (i < arg.size() && (arg[i] == '-' || arg[i] == '+')) ++i;
  unsigned long long magnitude = 0;
  bool saturated = false;
  for (; i < arg.size() && std::isdigit(static_cast<unsigned char>(arg[i])); ++i) {
    magnitude = magnitude * 10 + static_cast<unsigned>(arg[i] - '0');
    if (magnitude > (1ull << 63)) saturated = true, magnitude = 1ull << 63;
  }
  int64_t value;
  if (negative) {
    value = magnitude >= (1ull << 63) ? INT64_MIN : -static_cast<int64_t>(magnitude);
  } else {
    value = (saturated || magnitude > INT64_MAX) ? INT64_MAX : static_cast<int64_t>(magnitude);
  }
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(value)));
}

// Redis's genericGetKeys, the key-finding function of the numkeys commands (EVAL, FCALL,
// ZUNIONSTORE, LMPOP...): the count read with atoi, the keys, then the destination; no flags.
bool NumkeysFallback(const CommandMetadata& meta, Args args, std::vector<metadata::KeyReference>* keys) {
  const KeySpec* counted = nullptr;
  int store = 0;
  for (const KeySpec& spec : meta.key_specs) {
    if (spec.find_keys == FindKeys::kKeynum && spec.begin_search == BeginSearch::kIndex) {
      counted = &spec;
    } else if (spec.begin_search == BeginSearch::kIndex && spec.find_keys == FindKeys::kRange) {
      store = spec.index;
    }
  }
  if (counted == nullptr) return false;
  const int argc = static_cast<int>(args.size());
  int first = counted->index + counted->firstkey;
  int count = Atoi(args[counted->index + counted->keynumidx]);
  if (count < 1 || count > (argc - first) / counted->keystep) return true;
  for (int i = 0; i < count; ++i) keys->push_back({first + i * counted->keystep, ""});
  if (store != 0) keys->push_back({store, ""});
  return true;
}

bool HasKeySpecs(const CommandMetadata& meta) {
  for (const KeySpec& spec : meta.key_specs) {
    if (!metadata::HasWord(spec.flags, "not_key")) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string_view> CommandCategories(const CommandSpec& spec,
                                                const CommandSpec* container) {
  return Words(MetadataOf(spec, container).acl_categories);
}

void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& spec, const CommandSpec* container) {
  const CommandMetadata& meta = MetadataOf(spec, container);
  ctx.reply.ArrayHeader(10);
  ctx.reply.Bulk(FullName(spec, container));
  ctx.reply.Integer(meta.arity);
  ReplyStatusSet(ctx, Words(meta.flags));
  ctx.reply.Integer(meta.first_key);
  ctx.reply.Integer(meta.last_key);
  ctx.reply.Integer(meta.key_step);
  ReplyStatusSet(ctx, Words(meta.acl_categories));
  std::vector<std::string_view> tips = Words(meta.tips);
  ctx.reply.SetHeader(tips.size());
  for (std::string_view tip : tips) ctx.reply.Bulk(tip);
  ctx.reply.SetHeader(meta.key_specs.size());
  for (const KeySpec& key_spec : meta.key_specs) ReplyKeySpec(ctx, key_spec);
  // Redis: an empty set for a command without subcommands, else an array.
  std::vector<const CommandSpec*> subcommands = OrderedSubcommands(spec, meta);
  if (subcommands.empty()) {
    ctx.reply.SetHeader(0);
    return;
  }
  ctx.reply.ArrayHeader(subcommands.size());
  for (const CommandSpec* sub : subcommands) ReplyCommandInfo(ctx, *sub, &spec);
}

void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& spec, const CommandSpec* container) {
  const CommandMetadata& meta = MetadataOf(spec, container);
  std::vector<const CommandSpec*> subcommands = OrderedSubcommands(spec, meta);
  ctx.reply.Bulk(FullName(spec, container));
  std::pair<std::string_view, std::string_view> texts[] = {
      {"summary", meta.summary}, {"since", meta.since}, {"group", meta.group},
      {"complexity", meta.complexity}};
  std::pair<std::string_view, std::string_view> deprecation[] = {
      {"deprecated_since", meta.deprecated_since}, {"replaced_by", meta.replaced_by}};
  size_t fields = Present(meta.doc_flags) + !meta.history.empty() +
                  !meta.arguments.empty() + !subcommands.empty();
  for (const auto& [name, value] : texts) fields += Present(value);
  for (const auto& [name, value] : deprecation) fields += Present(value);
  ctx.reply.MapHeader(fields);
  for (const auto& [name, value] : texts) {
    if (!Present(value)) continue;
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
  if (Present(meta.doc_flags)) {
    ctx.reply.Bulk("doc_flags");
    ReplyStatusSet(ctx, Words(meta.doc_flags));
  }
  for (const auto& [name, value] : deprecation) {
    if (!Present(value)) continue;
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
  if (!meta.history.empty()) {
    ctx.reply.Bulk("history");
    ctx.reply.SetHeader(meta.history.size());
    for (const metadata::HistoryEntry& entry : meta.history) {
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(entry.version);
      ctx.reply.Bulk(entry.change);
    }
  }
  if (!meta.arguments.empty()) {
    ctx.reply.Bulk("arguments");
    ReplyArguments(ctx, meta.arguments);
  }
  if (subcommands.empty()) return;
  ctx.reply.Bulk("subcommands");
  ctx.reply.MapHeader(subcommands.size());
  for (const CommandSpec* sub : subcommands) ReplyCommandDocs(ctx, *sub, &spec);
}

void ReplyCommandKeys(CommandContext& ctx, Args target, bool with_flags) {
  // Found as Redis's lookupCommand does: a container named alone is the container itself.
  const CommandSpec* container = nullptr;
  const CommandSpec* spec = ctx.server.commands.Find(target[0]);
  if (spec != nullptr && target.size() > 1 && !spec->subcommands.empty()) {
    container = spec;
    spec = CommandTable::FindSubcommand(*container, target[1]);
  }
  if (spec == nullptr) {
    ctx.reply.Error("ERR Invalid command specified");
    return;
  }
  const CommandMetadata& meta = MetadataOf(*spec, container);
  if (!HasKeySpecs(meta)) {
    ctx.reply.Error("ERR The command has no key arguments");
    return;
  }
  bool arity_ok = meta.arity > 0 ? target.size() == static_cast<size_t>(meta.arity)
                                  : target.size() >= static_cast<size_t>(-meta.arity);
  if (!arity_ok) {
    ctx.reply.Error("ERR Invalid number of arguments specified for command");
    return;
  }
  // Redis prefers the key specs unless their flags vary with the arguments; where they do not
  // apply it asks the command's own key-finding function, which movable commands have.
  std::vector<metadata::KeyReference> keys;
  bool variable_flags = false;
  for (const KeySpec& key_spec : meta.key_specs) {
    variable_flags |= metadata::HasWord(key_spec.flags, "variable_flags");
  }
  if (variable_flags || !metadata::KeysFromSpecs(meta, target, &keys)) {
    keys.clear();
    bool has_function = variable_flags || metadata::HasWord(meta.flags, "movablekeys");
    std::vector<int> positions;
    if (has_function && !NumkeysFallback(meta, target, &keys) &&
        KeyPositions(*spec, target, &positions)) {
      for (int position : positions) {
        // Redis's sortROGetKeys reports the sorted key only, whatever else is written.
        if (meta.name == "sort_ro" && position != 1) continue;
        keys.push_back({position, FallbackFlags(meta, target, position)});
      }
    }
  }
  if (keys.empty()) {
    if (metadata::HasWord(meta.flags, "no_mandatory_keys")) {
      ctx.reply.ArrayHeader(0);
    } else {
      ctx.reply.Error("ERR Invalid arguments specified for command");
    }
    return;
  }
  ctx.reply.ArrayHeader(keys.size());
  for (const metadata::KeyReference& key : keys) {
    if (with_flags) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(target[key.position]);
    if (with_flags) ReplyStatusSet(ctx, Words(key.flags));
  }
}

}  // namespace respd::server
