// INFO's text, built from server state: a module of its own so the server family stays a set of
// thin handlers.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "server/dispatch/server_context.h"

namespace respd::server {

// The INFO reply text for `sections` (none: the default sections; "all", "everything", "default" or
// section names, case-insensitive and each ended by a NUL byte as Redis reads them; unknown names
// add nothing), with Redis's "# Section" headers and CRLF line ends.
std::string InfoText(ServerContext& server, std::span<const std::string_view> sections);

}  // namespace respd::server
