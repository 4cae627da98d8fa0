// Error texts that take arguments, formatted exactly as Redis formats them.
#include "server/dispatch/errors.h"

#include <algorithm>
#include <cctype>

#include "server/dispatch/command.h"

namespace respd::server {
namespace {

// Redis cuts command names and the echoed arguments of unknown commands at 128 bytes.
constexpr size_t kEchoLimit = 128;

std::string Upper(std::string_view s) {
  std::string upper(s);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

}  // namespace

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

std::string UnknownSubcommandError(std::string_view container, std::string_view sub) {
  return "ERR unknown subcommand '" + std::string(AsCString(sub).substr(0, kEchoLimit)) +
         "'. Try " + Upper(container) + " HELP.";
}

std::string SubcommandSyntaxError(std::string_view container, std::string_view sub) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(AsCString(sub).substr(0, kEchoLimit)) + "'. Try " + Upper(container) +
         " HELP.";
}

}  // namespace respd::server
