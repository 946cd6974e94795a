// A long-lived actor that stops on an error is escalated; one stopped by the node is not.
#include "actors/supervise.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include <caf/all.hpp>

#include "messages/errc.hpp"

namespace ivrcast::actors {
namespace {

caf::behavior stops_on_request(caf::event_based_actor* self) {
  return {
      [self](const std::string& why) {
        self->quit(why.empty() ? caf::error{}
                               : caf::make_error(errc::storage_failure, "test", why));
      },
  };
}

TEST(SuperviseTest, AnActorStoppingOnAnErrorIsEscalatedAndOnlyThen) {
  struct row {
    const char* name;
    bool by_message;        // quits on its own (with the error below) or is sent an exit
    const char* error;      // by_message: empty for a normal stop
    caf::exit_reason exit;  // !by_message
    bool escalated;
  } rows[] = {
      {"storage error", true, "disk full", caf::exit_reason::normal, true},
      {"finished normally", true, "", caf::exit_reason::normal, false},
      {"stopped by the node", false, "", caf::exit_reason::user_shutdown, false},
      {"killed by the node", false, "", caf::exit_reason::kill, false},
      {"stopped on an unhandled exception", false, "", caf::exit_reason::unhandled_exception, true},
  };
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    std::string escalated;
    auto a = sys.spawn(stops_on_request);
    supervise(a, "test actor", [&](const std::string& why) { escalated = why; });
    caf::scoped_actor self{sys};
    self->monitor(a);
    if (r.by_message)
      self->send(a, std::string{r.error});
    else
      self->send_exit(a, r.exit);
    self->receive([](const caf::down_msg&) {});  // the functor ran before the down message
    EXPECT_EQ(!escalated.empty(), r.escalated) << escalated;
    if (r.escalated) {
      EXPECT_NE(escalated.find("test actor stopped on an error"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace ivrcast::actors
