// Protobuf's own messages reach spdlog, structured and limited.

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "messages/gateway.pb.h"
#include "messages/protobuf_log.hpp"

namespace ivrcast::messages {
namespace {

TEST(ProtobufLogTest, AFloodOfBadRecordsLogsTenLinesAMinute) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  route_protobuf_logs();
  wire::CallEvent bad;
  bad.set_call_id(std::string{"\xff\xfe not UTF-8"});
  auto bytes = bad.SerializeAsString();
  for (int i = 0; i < 50; ++i) {
    wire::CallEvent ev;
    (void)ev.ParseFromString(bytes);  // refused or not, protobuf says why
  }
  spdlog::set_default_logger(previous);
  auto text = out.str();
  size_t lines = 0;
  for (size_t at = text.find("event=protobuf_log"); at != std::string::npos;
       at = text.find("event=protobuf_log", at + 1))
    ++lines;
  EXPECT_GE(lines, 1u) << "protobuf's message reaches our log";
  EXPECT_LE(lines, 10u) << text;
  EXPECT_NE(text.find("CallEvent.call_id"), std::string::npos) << text;
}

}  // namespace
}  // namespace ivrcast::messages
