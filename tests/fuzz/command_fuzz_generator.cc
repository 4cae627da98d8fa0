// Turns the fuzzer's command table and grammar into random commands.
#include "tests/fuzz/command_fuzz_generator.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace respd::testing::fuzz {
namespace {

// Probabilities; the command mix in parts per thousand.
constexpr double kOptionalArg = 0.4;  // an optional argument is present
constexpr double kRepeatArg = 0.45;   // a repeated argument gets one more value
constexpr int kMaxRepeats = 6;
constexpr double kMutation = 0.12;      // a generated command is then mutated
constexpr double kOddCase = 0.12;       // a keyword or command name in odd case
constexpr double kRightNumkeys = 0.85;  // numkeys counts the keys that follow
constexpr double kHostileKey = 0.03;
constexpr int kPerMilleUnknown = 12;   // a name no server knows
constexpr int kPerMilleRenamed = 12;   // a command respd lacks (renamed away in redis-server)
constexpr int kPerMilleForeign = 12;   // a subcommand respd lacks, of a container it has
constexpr int kPerMilleContainer = 8;  // a container with no or an unknown subcommand
constexpr int kPerMilleLua = 30;       // EVAL of a script calling a generated command
constexpr int kPerMilleMulti = 10;
constexpr int kMaxQueued = 8;         // EXEC or DISCARD after at most this many queued
constexpr size_t kMaxLuaArg = 10000;  // longer arguments are cut out of generated scripts

bool IsPrintable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// A Lua 5.1 single-quoted literal (decimal escapes: 5.1 has no \x).
std::string LuaLiteral(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (IsPrintable(c) && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      // Always three digits: a digit after a short escape would be read as part of it.
      char escape[5];
      snprintf(escape, sizeof(escape), "\\%03u", c);
      out += escape;
    }
  }
  return out + "'";
}

}  // namespace

CommandGenerator::CommandGenerator(const std::vector<CommandSpec>* specs, uint64_t seed,
                                   const std::set<std::string>& excluded,
                                   std::vector<std::string> shas)
    : specs_(specs), rng_(seed), shas_(std::move(shas)) {
  shas_.push_back("0000000000000000000000000000000000000000");
  shas_.push_back("nosuch");
  std::set<std::string> registered_containers;
  for (const CommandSpec& spec : *specs_) {
    if (spec.container && spec.registered) registered_containers.insert(spec.full_name);
  }
  for (const CommandSpec& spec : *specs_) {
    if (excluded.count(spec.full_name) || spec.rule.compare == Compare::kSkip) continue;
    if (spec.full_name == "multi") multi_ = &spec;
    if (spec.full_name == "exec") exec_ = &spec;
    if (spec.full_name == "discard") discard_ = &spec;
    std::string container = spec.full_name.substr(0, spec.full_name.find('|'));
    if (container == "respd") continue;  // respd's own test controls: Redis has no counterpart
    if (!spec.registered) {
      // A subcommand respd lacks of a container it has answers "unknown subcommand" on respd
      // alone; everything else respd lacks is renamed away in redis-server too.
      if (spec.words.size() == 2 && registered_containers.count(container)) {
        foreign_.push_back(&spec);
      } else {
        renamed_.push_back(&spec);
      }
      continue;
    }
    if (spec.container) {
      containers_.push_back(&spec);
      continue;
    }
    fuzzable_.push_back(&spec);
    if (spec.rule.compare != Compare::kExact) continue;
    in_multi_.push_back(&spec);
    if (!spec.HasFlag("noscript")) in_script_.push_back(&spec);
  }
}

const std::string& CommandGenerator::Pick(const std::vector<std::string>& pool) {
  return pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng_)];
}

bool CommandGenerator::Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

int CommandGenerator::Uniform(int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng_);
}

