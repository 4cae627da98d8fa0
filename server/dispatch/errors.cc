// Error texts that take arguments, formatted exactly as Redis formats them.
#include "server/dispatch/errors.h"

#include <algorithm>
#include <cctype>

#include "server/dispatch/command.h"

namespace respd::server {
namespace {

// Redis cuts command names and the echoed arguments of unknown commands at 128 bytes.
constexpr size_t kEchoLimit = 128;
constexpr std::string_view kGenericCode = "ERR ";
constexpr std::string_view kErrExecAbortBecause = "EXECABORT Transaction discarded because of: ";

std::string Upper(std::string_view s) {
  std::string upper(s);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

std::string Lower(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// The name Redis gives a command that resolved (c->cmd->fullname): a name matches its table row
// whatever its case, so the row's name is the argument lower-cased.
std::string FullName(std::span<const std::string_view> args, bool subcommand) {
  std::string name = Lower(args[0]);
  if (subcommand) name += "|" + Lower(args[1]);
  return name;
}

// Redis echoes the name and arguments with %s.
std::string UnknownCommandError(std::string_view name, std::span<const std::string_view> rest) {
  std::string args;
  for (std::string_view arg : rest) {
    if (args.size() >= kEchoLimit) break;
    size_t room = kEchoLimit - args.size();
    args += '\'';
    args.append(AsCString(arg).substr(0, room));
    args += "' ";
  }
  return "ERR unknown command '" + std::string(AsCString(name).substr(0, kEchoLimit)) +
         "', with args beginning with: " + args;
}

// Redis names the container as the client typed it, upper-cased.
std::string UnknownSubcommandError(std::string_view container, std::string_view sub) {
  return "ERR unknown subcommand '" + std::string(AsCString(sub).substr(0, kEchoLimit)) +
         "'. Try " + Upper(AsCString(container)) + " HELP.";
}

}  // namespace

std::string_view ProtectingOption(std::string_view command) {
  return Upper(command) == "MODULE" ? "enable-module-command" : "enable-debug-command";
}

std::string RefusalText(Refusal refusal, std::span<const std::string_view> args) {
  switch (refusal) {
    case Refusal::kNone:
      return "";
    case Refusal::kUnknownCommand:
      return UnknownCommandError(args[0], args.subspan(1));
    case Refusal::kUnknownSubcommand:
      return UnknownSubcommandError(args[0], args[1]);
    case Refusal::kWrongArity:
      return WrongArityError(FullName(args, false));
    case Refusal::kWrongSubcommandArity:
      return WrongArityError(FullName(args, true));
    case Refusal::kProtected:
      return "ERR " + Upper(args[0]) + " command not allowed. If the " +
             std::string(ProtectingOption(args[0])) +
             " option is set to \"local\", you can run it from a local connection, otherwise you "
             "need to set this option in the configuration file, and then restart the server.";
    case Refusal::kTestControl:
      return "ERR RESPD commands not allowed. If the enable-test-controls option is set to "
             "\"local\", you can run them from a local connection, otherwise you need to set this "
             "option in the configuration file, and then restart the server.";
    case Refusal::kNoAuth:
      return "NOAUTH Authentication required.";
    case Refusal::kNotAllowedInMulti:
      return "ERR Command not allowed inside a transaction";
    case Refusal::kBusyScript:
      return std::string(kErrBusyScript);
    case Refusal::kBusyFunction:
      return std::string(kErrBusyFunction);
    case Refusal::kNoReplicas:
      return "NOREPLICAS Not enough good replicas to write.";
    case Refusal::kReadOnlyReplica:
      return "READONLY You can't write against a read only replica.";
    case Refusal::kMasterDown:
      return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    case Refusal::kOom:
      return std::string(kErrOom);
    case Refusal::kSubscribedContext:
    case Refusal::kSubscribedContextSubcommand:
      return "ERR Can't execute '" +
             FullName(args, refusal == Refusal::kSubscribedContextSubcommand) +
             "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
             "context";
    case Refusal::kScriptUnknownCommand:
      return "ERR Unknown Redis command called from script";
    case Refusal::kScriptWrongArity:
      return "ERR Wrong number of args calling Redis command from script";
    case Refusal::kScriptNoscript:
      return "ERR This Redis command is not allowed from script";
    case Refusal::kScriptWriteReadOnly:
      return "ERR Write commands are not allowed from read-only scripts.";
    case Refusal::kScriptStale:
      return "ERR Can not execute the command on a stale replica";
    case Refusal::kHookError:
    case Refusal::kClusterRedirect:
      return "";  // the hook's own text (Dispatcher)
  }
  return "";
}

std::string ExecAbortText(Refusal refusal, std::span<const std::string_view> args) {
  return ExecAbortQuoting(RefusalText(refusal, args));
}

std::string ExecAbortQuoting(std::string_view text) {
  std::string_view quoted = text;
  if (quoted.starts_with(kGenericCode)) quoted.remove_prefix(kGenericCode.size());
  return std::string(kErrExecAbortBecause) + std::string(quoted);
}

std::string_view ErrorText(storage::OpStatus status) {
  using storage::OpStatus;
  switch (status) {
    case OpStatus::kOk:
    case OpStatus::kSkipped:
      return "";
    case OpStatus::kKeyNotFound:
      return kErrNoSuchKey;
    case OpStatus::kWrongType:
      return kErrWrongType;
    case OpStatus::kNotInteger:
      return kErrNotInteger;
    case OpStatus::kNotFloat:
      return kErrNotFloat;
    case OpStatus::kOverflow:
      return kErrOverflow;
    case OpStatus::kNanOrInfinity:
      return kErrNanOrInfinity;
    case OpStatus::kOutOfRange:
      return kErrOutOfRange;
    case OpStatus::kSyntaxError:
      return kErrSyntax;
    case OpStatus::kStringTooLong:
      return kErrStringTooLong;
  }
  return kErrSyntax;
}

std::string WrongArityError(std::string_view full_name) {
  return "ERR wrong number of arguments for '" + std::string(full_name) + "' command";
}

std::string InvalidExpireError(std::string_view full_name) {
  size_t at = kErrInvalidExpire.find("%s");
  std::string text(kErrInvalidExpire.substr(0, at));
  text += full_name;
  text += kErrInvalidExpire.substr(at + 2);
  return text;
}

std::string SubcommandSyntaxError(std::string_view container, std::string_view sub) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(AsCString(sub).substr(0, kEchoLimit)) + "'. Try " + Upper(container) +
         " HELP.";
}

}  // namespace respd::server
