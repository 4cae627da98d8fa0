// The command table the differential fuzzer draws from: which commands respd registers (its COMMAND
// LIST and COMMAND INFO: arity, flags), and each command's argument grammar (types, keyword tokens,
// optional and repeated parts) from redis-server's COMMAND DOCS, which respd does not carry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/command_fuzz_grammar.h"
#include "tests/support/resp_client.h"

namespace respd::testing::fuzz {

struct ArgSpec {
  enum class Type { kKey, kString, kInteger, kDouble, kPattern, kUnixTime, kToken, kOneOf, kBlock };
  std::string name;
  Type type = Type::kString;
  std::string token;  // a keyword written before the value ("EX" for SET's seconds)
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;    // the token is repeated before every value
  std::vector<ArgSpec> children;  // kOneOf, kBlock
};

struct CommandSpec {
  std::string full_name;           // lowercase, "client|list"
  std::vector<std::string> words;  // as sent: {"CLIENT", "LIST"}
  int arity = 0;                   // Redis convention: N exact, -N at least N (words included)
  std::vector<std::string> flags;  // "write", "blocking", "noscript"...
  std::vector<ArgSpec> args;
  bool registered = true;  // respd lists it; otherwise respd must say it does not know it
  bool container = false;  // has subcommands (CLIENT, CONFIG...)
  CompareRule rule;

  bool HasFlag(std::string_view flag) const;
};

// Reads the command tables of both servers (connected RESP2 clients). Every command either server
// lists is returned once; `error` is set and the result empty if a table cannot be read.
std::vector<CommandSpec> LoadCommandSpecs(RespClient& respd, RespClient& redis, std::string* error);

}  // namespace respd::testing::fuzz
