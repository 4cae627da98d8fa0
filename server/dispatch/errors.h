// Redis's exact error texts, in one place. Each constant is the text after the leading '-'.
#pragma once

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
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrDebugNotAllowed =
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.";
inline constexpr std::string_view kErrInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kErrMaxClients = "ERR max number of clients reached";
inline constexpr std::string_view kErrInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kErrExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
// EXEC itself refused (BUSY...): Redis aborts the transaction quoting the refusal.
inline constexpr std::string_view kErrExecAbortBecause =
    "EXECABORT Transaction discarded because of: ";
inline constexpr std::string_view kErrNotAllowedInMulti =
    "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kErrBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

// The error text of a failed storage status (kOk and kSkipped have none).
std::string_view ErrorText(storage::OpStatus status);

// "ERR wrong number of arguments for 'get' command" (`full_name` like "get" or "config|get").
std::string WrongArityError(std::string_view full_name);
// "ERR invalid expire time in 'set' command" (kErrInvalidExpire for `full_name`).
std::string InvalidExpireError(std::string_view full_name);
// "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
std::string UnknownCommandError(std::string_view name, std::span<const std::string_view> rest);
// "ERR unknown subcommand 'foo'. Try CONFIG HELP."
std::string UnknownSubcommandError(std::string_view container, std::string_view sub);
// Redis's addReplySubcommandSyntaxError: "ERR unknown subcommand or wrong number of arguments
// for 'flush'. Try FUNCTION HELP.", the subcommand as the client typed it.
std::string SubcommandSyntaxError(std::string_view container, std::string_view sub);

}  // namespace respd::server
