// LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET/HISTOGRAM/HELP over the server's LatencyMonitor and
// CommandLatencies (server/services/latency.h), with Redis 7.0's replies (latency.c).
#include <vector>

#include "server/commands/args.h"
#include "server/commands/families.h"
#include "server/dispatch/command_stats.h"
#include "server/dispatch/server_context.h"

namespace respd::server {
namespace {

int64_t NowSeconds(const CommandContext& ctx) { return ctx.server.clock.NowMs() / 1000; }

void CmdLatencyLatest(CommandContext& ctx) {
  std::vector<LatencySeries> events = ctx.server.latency.Snapshot();
  ctx.reply.ArrayHeader(events.size());
  for (const LatencySeries& series : events) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(series.name);
    ctx.reply.Integer(series.latest().time);
    ctx.reply.Integer(series.latest().latency);
    ctx.reply.Integer(series.max);
  }
}

// Redis looks events up by their C string: a NUL ends the name.
void CmdLatencyHistory(CommandContext& ctx) {
  std::optional<LatencySeries> series = ctx.server.latency.Find(AsCString(ctx.args[2]));
  std::vector<LatencySample> samples;
  if (series) samples = series->History();
  ctx.reply.ArrayHeader(samples.size());
  for (const LatencySample& sample : samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(sample.time);
    ctx.reply.Integer(sample.latency);
  }
}

void CmdLatencyGraph(CommandContext& ctx) {
  std::string_view event = AsCString(ctx.args[2]);
  std::optional<LatencySeries> series = ctx.server.latency.Find(event);
  if (!series) {
    ctx.reply.Error("ERR No samples available for event '" + std::string(event) + "'");
    return;
  }
  ctx.reply.Verbatim("txt", LatencyMonitor::Graph(*series, NowSeconds(ctx)));
}

void CmdLatencyDoctor(CommandContext& ctx) {
  Config& config = ctx.server.config;
  DoctorSettings settings{
      .threshold_ms = config.Get("latency-monitor-threshold").number(),
      .slowlog_slower_than_us = config.Get("slowlog-log-slower-than").number(),
      .hz = config.hz().number(),
      .now_s = NowSeconds(ctx),
  };
  ctx.reply.Verbatim("txt", ctx.server.latency.Doctor(settings));
}

void CmdLatencyReset(CommandContext& ctx) {
  std::vector<std::string_view> events;
  for (size_t i = 2; i < ctx.args.size(); ++i) events.push_back(AsCString(ctx.args[i]));
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.latency.Reset(events)));
}

// One command's entry of LATENCY HISTOGRAM: Redis's fillCommandCDF.
void WriteHistogram(CommandContext& ctx, const CommandSpec& spec,
                    const LatencyHistogram& histogram) {
  ctx.reply.Bulk(CommandFullName(ctx.server.commands, spec));
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Integer(histogram.total());
  ctx.reply.Bulk("histogram_usec");
  std::vector<std::pair<int64_t, int64_t>> buckets = histogram.CumulativeBuckets();
  ctx.reply.MapHeader(buckets.size());
  for (const auto& [usec, count] : buckets) {
    ctx.reply.Integer(usec);
    ctx.reply.Integer(count);
  }
}

// Redis's lookupCommandBySds: "get", or "config|get" for a subcommand ("set|x" and a second bar
// find nothing).
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* command = table.Find(name.substr(0, bar));
  if (bar == std::string_view::npos || command == nullptr) return command;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  return CommandTable::FindSubcommand(*command, sub);
}

// LATENCY HISTOGRAM [command ...]: a container named brings its subcommands; unknown names and
// commands without samples are left out.
void CmdLatencyHistogram(CommandContext& ctx) {
  auto sums = ctx.server.command_latencies.Sums();
  std::vector<const CommandSpec*> wanted;
  auto add_with_subcommands = [&](const CommandSpec& spec) {
    if (sums.contains(&spec)) wanted.push_back(&spec);
    for (const CommandSpec& sub : spec.subcommands) {
      if (sums.contains(&sub)) wanted.push_back(&sub);
    }
  };
  if (ctx.args.size() == 2) {
    for (const CommandSpec* spec : ctx.server.commands.all()) add_with_subcommands(*spec);
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      if (const CommandSpec* spec = FindByFullName(ctx.server.commands, ctx.args[i])) {
        add_with_subcommands(*spec);
      }
    }
  }
  ctx.reply.MapHeader(wanted.size());
  for (const CommandSpec* spec : wanted) WriteHistogram(ctx, *spec, sums.at(spec));
}

void CmdLatencyHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

constexpr uint32_t kAdminFlags = kAdmin | kNoscript | kLoading | kStale;

constexpr CommandSpec kLatencySubcommands[] = {
    {.name = "doctor", .arity = 2, .flags = kAdminFlags, .handler = CmdLatencyDoctor},
    {.name = "graph", .arity = 3, .flags = kAdminFlags, .handler = CmdLatencyGraph},
    {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdLatencyHelp},
    {.name = "histogram", .arity = -2, .flags = kAdminFlags, .handler = CmdLatencyHistogram},
    {.name = "history", .arity = 3, .flags = kAdminFlags, .handler = CmdLatencyHistory},
    {.name = "latest", .arity = 2, .flags = kAdminFlags, .handler = CmdLatencyLatest},
    {.name = "reset", .arity = -2, .flags = kAdminFlags, .handler = CmdLatencyReset},
};

constexpr CommandSpec kRows[] = {
    {.name = "latency",
     .arity = -2,
     .flags = 0,
     .handler = CmdContainer,
     .subcommands = kLatencySubcommands},
};

}  // namespace

void RegisterLatencyFamily(CommandTable& table) { table.Register(kRows); }

}  // namespace respd::server
