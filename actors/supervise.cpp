#include "actors/supervise.hpp"

namespace ivrcast::actors {

bool stopped_on_error(const caf::error& reason) {
  return reason && reason != caf::exit_reason::normal &&
         reason != caf::exit_reason::user_shutdown && reason != caf::exit_reason::kill;
}

}  // namespace ivrcast::actors
