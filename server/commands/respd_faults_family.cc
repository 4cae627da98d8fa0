// RESPD FAULT and RESPD JOURNAL: the grammar of fault rules and journal queries (docs/TESTING.md);
// the rules and the ring are services (server/services/faults.h, journal.h).
#include <chrono>

#include "server/commands/args.h"
#include "server/commands/respd_faults.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

// How often a waiting RESPD JOURNAL WAIT looks at the journal again.
constexpr int64_t kJournalWaitPollMs = 5;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string UnknownSubcommand(CommandContext& ctx) {
  return SubcommandSyntaxError(std::string("respd|") + Lower(ctx.args[1]), ctx.args[2]);
}

bool NextOnOff(ArgParser& parser) {
  return parser.NextOneOf<bool>({{"on", true}, {"off", false}});
}

std::string_view ActionName(FaultAction action) {
  switch (action) {
    case FaultAction::kError:
      return "error";
    case FaultAction::kDelay:
      return "delay";
    case FaultAction::kCloseBefore:
      return "close-before";
    case FaultAction::kCloseAfter:
      return "close-after";
    case FaultAction::kNoReply:
      return "noreply";
  }
  return "";
}

// RESPD FAULT ADD [COMMAND name]... [KEY glob] [CLIENT glob] [DB n] [AFTER n] [TIMES n]
//   [PROBABILITY p] ERROR text | DELAY ms | CLOSE BEFORE|AFTER | NOREPLY
void FaultAdd(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  FaultRule rule;
  bool has_action = false;
  while (parser.HasNext() && !has_action) {
    if (parser.Accept("COMMAND", 1)) {
      rule.commands.push_back(Lower(parser.Next()));
    } else if (parser.Accept("KEY", 1)) {
      rule.key_glob = parser.Next();
    } else if (parser.Accept("CLIENT", 1)) {
      rule.client_glob = parser.Next();
    } else if (parser.Accept("DB")) {
      rule.db = static_cast<int>(parser.NextInt64InRange(0, INT32_MAX));
    } else if (parser.Accept("AFTER")) {
      rule.after = parser.NextNonNegative();
    } else if (parser.Accept("TIMES")) {
      rule.times = parser.NextInt64InRange(1, INT64_MAX);
    } else if (parser.Accept("PROBABILITY")) {
      rule.probability = parser.NextDouble();
      parser.FailUnless(rule.probability >= 0 && rule.probability <= 1,
                        "ERR PROBABILITY must be between 0 and 1");
    } else if (parser.Accept("ERROR", 1)) {
      std::string_view text = parser.Next();
      if (text.starts_with('-')) text.remove_prefix(1);
      parser.FailUnless(!text.empty() && text.find_first_of("\r\n") == std::string_view::npos,
                        "ERR the ERROR text must be one non-empty line");
      rule.action = FaultAction::kError;
      rule.error = text;
      has_action = true;
    } else if (parser.Accept("DELAY")) {
      rule.action = FaultAction::kDelay;
      rule.delay_ms = parser.NextNonNegative();
      has_action = true;
    } else if (parser.Accept("CLOSE")) {
      rule.action = parser.NextOneOf<FaultAction>(
          {{"BEFORE", FaultAction::kCloseBefore}, {"AFTER", FaultAction::kCloseAfter}});
      has_action = true;
    } else if (parser.Accept("NOREPLY")) {
      rule.action = FaultAction::kNoReply;
      has_action = true;
    } else {
      parser.Fail(kErrSyntax);
    }
  }
  if (!has_action) parser.Fail("ERR a fault needs an action: ERROR, DELAY, CLOSE or NOREPLY");
  if (!parser.Finalize(ctx)) return;
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.faults.Add(std::move(rule))));
}

