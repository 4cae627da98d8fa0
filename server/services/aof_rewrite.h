// An AOF base file of commands, as Redis 7.0 rewrites the dataset with aof-use-rdb-preamble no
// (aof.c's rewriteAppendOnlyFileRio): a #TS annotation under aof-timestamp-enabled, FUNCTION LOAD
// for each library, then per database a SELECT
// and each key as the commands that rebuild it (SET; RPUSH, SADD, ZADD, HMSET in batches of 64
// elements; a stream's XADDs, XSETID, XGROUP CREATE and CREATECONSUMER, XCLAIMs for its pending
// entries), followed by PEXPIREAT for a key with a TTL.
#pragma once

#include <string>

namespace respd::server {

class ServerContext;

namespace aof_rewrite {

// The file's bytes. Call with every shard locked, and say whether this thread holds the script
// engine's mutex.
std::string EncodeCommands(ServerContext& server, bool engine_held);

}  // namespace aof_rewrite
}  // namespace respd::server
