// respd's entry point: redis-server's command line, logging, then the server until it stops.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <string>

#include "server/composition.h"
#include "server/config/config.h"
#include "server/config/logging.h"
#include "server/net/server.h"
#include "storage/clock.h"

int main(int argc, char** argv) {
  using respd::server::Config;
  Config config;
  try {
    config.ParseCommandLine(argc, argv);
  } catch (const respd::server::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (config.version_requested()) {
    std::cout << "respd v=" << RESPD_VERSION << " (Redis 7.0 compatible)\n";
    return 0;
  }
  if (config.help_requested()) {
    std::cout << config.HelpText();
    return 0;
  }
  try {
    respd::server::SetupLogging(config.PathInDir(config.Get("logfile").text()),
                                config.Get("loglevel").text());
  } catch (const std::exception& e) {
    std::cerr << "Can't open the log file: " << e.what() << "\n";
    return 1;
  }
  spdlog::info("respd version={}, bits=64, pid={}, just started", RESPD_VERSION, getpid());
  if (config.config_file().empty()) {
    spdlog::warn("Warning: no config file specified, using the default config.");
  } else {
    spdlog::info("Configuration loaded from {}", config.config_file());
  }
  for (const std::string& name : config.ignored()) {
    spdlog::warn("Directive '{}' has no effect in respd (accepted for redis-server compatibility)",
                 name);
  }
  std::string pidfile = config.PathInDir(config.Get("pidfile").text());
  if (!pidfile.empty()) std::ofstream(pidfile) << getpid() << "\n";

  respd::storage::Clock clock;
  // Before the server reads its start time, so uptime counts from the configured instant.
  std::string clock_start = config.Get("clock-start").text();  // canonical: Unix ms or empty
  if (!clock_start.empty()) clock.Set(std::stoll(clock_start) * 1000);
  if (config.Get("clock").text() == "frozen") clock.Freeze();
  respd::server::Server server(config, clock);
  respd::server::Compose(server.context());
  if (std::string cluster_error = respd::server::StartCluster(server.context());
      !cluster_error.empty()) {
    spdlog::warn("{}", cluster_error);
    if (!pidfile.empty()) unlink(pidfile.c_str());
    return 1;
  }
  std::string acl_error =
      server.context().acl.LoadAtStartup(config.acl_users(), config.Get("aclfile").text());
  if (!acl_error.empty()) {
    spdlog::warn("{}", acl_error);
    if (!pidfile.empty()) unlink(pidfile.c_str());
    return 1;
  }
  server.context().executable = argv[0];
  int code = server.Run();
  if (!pidfile.empty()) unlink(pidfile.c_str());
  return code;
}