void FaultList(CommandContext& ctx) {
  std::vector<FaultRule> rules = ctx.server.faults.List();
  ctx.reply.ArrayHeader(rules.size());
  for (const FaultRule& rule : rules) {
    ctx.reply.MapHeader(12);
    ctx.reply.Bulk("id");
    ctx.reply.Integer(static_cast<int64_t>(rule.id));
    ctx.reply.Bulk("commands");
    ctx.reply.ArrayHeader(rule.commands.size());
    for (const std::string& name : rule.commands) ctx.reply.Bulk(name);
    ctx.reply.Bulk("key");
    ctx.reply.Bulk(rule.key_glob);
    ctx.reply.Bulk("client");
    ctx.reply.Bulk(rule.client_glob);
    ctx.reply.Bulk("db");
    ctx.reply.Integer(rule.db);
    ctx.reply.Bulk("after");
    ctx.reply.Integer(static_cast<int64_t>(rule.after));
    ctx.reply.Bulk("times");
    ctx.reply.Integer(rule.times);
    ctx.reply.Bulk("probability");
    ctx.reply.Double(rule.probability);
    ctx.reply.Bulk("action");
    ctx.reply.Bulk(ActionName(rule.action));
    ctx.reply.Bulk("argument");
    if (rule.action == FaultAction::kError) {
      ctx.reply.Bulk(rule.error);
    } else {
      ctx.reply.Integer(rule.delay_ms);
    }
    ctx.reply.Bulk("matched");
    ctx.reply.Integer(static_cast<int64_t>(rule.matched));
    ctx.reply.Bulk("fired");
    ctx.reply.Integer(static_cast<int64_t>(rule.fired));
  }
}

// Reads the journal filters shared by GET, COUNT and WAIT; stops at a word that is not one.
void ParseJournalFilter(ArgParser& parser, CommandContext& ctx, JournalFilter* filter) {
  while (parser.HasNext()) {
    if (parser.Accept("CLIENT", 1)) {
      filter->client_glob = parser.Next();
    } else if (parser.Accept("LIB", 1)) {
      filter->lib = parser.Next();
    } else if (parser.Accept("KEY", 1)) {
      filter->key_glob = parser.Next();
    } else if (parser.Accept("SINCE")) {
      filter->since = parser.NextNonNegative();
    } else if (parser.Accept("COMMAND")) {
      // COMMAND name [name ...]: names up to the next filter keyword.
      do {
        filter->commands.push_back(Lower(parser.Next()));
      } while (parser.HasNext() && !parser.Is("CLIENT") && !parser.Is("LIB") &&
               !parser.Is("KEY") && !parser.Is("SINCE") && !parser.Is("COUNT") &&
               !parser.Is("MIN") && !parser.Is("TIMEOUT"));
    } else {
      return;
    }
  }
}

void WriteEntry(protocol::ReplyWriter& reply, const JournalEntry& entry) {
  reply.MapHeader(11);
  reply.Bulk("seq");
  reply.Integer(static_cast<int64_t>(entry.seq));
  reply.Bulk("time");
  reply.Integer(entry.unix_ms);
  reply.Bulk("client-id");
  reply.Integer(static_cast<int64_t>(entry.client_id));
  reply.Bulk("client-name");
  reply.Bulk(entry.client_name);
  reply.Bulk("lib-name");
  reply.Bulk(entry.lib_name);
  reply.Bulk("lib-ver");
  reply.Bulk(entry.lib_ver);
  reply.Bulk("db");
  reply.Integer(entry.db);
  reply.Bulk("argv");
  reply.ArrayHeader(entry.argv.size());
  for (const std::string& arg : entry.argv) reply.Bulk(arg);
  reply.Bulk("reply");
  reply.Bulk(entry.error ? "error" : "ok");
  reply.Bulk("error");
  reply.Bulk(entry.error_text);
  reply.Bulk("duration-us");
  reply.Integer(static_cast<int64_t>(entry.usec));
}

// RESPD JOURNAL GET [filters] [COUNT n]
void JournalGet(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  JournalFilter filter;
  ParseJournalFilter(parser, ctx, &filter);
  int64_t count = parser.Accept("COUNT") ? parser.NextNonNegative() : 0;
  if (!parser.Finalize(ctx)) return;
  std::vector<JournalEntry> entries = ctx.server.journal.Get(filter, count);
  ctx.reply.ArrayHeader(entries.size());
  for (const JournalEntry& entry : entries) WriteEntry(ctx.reply, entry);
}

