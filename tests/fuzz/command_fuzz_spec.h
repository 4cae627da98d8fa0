// The command table the differential fuzzer draws from: which commands respd registers (its COMMAND
// LIST and COMMAND INFO: arity, flags), and each command's argument grammar (types, keyword tokens,
// optional and repeated parts) from redis-server's COMMAND DOCS, which respd does not carry.
// Also a small parser that turns a raw RESP reply into a tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/command_fuzz_grammar.h"
#include "tests/support/resp_client.h"

namespace respd::testing::fuzz {

// One parsed RESP2/RESP3 reply. Aggregates keep their elements (a map's keys and values
// alternate); every other type keeps its payload in `text`.
struct RespValue {
  char type = 0;  // the frame's first byte: '+', '-', ':', '$', '*', '%', '~', ...
  std::string text;
  std::vector<RespValue> items;
  bool null = false;  // $-1, *-1, _
};

// Parses the frame at *pos and advances it; false on malformed or incomplete input.
bool ParseResp(std::string_view data, size_t* pos, RespValue* out);

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
