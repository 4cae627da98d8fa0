// Redis 7.0's AOF manifest (appenddirname/appendfilename.manifest): the base file a rewrite
// wrote and the incremental files appended since, one "file NAME seq N type T" line each (aof.c's
// aofLoadManifestFromFile and getAofManifestAsString). respd writes only base files (an AOF
// rewrite with AOF off, as Redis makes one) and reads Redis's manifests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace respd::server {

struct AofManifest {
  struct File {
    std::string name;
    int64_t seq = 0;
    char type = 'b';  // b: base, h: history, i: incremental
  };
  std::vector<File> files;

  // The current base file, if any.
  const File* Base() const;
  // The base file the next rewrite writes: `appendfilename`.<seq+1>.base.rdb (.aof without the RDB
  // preamble), as Redis names it.
  File NextBase(std::string_view appendfilename, bool rdb_preamble) const;
  std::string Format() const;
  // nullopt for a line Redis would refuse.
  static std::optional<AofManifest> Parse(std::string_view text);
};

}  // namespace respd::server
