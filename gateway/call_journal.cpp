#include "gateway/call_journal.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "gateway/log.hpp"
#include "messages/errc.hpp"

namespace ivrcast::gateway {

caf::expected<std::unique_ptr<call_journal>> call_journal::open(
    const std::string& dir, const std::string& gateway_id, std::vector<std::string>& open_calls) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return caf::make_error(errc::io_failure, "call_journal",
                           "gateway.state_dir '" + dir + "': " + ec.message());
  std::unique_ptr<call_journal> j{new call_journal};
  j->path_ = dir + "/live_calls." + gateway_id;
  {
    std::ifstream in{j->path_};
    std::string line;
    std::unordered_set<std::string> live;
    while (std::getline(in, line)) {
      if (line.size() < 2)
        continue;  // a line cut by a crash
      if (line[0] == '+')
        live.insert(line.substr(1));
      else if (line[0] == '-')
        live.erase(line.substr(1));
    }
    open_calls.assign(live.begin(), live.end());
  }
  j->file_ = std::fopen(j->path_.c_str(), "w");
  if (!j->file_)
    return caf::make_error(errc::io_failure, "call_journal",
                           j->path_ + ": " + std::strerror(errno));
  return j;
}

call_journal::~call_journal() {
  if (file_)
    std::fclose(file_);
}

void call_journal::started(const std::string& call_id) {
  live_.insert(call_id);
  write('+', call_id);
}

void call_journal::ended(const std::string& call_id) {
  if (live_.erase(call_id) == 0)
    return;
  write('-', call_id);
  if (lines_ > 100000 && lines_ > 4 * live_.size())
    compact();
}

void call_journal::write(char mark, const std::string& call_id) {
  ++lines_;
  // One write(2) per line (unbuffered): a killed process leaves whole lines behind.
  if (std::fprintf(file_, "%c%s\n", mark, call_id.c_str()) < 0 || std::fflush(file_) != 0)
    logger().error("event=call_journal_write_failed path={} error={}", path_, std::strerror(errno));
}

void call_journal::compact() {
  auto tmp = path_ + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    logger().warn("event=call_journal_compact_failed path={} error={}", tmp, std::strerror(errno));
    return;
  }
  for (const auto& id : live_)
    std::fprintf(f, "+%s\n", id.c_str());
  if (std::fflush(f) != 0 || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    std::fclose(f);
    logger().warn("event=call_journal_compact_failed path={} error={}", path_,
                  std::strerror(errno));
    return;
  }
  std::fclose(file_);
  file_ = f;
  lines_ = live_.size();
}

}  // namespace ivrcast::gateway