// RESPD JOURNAL COUNT [filters]
void JournalCount(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  JournalFilter filter;
  ParseJournalFilter(parser, ctx, &filter);
  if (!parser.Finalize(ctx)) return;
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.journal.Count(filter)));
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// RESPD JOURNAL WAIT [filters] [MIN n] TIMEOUT ms: the number of matching entries once it is at
// least MIN (default 1), or when TIMEOUT real milliseconds have passed (0: wait for ever). The
// caller's connection runs it again every few milliseconds meanwhile (ReplyFate::kRerun), so no
// thread waits; inside MULTI or a script it answers at once.
void JournalWait(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  JournalFilter filter;
  ParseJournalFilter(parser, ctx, &filter);
  int64_t min = parser.Accept("MIN") ? parser.NextNonNegative() : 1;
  parser.FailUnless(parser.Accept("TIMEOUT"), "ERR RESPD JOURNAL WAIT needs TIMEOUT ms");
  int64_t timeout_ms = parser.NextNonNegative();
  if (!parser.Finalize(ctx)) {
    ctx.client.journal_wait_start_ms = 0;
    return;
  }
  int64_t seen = static_cast<int64_t>(ctx.server.journal.Count(filter));
  int64_t now = SteadyMs();
  if (ctx.client.journal_wait_start_ms == 0) ctx.client.journal_wait_start_ms = now;
  bool timed_out = timeout_ms != 0 && now - ctx.client.journal_wait_start_ms >= timeout_ms;
  if (seen >= min || timed_out || ctx.mode != ExecutionMode::kNormal) {
    ctx.client.journal_wait_start_ms = 0;
    ctx.reply.Integer(seen);
    return;
  }
  ctx.client.reply_fate = ReplyFate::kRerun;
  ctx.client.reply_delay_ms = kJournalWaitPollMs;
}

// The longest RESPD FAULT DOWN: long enough for any reconnect test, short enough that a typo
// cannot leave a test machine's server unreachable for long.
constexpr int64_t kMaxDownMs = 3600000;
constexpr std::string_view kErrBadDown =
    "ERR invalid time: ms must be an integer between 0 and 3600000";

// RESPD FAULT DOWN ms: answers OK, then the server closes this connection and every other one and
// refuses new ones (TCP and unix socket) for ms real milliseconds, as a restart looks from
// outside; data, rules and the journal stay.
void FaultDown(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  int64_t ms = parser.NextInt64InRange(0, kMaxDownMs, kErrBadDown);
  if (!parser.Finalize(ctx)) return;
  if (!ctx.server.request_down) {
    ctx.reply.Error("ERR RESPD FAULT DOWN needs a network server");
    return;
  }
  ctx.server.request_down(ms, ctx.client.id());
  ctx.client.close_after_reply = true;
  ctx.reply.SimpleString("OK");
}

}  // namespace

void CmdRespdFault(CommandContext& ctx) {
  Faults& faults = ctx.server.faults;
  std::string_view sub = ctx.args[2];
  size_t argc = ctx.args.size();
  if (IsKeyword(sub, "ADD")) {
    FaultAdd(ctx);
  } else if (IsKeyword(sub, "LIST") && argc == 3) {
    FaultList(ctx);
  } else if (IsKeyword(sub, "DEL") && argc == 4) {
    ArgParser parser(ctx.args, 3);
    int64_t id = parser.NextNonNegative();
    if (!parser.Finalize(ctx)) return;
    ctx.reply.Integer(faults.Delete(static_cast<uint64_t>(id)) ? 1 : 0);
  } else if (IsKeyword(sub, "CLEAR") && argc == 3) {
    faults.Clear();
    ctx.reply.SimpleString("OK");
  } else if ((IsKeyword(sub, "LOADING") || IsKeyword(sub, "READONLY")) && argc == 4) {
    ArgParser parser(ctx.args, 3);
    bool on = NextOnOff(parser);
    if (!parser.Finalize(ctx)) return;
    IsKeyword(sub, "LOADING") ? faults.SetLoading(on) : faults.SetReadonly(on);
    ctx.reply.SimpleString("OK");
  } else if (IsKeyword(sub, "DOWN") && argc == 4) {
    FaultDown(ctx);
  } else {
    ctx.reply.Error(UnknownSubcommand(ctx));
  }
}

void CmdRespdJournal(CommandContext& ctx) {
  Journal& journal = ctx.server.journal;
  std::string_view sub = ctx.args[2];
  size_t argc = ctx.args.size();
  if ((IsKeyword(sub, "ON") || IsKeyword(sub, "OFF")) && argc == 3) {
    journal.SetEnabled(IsKeyword(sub, "ON"));
    ctx.reply.SimpleString("OK");
  } else if (IsKeyword(sub, "RESET") && argc == 3) {
    journal.Reset();
    ctx.reply.SimpleString("OK");
  } else if (IsKeyword(sub, "GET")) {
    JournalGet(ctx);
  } else if (IsKeyword(sub, "COUNT")) {
    JournalCount(ctx);
  } else if (IsKeyword(sub, "WAIT")) {
    JournalWait(ctx);
  } else {
    ctx.reply.Error(UnknownSubcommand(ctx));
  }
}

}  // namespace respd::server
