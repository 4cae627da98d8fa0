// The command table's rows agree with Redis 7.0's metadata (server/dispatch/command_metadata.h):
// every registered command and subcommand has an entry, and its arity, flags, key positions and
// ACL categories are Redis's, so the dispatcher enforces what COMMAND INFO announces and a
// command cannot be added without its metadata.
#include "server/dispatch/command_metadata.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>

#include "server/commands/families.h"
#include "server/dispatch/command_table.h"

namespace respd::server {
namespace {

std::vector<std::string> Strings(const std::vector<std::string_view>& views) {
  return {views.begin(), views.end()};
}

void ExpectAgrees(const CommandSpec& spec, const std::string& name) {
  const metadata::CommandMetadata* meta = metadata::Find(name);
  ASSERT_NE(meta, nullptr) << name << " has no metadata";
  EXPECT_EQ(meta->name, name);
  EXPECT_EQ(spec.arity, meta->arity) << name;
  EXPECT_EQ(spec.first_key, meta->first_key) << name;
  EXPECT_EQ(spec.last_key, meta->last_key) << name;
  EXPECT_EQ(spec.key_step, meta->key_step) << name;
  EXPECT_EQ(Strings(FlagNames(spec)), Strings(metadata::Words(meta->flags))) << name;
  EXPECT_EQ(spec.movable_keys != nullptr, metadata::HasWord(meta->flags, "movablekeys")) << name;
}

TEST(CommandMetadataTest, EveryRegisteredCommandAgreesWithItsMetadata) {
  CommandTable table;
  RegisterAllFamilies(table);
  ASSERT_GT(table.all().size(), 100u);
  for (const CommandSpec* spec : table.all()) {
    ExpectAgrees(*spec, std::string(spec->name));
    for (const CommandSpec& sub : spec->subcommands) {
      ExpectAgrees(sub, std::string(spec->name) + "|" + std::string(sub.name));
    }
  }
}

TEST(CommandMetadataTest, LooksUpByFullNameIgnoringCase) {
  ASSERT_NE(metadata::Find("CONFIG|Get"), nullptr);
  EXPECT_EQ(metadata::Find("CONFIG|Get")->name, "config|get");
  EXPECT_EQ(metadata::Find("config|nosuch"), nullptr);
  EXPECT_EQ(metadata::Find("nosuch"), nullptr);
  // Commands respd does not register yet have theirs too.
  EXPECT_NE(metadata::Find("xadd"), nullptr);
  EXPECT_NE(metadata::Find("pubsub|channels"), nullptr);
}

TEST(CommandMetadataTest, KeysFromSpecsFollowsRedis) {
  using Keys = std::vector<std::pair<int, std::string>>;
  auto keys_of = [](std::vector<std::string_view> args) -> std::optional<Keys> {
    std::vector<metadata::KeyReference> found;
    if (!metadata::KeysFromSpecs(*metadata::Find(args[0]), args, &found)) return std::nullopt;
    Keys out;
    for (const auto& key : found) out.emplace_back(key.position, std::string(key.flags));
    return out;
  };
  EXPECT_EQ(keys_of({"zunionstore", "d", "2", "a", "b"}),
            (Keys{{1, "OW update"}, {3, "RO access"}, {4, "RO access"}}));
  EXPECT_EQ(keys_of({"xread", "COUNT", "1", "STREAMS", "a", "b", "0"}), (Keys{{4, "RO access"}}));
  EXPECT_EQ(keys_of({"eval", "s", "0"}), std::nullopt);
  EXPECT_EQ(keys_of({"eval", "s", "3", "a"}), std::nullopt);
  EXPECT_EQ(keys_of({"sort", "k"}), std::nullopt);  // an unknown spec: SORT's own function decides
  EXPECT_EQ(keys_of({"del", "a", "b"}), (Keys{{1, "RM delete"}, {2, "RM delete"}}));
}

}  // namespace
}  // namespace respd::server
