// MODULE with enable-module-command allowing the client: loading fails and unloading finds
// nothing, with Redis's texts (tests/differential/scripts/module.txt compares the rest).
#include <gtest/gtest.h>

#include "tests/server/command_test_base.h"

namespace respd::server {
namespace {

class ModuleFamilyTest : public CommandTest {};

TEST_F(ModuleFamilyTest, LoadFailsAndUnloadFindsNothingWhenAllowed) {
  EXPECT_EQ(Run({"MODULE", "LOAD", "/x.so"}),
            "-ERR MODULE command not allowed. If the enable-module-command option is set to "
            "\"local\", you can run it from a local connection, otherwise you need to set this "
            "option in the configuration file, and then restart the server.\r\n");
  ASSERT_EQ(config_.Get("enable-module-command").Set({"yes"}), "");
  EXPECT_EQ(Run({"MODULE", "LOAD", "/x.so", "arg"}),
            "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(Run({"MODULE", "LOADEX", "/x.so", "CONFIG", "a", "b", "ARGS", "c"}),
            "-ERR Error loading the extension. Please check the server logs.\r\n");
  EXPECT_EQ(Run({"MODULE", "UNLOAD", "json"}),
            "-ERR Error unloading module: no such module with that name\r\n");
  EXPECT_EQ(Run({"MODULE", "LIST"}), "*0\r\n");
}

TEST_F(ModuleFamilyTest, DebugKeepsItsOwnOption) {
  ASSERT_EQ(config_.Get("enable-module-command").Set({"yes"}), "");
  EXPECT_EQ(Run({"DEBUG", "LOG", "x"}),
            "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
            "\"local\", you can run it from a local connection, otherwise you need to set this "
            "option in the configuration file, and then restart the server.\r\n");
}

}  // namespace
}  // namespace respd::server
