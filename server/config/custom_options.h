// Options whose values are not one number, word or text: notify-keyspace-events (a set of event
// class letters) and client-output-buffer-limit (limits per client class). Parsed as Redis 7.0's
// config.c parses them, shown in its canonical form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace respd::server {

// OptionSpec::parse of notify-keyspace-events: `number` gets the flags.
std::string ParseNotifyKeyspaceEventsOption(std::string_view value, std::string_view current,
                                            std::string* text, int64_t* number);
// OptionSpec::parse of client-output-buffer-limit: `<class> <hard> <soft> <seconds>` groups
// replace those classes' limits in `current`.
std::string ParseOutputBufferLimitOption(std::string_view value, std::string_view current,
                                         std::string* text, int64_t* number);

}  // namespace respd::server
