// The AOF manifest (see aof_manifest.h).
#include "server/services/aof_manifest.h"

#include <charconv>
#include <sstream>

namespace respd::server {

const AofManifest::File* AofManifest::Base() const {
  for (const File& file : files) {
    if (file.type == 'b') return &file;
  }
  return nullptr;
}

AofManifest::File AofManifest::NextBase(std::string_view appendfilename, bool rdb_preamble) const {
  const File* base = Base();
  File next;
  next.seq = (base != nullptr ? base->seq : 0) + 1;
  next.name = std::string(appendfilename) + "." + std::to_string(next.seq) + ".base" +
              (rdb_preamble ? ".rdb" : ".aof");
  next.type = 'b';
  return next;
}

std::string AofManifest::Format() const {
  std::string out;
  for (const File& file : files) {
    out += "file " + file.name + " seq " + std::to_string(file.seq) + " type " + file.type + "\n";
  }
  return out;
}

std::optional<AofManifest> AofManifest::Parse(std::string_view text) {
  AofManifest manifest;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    File file;
    bool has_name = false, has_seq = false, has_type = false;
    for (std::string key, value; words >> key >> value;) {
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (key == "file") {
        file.name = value;
        has_name = true;
      } else if (key == "seq") {
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), file.seq);
        has_seq = error == std::errc() && end == value.data() + value.size();
      } else if (key == "type") {
        file.type = value.size() == 1 ? value[0] : '?';
        has_type = file.type == 'b' || file.type == 'h' || file.type == 'i';
      }
    }
    if (!has_name || !has_seq || !has_type) return std::nullopt;
    manifest.files.push_back(std::move(file));
  }
  return manifest;
}

}  // namespace respd::server
