// From parsed arguments to a reply: resolves the command (and subcommand), owns the
// unknown-command, arity and AUTH checks with Redis's exact errors, takes the shard locks of the
// command's keys, sets the command time and runs the handler.
#pragma once

#include "protocol/reply_writer.h"
#include "server/dispatch/command.h"
#include "server/dispatch/server_context.h"

namespace respd::server {

class Dispatcher {
 public:
  explicit Dispatcher(ServerContext& server) : server_(server) {}

  // Runs one command of `client` and appends its reply.
  void Dispatch(Args args, ClientState& client, protocol::ReplyWriter& reply);

  // The command (or subcommand) `args` names, or nullptr after writing Redis's error for an unknown
  // command or subcommand, or a wrong number of arguments; then `*refused` (if given) is the
  // command refused for its arity, nullptr when unknown.
  const CommandSpec* Resolve(Args args, protocol::ReplyWriter& reply,
                             const CommandSpec** refused = nullptr) const;

  // Runs a resolved command under the locks of its keys.
  void Execute(const CommandSpec& spec, Args args, ClientState& client,
               protocol::ReplyWriter& reply);
  // Runs a resolved command when the caller already holds every shard lock (EXEC, scripts).
  // Counts it in INFO commandstats, and its error reply in errorstats; a command that blocked is
  // counted when its client is answered (Connection).
  void ExecuteLocked(const CommandSpec& spec, Args args, ClientState& client,
                     protocol::ReplyWriter& reply, ExecutionMode mode = ExecutionMode::kNormal);

 private:
  // Resolution, checks, queueing or execution of one top-level command.
  void Run(Args args, ClientState& client, protocol::ReplyWriter& reply);
  // EXEC DISCARD MULTI WATCH QUIT RESET run at once inside MULTI; everything else is queued.
  bool RunsInsideMulti(const CommandSpec& spec, Args args) const;
  // A RESP2 client subscribed to anything runs only these (Redis's CLIENT_PUBSUB check).
  bool AllowedWhileSubscribed(const CommandSpec& spec, Args args) const;
  // enable-debug-command lets `client` run protected commands (DEBUG).
  bool ProtectedAllowed(const ClientState& client) const;
  // Writes a refusal of the command (NOAUTH, BUSY...) and counts it; inside MULTI it also dooms
  // the transaction.
  void Reject(const CommandSpec& spec, Args args, ClientState& client, protocol::ReplyWriter& reply,
              std::string_view error);
  void RejectReply(const CommandSpec& spec, Args args, ClientState& client,
                   protocol::ReplyWriter& reply, std::string_view error);

  ServerContext& server_;
};

}  // namespace respd::server
