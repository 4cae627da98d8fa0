// The OptionSpec::normalize functions of options with a syntax of their own
// (option_normalizers.cc): each returns an error text or empty, and sets the canonical form.
#pragma once

#include <string>
#include <string_view>

namespace respd::server {

std::string NormalizeClockStart(std::string_view value, std::string* canonical);
std::string NormalizeSeed(std::string_view value, std::string* canonical);
std::string NormalizeActiveDefrag(std::string_view value, std::string* canonical);
std::string NormalizeProcTitleTemplate(std::string_view value, std::string* canonical);
std::string NormalizeSave(std::string_view value, std::string* canonical);
std::string NormalizeOomScoreAdjValues(std::string_view value, std::string* canonical);
std::string NormalizePercentiles(std::string_view value, std::string* canonical);
std::string NormalizeShutdownFlags(std::string_view value, std::string* canonical);
// replicaof: "host port" or "no one", as Redis's setConfigReplicaOfOption checks them.
std::string NormalizeReplicaOf(std::string_view value, std::string* canonical);
std::string NormalizeMemoryOrPercent(std::string_view value, std::string* canonical);
// dir: an existing directory (Redis changes to it and shows getcwd()), made absolute.
std::string NormalizeDir(std::string_view value, std::string* canonical);
// dbfilename: a file name, not a path.
std::string NormalizeDbFilename(std::string_view value, std::string* canonical);

}  // namespace respd::server
