// Config: redis-server's command line, redis.conf syntax, CONFIG SET/GET rules, and that
// conf/respd.conf documents every option with its true default.
#include "server/config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace respd::server {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::filesystem::path ScratchFile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("respd_config_test_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path;
}

void Parse(Config& config, std::vector<std::string> args) {
  args.insert(args.begin(), "respd");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  config.ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(ConfigTest, CommandLineOptionsTakeSeveralValues) {
  Config config;
  Parse(config, {"--port", "7000", "--bind", "127.0.0.1", "::1", "--loglevel", "warning"});
  EXPECT_EQ(config.port().number(), 7000);
  EXPECT_EQ(config.Get("bind").text(), "127.0.0.1 ::1");
  EXPECT_EQ(config.Get("loglevel").text(), "warning");
}

TEST(ConfigTest, ClockStartTakesUnixMillisecondsOrIso8601) {
  const std::pair<std::string, std::string> kAccepted[] = {
      {"1893456000000", "1893456000000"},
      {"2030-01-01", "1893456000000"},
      {"2030-01-01T00:00:00Z", "1893456000000"},
      {"2030-01-01T01:00:00.25+01:00", "1893456000250"},
      {"2029-12-31T23:30:00-00:30", "1893456000000"},
      {"", ""},
  };
  for (const auto& [given, stored] : kAccepted) {
    Config config;
    Parse(config, {"--clock-start", given});
    EXPECT_EQ(config.Get("clock-start").text(), stored) << given;
  }
  for (std::string bad : {"2030-02-30", "2030-13-01", "2030-01-01T24:00:00Z", "2030-01-01T00:00",
                          "-5", "12abc", "2030-01-01T00:00:00.Z", "2030-01-01T00:00:00+1:00"}) {
    Config config;
    EXPECT_THROW(Parse(config, {"--clock-start", bad}), ConfigError) << bad;
  }
}

TEST(ConfigTest, CommandLineOverridesConfigFile) {
  auto path = ScratchFile("override.conf", "port 7001\nhz 20\n");
  Config config;
  Parse(config, {path.string(), "--port", "7002"});
  EXPECT_EQ(config.port().number(), 7002);
  EXPECT_EQ(config.hz().number(), 20);
  EXPECT_EQ(config.config_file(), path.string());
  std::filesystem::remove(path);
}

TEST(ConfigTest, FileSyntaxQuotesCommentsAndInclude) {
  auto included = ScratchFile("included.conf", "maxmemory 2mb\n");
  Config config;
  config.ApplyConfigText(
      "# a comment\n\n   timeout 30\nrequirepass \"a b\"\nlogfile ''\n"
      "include " +
          included.string() + "\nMAXCLIENTS 50\n",
      "test");
  EXPECT_EQ(config.timeout().number(), 30);
  EXPECT_EQ(config.requirepass().text(), "a b");
  EXPECT_EQ(config.Get("maxmemory").number(), 2 * 1024 * 1024);
  EXPECT_EQ(config.maxclients().number(), 50);
  std::filesystem::remove(included);
}

TEST(ConfigTest, LaterDirectiveWins) {
  Config config;
  config.ApplyConfigText("port 1\nport 2\n", "test");
  EXPECT_EQ(config.port().number(), 2);
}

TEST(ConfigTest, UnknownDirectiveIsAnError) {
  Config config;
  try {
    config.ApplyConfigText("no-such-directive yes\n", "test");
    FAIL() << "accepted an unknown directive";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-directive"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Parse(config, {"--no-such-option", "1"}), ConfigError);
}

TEST(ConfigTest, BadValuesAndUnbalancedQuotesAreErrors) {
  Config config;
  EXPECT_THROW(config.ApplyConfigText("port abc\n", "test"), ConfigError);
  EXPECT_THROW(config.ApplyConfigText("maxmemory-policy sometimes\n", "test"), ConfigError);
  EXPECT_THROW(config.ApplyConfigText("requirepass \"open\n", "test"), ConfigError);
}

TEST(ConfigTest, IgnoredDirectivesAreAcceptedAndRecorded) {
  Config config;
  config.ApplyConfigText("appendonly yes\nsave \"\"\ndaemonize no\n", "test");
  ASSERT_EQ(config.ignored().size(), 3u);
  EXPECT_EQ(config.ignored()[0], "appendonly");
  EXPECT_EQ(config.Get("save").text(), "");
}

TEST(ConfigTest, MemoryUnits) {
  uint64_t bytes = 0;
  EXPECT_TRUE(ParseMemory("1k", &bytes));
  EXPECT_EQ(bytes, 1000);
  EXPECT_TRUE(ParseMemory("1KB", &bytes));
  EXPECT_EQ(bytes, 1024);
  EXPECT_TRUE(ParseMemory("3gb", &bytes));
  EXPECT_EQ(bytes, 3LL * 1024 * 1024 * 1024);
  EXPECT_FALSE(ParseMemory("-1", &bytes));
  EXPECT_FALSE(ParseMemory("12x", &bytes));
  EXPECT_FALSE(ParseMemory(" 1", &bytes));
  EXPECT_FALSE(ParseMemory("1.5k", &bytes));
  EXPECT_TRUE(ParseMemory("", &bytes));
  EXPECT_EQ(bytes, 0u);
  EXPECT_TRUE(ParseMemory("kb", &bytes));
  EXPECT_EQ(bytes, 0u);
  EXPECT_TRUE(ParseMemory("99999999999999999999", &bytes));
  EXPECT_EQ(bytes, UINT64_MAX);
}

TEST(ConfigTest, SetAtRuntimeIsAllOrNothing) {
  Config config;
  EXPECT_EQ(config.SetAtRuntime({{"timeout", "5"}, {"maxmemory-samples", "x"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - argument "
            "couldn't be parsed into an integer");
  EXPECT_EQ(config.timeout().number(), 0);
  EXPECT_EQ(config.SetAtRuntime({{"Databases", "3"}}),
            "ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set "
            "immutable config");
  EXPECT_EQ(config.SetAtRuntime({{"Foo", "1"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'Foo'");
  EXPECT_EQ(config.SetAtRuntime({{"hz", "1"}, {"HZ", "2"}}),
            "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  EXPECT_EQ(config.SetAtRuntime({{"hz", "600"}, {"timeout", "7"}}), "");
  EXPECT_EQ(config.hz().number(), 500);  // Redis clamps hz
  EXPECT_EQ(config.timeout().number(), 7);
}

TEST(ConfigTest, MatchingGlobsNamesAndAliases) {
  Config config;
  auto literal = config.Matching({"HZ", "hz"});
  ASSERT_EQ(literal.size(), 1u);
  EXPECT_EQ(literal[0], std::make_pair(std::string("HZ"), std::string("10")));
  auto alias = config.Matching({"lua-time-limit"});
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_EQ(alias[0].second, "5000");
  auto glob = config.Matching({"*reply-thr*", "*lua-time*"});
  EXPECT_EQ(glob.size(), 2u);
  EXPECT_TRUE(config.Matching({"nosuch"}).empty());
}

// conf/respd.conf lists every option as "# name default": uncommenting those lines must parse and
// must leave every option at its default.
TEST(ConfigTest, SampleConfigDocumentsEveryOptionWithItsDefault) {
  auto path = std::filesystem::path(RESPD_SOURCE_DIR) / "conf/respd.conf";
  std::string text = ReadFile(path);
  ASSERT_FALSE(text.empty()) << "cannot read " << path;
  Config defaults;
  Config documented;
  documented.ApplyConfigText(text, path.string());  // all commented out: parses as nothing
  std::istringstream lines(text);
  std::string line, uncommented;
  for (const OptionSpec& spec : OptionSpecs()) {
    std::string prefix = "# " + std::string(spec.name) + " ";
    EXPECT_NE(text.find("\n" + prefix), std::string::npos) << spec.name << " is not documented";
  }
  while (std::getline(lines, line)) {
    for (const OptionSpec& spec : OptionSpecs()) {
      if (line.starts_with("# " + std::string(spec.name) + " "))
        uncommented += line.substr(2) + "\n";
    }
  }
  documented.ApplyConfigText(uncommented, path.string());
  for (const auto& option : defaults.options()) {
    if (option->spec().name == "dir") continue;  // its default is the working directory
    EXPECT_EQ(documented.Get(option->spec().name).text(), option->text()) << option->spec().name;
  }
}

}  // namespace
}  // namespace respd::server
