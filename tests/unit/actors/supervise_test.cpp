// A long-lived actor that stops on an error is escalated; one stopped by the node is not.
#include "actors/supervise.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include <caf/all.hpp>

#include "messages/errc.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::actors {
namespace {

TEST(SuperviseTest, OnlyAStopOnAnErrorCounts) {
  struct row {
    const char* name;
    caf::error reason;
    bool on_error;
  } rows[] = {
      {"finished normally", caf::error{}, false},
      {"normal exit", caf::exit_reason::normal, false},
      {"stopped by the node", caf::exit_reason::user_shutdown, false},
      {"killed by the node", caf::exit_reason::kill, false},
      {"an unhandled exception", caf::exit_reason::unhandled_exception, true},
      {"a storage error", caf::make_error(errc::storage_failure, "test", "disk full"), true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(stopped_on_error(r.reason), r.on_error);
  }
}

caf::behavior quits_with_an_error(caf::event_based_actor* self) {
  return {
      [self](const std::string& why) {
        self->quit(caf::make_error(errc::storage_failure, "test", why));
      },
  };
}

TEST(SuperviseTest, AnActorStoppingOnAnErrorIsEscalatedWithItsName) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::mutex mtx;
  std::string escalated;
  auto a = sys.spawn(quits_with_an_error);
  supervise(a, "test actor", [&](const std::string& why) {
    std::lock_guard<std::mutex> guard{mtx};
    escalated = why;
  });
  caf::anon_send(a, std::string{"disk full"});
  auto seen = [&] {
    std::lock_guard<std::mutex> guard{mtx};
    return escalated;
  };
  ASSERT_TRUE(test::eventually([&] { return !seen().empty(); }));
  EXPECT_NE(seen().find("test actor stopped on an error"), std::string::npos) << seen();
  EXPECT_NE(seen().find("disk full"), std::string::npos) << seen();
}

}  // namespace
}  // namespace ivrcast::actors