FuzzCommand CommandGenerator::Next(bool in_multi) {
  if (in_multi) {
    ++queued_;
    if (queued_ > kMaxQueued || Chance(0.15)) {
      return FromSpec(Chance(0.9) || discard_ == nullptr ? *exec_ : *discard_);
    }
    return FromSpec(*in_multi_[Uniform(0, static_cast<int>(in_multi_.size()) - 1)]);
  }
  queued_ = 0;
  int roll = Uniform(0, 999);
  if ((roll -= kPerMilleUnknown) < 0) return UnknownCommand();
  if ((roll -= kPerMilleRenamed) < 0 && !renamed_.empty()) {
    return FromSpec(*renamed_[Uniform(0, static_cast<int>(renamed_.size()) - 1)]);
  }
  if ((roll -= kPerMilleForeign) < 0 && !foreign_.empty()) {
    FuzzCommand command = FromSpec(*foreign_[Uniform(0, static_cast<int>(foreign_.size()) - 1)]);
    command.respd_only = true;
    return command;
  }
  if ((roll -= kPerMilleContainer) < 0 && !containers_.empty()) {
    const CommandSpec& spec = *containers_[Uniform(0, static_cast<int>(containers_.size()) - 1)];
    FuzzCommand command;
    command.name = spec.full_name;
    command.argv = {spec.words[0]};
    static const std::vector<std::string> kSubcommands = {"nosuch", "NoSuch", "", "x y", "\r\n"};
    if (Chance(0.8)) command.argv.push_back(Pick(kSubcommands));
    if (Chance(0.3)) command.argv.push_back(Pick(StringPool()));
    return command;
  }
  if ((roll -= kPerMilleLua) < 0 && !in_script_.empty()) return LuaCallingGeneratedCommand();
  if ((roll -= kPerMilleMulti) < 0 && multi_ != nullptr) return FromSpec(*multi_);
  return FromSpec(*fuzzable_[Uniform(0, static_cast<int>(fuzzable_.size()) - 1)]);
}

FuzzCommand CommandGenerator::FromSpec(const CommandSpec& spec) {
  FuzzCommand command;
  command.name = spec.full_name;
  command.rule = spec.rule;
  command.argv = spec.words;
  if (Chance(kOddCase)) {
    std::string& word = command.argv[0];
    for (char& c : word) c = Chance(0.5) ? static_cast<char>(std::tolower(c)) : c;
  }
  Generate(spec, spec.args, &command.argv);
  if (Chance(kMutation) && !KeepArgumentsIntact(spec.full_name)) Mutate(spec, &command.argv);
  command.rule = RuleForArgs(spec.full_name, command.argv);
  command.diverges = DivergesData(spec.full_name, command.argv);
  return command;
}

void CommandGenerator::Generate(const CommandSpec& spec, const std::vector<ArgSpec>& args,
                                std::vector<std::string>* out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const ArgSpec& arg = args[i];
    bool counts_next = arg.name == "numkeys" && i + 1 < args.size();
    if (!counts_next) {
      GenerateOne(spec, arg, out);
      continue;
    }
    // numkeys (EVAL, ZUNIONSTORE, LMPOP...) usually counts the keys generated next.
    size_t slot = out->size();
    out->push_back("0");
    GenerateOne(spec, args[++i], out);
    (*out)[slot] =
        Chance(kRightNumkeys) ? std::to_string(out->size() - slot - 1) : Pick(IntegerPool());
  }
}

void CommandGenerator::GenerateOne(const CommandSpec& spec, const ArgSpec& arg,
                                   std::vector<std::string>* out) {
  if (arg.optional && !Chance(kOptionalArg)) return;
  int repeats = 1;
  while (arg.multiple && repeats < kMaxRepeats && Chance(kRepeatArg)) ++repeats;
  for (int r = 0; r < repeats; ++r) {
    if (!arg.token.empty() && (r == 0 || arg.multiple_token)) out->push_back(Token(arg.token));
    switch (arg.type) {
      case ArgSpec::Type::kToken:
        break;
      case ArgSpec::Type::kOneOf:
        if (!arg.children.empty()) {
          GenerateOne(spec, arg.children[Uniform(0, static_cast<int>(arg.children.size()) - 1)],
                      out);
        }
        break;
      case ArgSpec::Type::kBlock:
        Generate(spec, arg.children, out);
        break;
      default:
        out->push_back(Value(spec, arg));
    }
  }
}

std::string CommandGenerator::Value(const CommandSpec& spec, const ArgSpec& arg) {
  if (arg.name == "sha1") return Pick(shas_);
  if (const std::vector<std::string>* pool = PoolFor(spec.full_name, arg.name)) return Pick(*pool);
  switch (arg.type) {
    case ArgSpec::Type::kKey:
      // A blocking command never gets a hostile key: "0" moved into the timeout's place by a
      // mutation would block for ever.
      if (!spec.HasFlag("blocking") && Chance(kHostileKey)) return Pick(HostilePool());
      return Pick(KeyPool());
    case ArgSpec::Type::kInteger:
      return Pick(IntegerPool());
    case ArgSpec::Type::kDouble:
      return Pick(DoublePool());
    case ArgSpec::Type::kPattern:
      return Pick(PatternPool());
    case ArgSpec::Type::kUnixTime:
      return Pick(UnixTimePool());
    default:
      if (Uniform(0, 99999) < kHugeStringPer100k) return std::string(kHugeStringBytes, 'x');
      return Pick(StringPool());
  }
}

