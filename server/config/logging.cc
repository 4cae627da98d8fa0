// Redis-style log lines: "pid:M 21 Nov 2026 05:49:00.123 * message".
#include "server/config/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace respd::server {
namespace {

// Redis marks each line with its level: '.' debug, '-' verbose, '*' notice, '#' warning.
class LevelMark : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char mark = '*';
    switch (msg.level) {
      case spdlog::level::trace:
        mark = '.';
        break;
      case spdlog::level::debug:
        mark = '-';
        break;
      case spdlog::level::info:
        mark = '*';
        break;
      default:
        mark = '#';
        break;
    }
    dest.push_back(mark);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelMark>();
  }
};

spdlog::level::level_enum ToSpdlog(std::string_view level) {
  if (level == "debug") return spdlog::level::trace;
  if (level == "verbose") return spdlog::level::debug;
  if (level == "warning") return spdlog::level::warn;
  if (level == "nothing") return spdlog::level::off;
  return spdlog::level::info;
}

}  // namespace

void SetupLogging(const std::string& logfile, std::string_view level) {
  std::shared_ptr<spdlog::logger> logger;
  if (logfile.empty()) {
    logger = spdlog::stdout_logger_mt("respd");
  } else {
    logger = spdlog::basic_logger_mt("respd", logfile);
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelMark>('*').set_pattern("%P:M %d %b %Y %H:%M:%S.%e %* %v");
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  SetLogLevel(level);
}

void SetLogLevel(std::string_view level) { spdlog::set_level(ToSpdlog(level)); }

}  // namespace respd::server
