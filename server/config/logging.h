// spdlog set up with Redis's log line format and levels (debug, verbose, notice, warning).
#pragma once

#include <string>
#include <string_view>

namespace respd::server {

// Logs to `logfile` (standard output when empty) at Redis level `level`. Throws on a bad file.
void SetupLogging(const std::string& logfile, std::string_view level);
// Changes the level at run time (CONFIG SET loglevel).
void SetLogLevel(std::string_view level);

}  // namespace respd::server