std::string CommandGenerator::Token(const std::string& token) {
  if (!Chance(kOddCase)) return token;
  std::string out = token;
  for (char& c : out) c = Chance(0.5) ? static_cast<char>(std::tolower(c)) : c;
  return out;
}

void CommandGenerator::CollectTokens(const std::vector<ArgSpec>& args,
                                     std::vector<std::string>* out) const {
  for (const ArgSpec& arg : args) {
    if (!arg.token.empty()) out->push_back(arg.token);
    CollectTokens(arg.children, out);
  }
}

void CommandGenerator::Mutate(const CommandSpec& spec, std::vector<std::string>* argv) {
  size_t first = spec.words.size();
  // A blocking command keeps its values where they are: a number moved into the timeout's place
  // could block for ever. Dropping, repeating in place, keywords and truncation are safe.
  bool blocking = spec.HasFlag("blocking");
  int op = Uniform(0, blocking ? 3 : 5);
  size_t n = argv->size();
  auto at = [&](size_t lo) {
    return static_cast<size_t>(Uniform(static_cast<int>(lo), static_cast<int>(n) - 1));
  };
  switch (op) {
    case 0:  // drop one argument
      if (n > first) argv->erase(argv->begin() + static_cast<long>(at(first)));
      break;
    case 1:  // repeat one argument in place
      if (n > first) {
        size_t i = at(first);
        argv->insert(argv->begin() + static_cast<long>(i), (*argv)[i]);
      }
      break;
    case 2: {  // a keyword of this command anywhere (a hostile value if it has none)
      std::vector<std::string> tokens;
      CollectTokens(spec.args, &tokens);
      if (tokens.empty() && blocking) break;
      std::string token = tokens.empty() ? Pick(HostilePool()) : Token(Pick(tokens));
      size_t i = static_cast<size_t>(Uniform(static_cast<int>(first), static_cast<int>(n)));
      argv->insert(argv->begin() + static_cast<long>(i), token);
      break;
    }
    case 3:  // truncate
      argv->resize(static_cast<size_t>(Uniform(static_cast<int>(first), static_cast<int>(n))));
      break;
    case 4:  // a hostile value in place of one argument
      if (n > first) (*argv)[at(first)] = Pick(HostilePool());
      break;
    default:  // one argument too many
      argv->push_back(Pick(HostilePool()));
  }
}

FuzzCommand CommandGenerator::LuaCallingGeneratedCommand() {
  FuzzCommand inner = FromSpec(*in_script_[Uniform(0, static_cast<int>(in_script_.size()) - 1)]);
  std::string script = Chance(0.3) ? "return redis.pcall(" : "return redis.call(";
  for (size_t i = 0; i < inner.argv.size(); ++i) {
    std::string arg = inner.argv[i].substr(0, kMaxLuaArg);
    script += (i ? ", " : "") + LuaLiteral(arg);
  }
  script += ")";
  FuzzCommand command;
  command.name = "eval";
  command.argv = {"EVAL", script, "0"};
  command.diverges = inner.diverges;
  return command;
}

FuzzCommand CommandGenerator::UnknownCommand() {
  FuzzCommand command;
  command.argv = {Pick(UnknownCommandNames())};
  int args = Uniform(0, 3);
  for (int i = 0; i < args; ++i) command.argv.push_back(Pick(StringPool()));
  return command;
}

std::string ScriptLine(const std::vector<std::string>& argv, size_t max_arg) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](unsigned char c) {
      return IsPrintable(c) && c != ' ' && c != '"' && c != '\'' && c != '\\';
    });
    if (plain && arg.size() <= max_arg) {
      line += arg;
      continue;
    }
    std::string shown = arg.substr(0, std::min(arg.size(), max_arg));
    line += '"';
    for (unsigned char c : shown) {
      switch (c) {
        case '\n':
          line += "\\n";
          break;
        case '\r':
          line += "\\r";
          break;
        case '\t':
          line += "\\t";
          break;
        case '"':
          line += "\\\"";
          break;
        case '\\':
          line += "\\\\";
          break;
        default:
          if (IsPrintable(c)) {
            line += static_cast<char>(c);
          } else {
            static const char kHex[] = "0123456789abcdef";
            line += "\\x";
            line += kHex[c >> 4];
            line += kHex[c & 15];
          }
      }
    }
    line += '"';
    if (arg.size() > max_arg) line += "<...truncated: " + std::to_string(arg.size()) + " bytes>";
  }
  return line;
}

}  // namespace respd::testing::fuzz
