// Options whose values are not one number, word or text: notify-keyspace-events (a set of event
// class letters) and client-output-buffer-limit (limits per client class). Parsed as Redis 7.0's
// config.c parses them, shown in its canonical form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace respd::server {

// OptionSpec::normalize of notify-keyspace-events.
std::string NormalizeKeyspaceEvents(std::string_view value, std::string* canonical);
// OptionSpec::normalize_over of client-output-buffer-limit: `<class> <hard> <soft> <seconds>`
// groups replace those classes' limits in `current`.
std::string NormalizeOutputBufferLimits(std::string_view value, std::string_view current,
                                        std::string* canonical);

}  // namespace respd::server
