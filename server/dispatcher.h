// From parsed arguments to a reply: resolves the command (and subcommand), owns the
// unknown-command, arity and AUTH checks with Redis's exact errors, takes the shard locks of the
// command's keys, sets the command time and runs the handler.
#pragma once

#include "protocol/reply_writer.h"
#include "server/command.h"
#include "server/server_context.h"

namespace respd::server {

class Dispatcher {
 public:
  explicit Dispatcher(ServerContext& server) : server_(server) {}

  // Runs one command of `client` and appends its reply.
  void Dispatch(Args args, ClientState& client, protocol::ReplyWriter& reply);

  // The command (or subcommand) `args` names, or nullptr after writing Redis's error for an unknown
  // command or subcommand, or a wrong number of arguments.
  const CommandSpec* Resolve(Args args, protocol::ReplyWriter& reply) const;

  // Runs a resolved command under the locks of its keys.
  void Execute(const CommandSpec& spec, Args args, ClientState& client,
               protocol::ReplyWriter& reply);
  // Runs a resolved command when the caller already holds every shard lock (EXEC, scripts).
  void ExecuteLocked(const CommandSpec& spec, Args args, ClientState& client,
                     protocol::ReplyWriter& reply, ExecutionMode mode = ExecutionMode::kNormal);

 private:
  // EXEC DISCARD MULTI WATCH QUIT RESET run at once inside MULTI; everything else is queued.
  bool RunsInsideMulti(const CommandSpec& spec, Args args) const;
  // enable-debug-command lets `client` run protected commands (DEBUG).
  bool ProtectedAllowed(const ClientState& client) const;
  // Writes a refusal of the command (NOAUTH, BUSY...); inside MULTI it also dooms the transaction.
  void Reject(const CommandSpec& spec, Args args, ClientState& client, protocol::ReplyWriter& reply,
              std::string_view error);

  ServerContext& server_;
};

}  // namespace respd::server
