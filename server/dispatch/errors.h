// Redis's exact error texts shared by several families or by the command pipeline, and the
// functions that format those taking arguments: the text of a failed storage status, and of every
// refusal the pipeline makes (RefusalText). A text only one family uses lives in that family. Each
// constant is the text after the leading '-'. Depends on storage statuses only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/op_status.h"

namespace respd::server {

inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kErrNumKeys = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrNanOrInfinity = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";
inline constexpr std::string_view kErrOutOfRange = "ERR index out of range";
inline constexpr std::string_view kErrInvalidDb = "ERR DB index is out of range";
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kErrInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kErrInvalidCursor = "ERR invalid cursor";
// RESTORE and FUNCTION RESTORE: a payload whose trailer (RDB version, CRC64) does not check out.
inline constexpr std::string_view kErrBadDumpPayload =
    "ERR DUMP payload version or checksum are wrong";
// respd's own: Redis has no reply for an allocation that fails (it aborts).
inline constexpr std::string_view kErrOutOfMemory = "ERR out of memory building the reply or value";
inline constexpr std::string_view kErrExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
// Past maxmemory under noeviction: a command that may grow memory (or anything inside MULTI).
inline constexpr std::string_view kErrOom =
    "OOM command not allowed when used memory > 'maxmemory'.";
// What other clients get while a script (EVAL) or a function (FCALL) is past
// busy-reply-threshold.
inline constexpr std::string_view kErrBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kErrBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

// Why the command pipeline refuses a command instead of running it (server/dispatch/dispatcher.h).
// RefusalText turns each into Redis's text; nothing else writes these texts.
enum class Refusal : uint8_t {
  kNone,
  // Resolution (every entry path; scripts map these to their own texts below).
  kUnknownCommand,
  kUnknownSubcommand,
  kWrongArity,            // of a top-level command ("get")
  kWrongSubcommandArity,  // of a subcommand ("config|get")
  // A client's command (Redis's processCommand).
  kProtected,    // DEBUG or MODULE LOAD... while their enable-*-command does not allow the client
  kTestControl,  // RESPD while enable-test-controls does not allow the client
  kNoAuth,
  kNotAllowedInMulti,
  kBusyScript,    // a script past busy-reply-threshold...
  kBusyFunction,  // ...or a function
  // A write while min-replicas-to-write asks for more good replicas than respd's none (also from
  // a script's redis.call, as Redis's scriptCall refuses it).
  kNoReplicas,
  // A write on a replica under replica-read-only (also from a script's redis.call).
  kReadOnlyReplica,
  // A command without the stale flag while a replica's link is down under
  // replica-serve-stale-data no.
  kMasterDown,
  // Past maxmemory under noeviction (Redis's processCommand and scriptVerifyOOM).
  kOom,
  // A RESP2 subscriber's command other than (P|S)(UN)SUBSCRIBE, PING, QUIT or RESET.
  kSubscribedContext,
  kSubscribedContextSubcommand,
  // redis.call and redis.pcall (Redis's scriptCall).
  kScriptUnknownCommand,
  kScriptWrongArity,
  kScriptNoscript,
  kScriptWriteReadOnly,  // a write (or may-replicate) command from EVAL_RO, FCALL_RO, no-writes
  kScriptStale,          // a command without the stale flag on a stale replica
  // An admission hook's own error (fault injection): its text is the hook's, not one of these.
  kHookError,
  // Cluster mode's routing (CROSSSLOT, CLUSTERDOWN, ASK, TRYAGAIN), the hook's text too: a refused
  // EXEC answers it as is, without EXECABORT, as Redis's processCommand does.
  kClusterRedirect,
};

// The error text of a failed storage status (kOk and kSkipped have none).
std::string_view ErrorText(storage::OpStatus status);

// Redis's text for `refusal` of the command `args` ("ERR unknown command 'foo', with args beginning
// with: 'a' ", "NOAUTH Authentication required."...). Names in it are taken from `args` as Redis
// takes them from argv (a subcommand's full name "config|get" from its first two).
std::string RefusalText(Refusal refusal, std::span<const std::string_view> args);

// The option that lets a client run the protected `command` (Redis's CMD_PROTECTED): MODULE's
// enable-module-command, DEBUG's enable-debug-command.
std::string_view ProtectingOption(std::string_view command);
// What a refused EXEC replies: Redis discards the transaction quoting the refusal, without the
// generic "ERR " code of the texts it formats itself.
std::string ExecAbortText(Refusal refusal, std::span<const std::string_view> args);
// The same for a refusal's `text` (without '-').
std::string ExecAbortQuoting(std::string_view text);

// "ERR wrong number of arguments for 'get' command" (`full_name` like "get" or "config|get").
std::string WrongArityError(std::string_view full_name);
// "ERR invalid expire time in 'set' command" (kErrInvalidExpire for `full_name`).
std::string InvalidExpireError(std::string_view full_name);
// Redis's addReplySubcommandSyntaxError: "ERR unknown subcommand or wrong number of arguments
// for 'flush'. Try FUNCTION HELP.", the subcommand as the client typed it.
std::string SubcommandSyntaxError(std::string_view container, std::string_view sub);

}  // namespace respd::server
