#pragma once

#include <optional>
#include <string>

#include "messages/control.pb.h"

namespace ivrcast::control {

/// Why `caller` (a portal user; the operator is not checked) may not give `target` the roles of
/// `after` when it had those of `before` (empty for a new user), naming the account; nullopt if
/// it may. A user changes roles only on accounts where they are 企業管理者, and never raises
/// their own: no new account, no higher role (lowering one's own is allowed).
std::optional<std::string> grant_refusal(const wire::User& caller, const wire::User& before,
                                         const wire::User& after);

}  // namespace ivrcast::control
