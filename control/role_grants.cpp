#include "control/role_grants.hpp"

#include <map>
#include <set>

namespace ivrcast::control {
namespace {

std::map<std::string, wire::Role> roles_of(const wire::User& u) {
  std::map<std::string, wire::Role> out;
  for (const auto& r : u.roles())
    out[r.account_id()] = r.role();
  return out;
}

/// Enterprise admin 1 … member 4: a lower number is more power.
bool higher(wire::Role a, wire::Role b) {
  return b == wire::ROLE_UNSPECIFIED || (a != wire::ROLE_UNSPECIFIED && a < b);
}

}  // namespace

std::optional<std::string> grant_refusal(const wire::User& caller, const wire::User& before,
                                         const wire::User& after) {
  auto mine = roles_of(caller);
  auto old_roles = roles_of(before);
  auto new_roles = roles_of(after);
  std::set<std::string> accounts;
  for (const auto& [a, r] : old_roles)
    accounts.insert(a);
  for (const auto& [a, r] : new_roles)
    accounts.insert(a);
  bool self = !before.user_id().empty() && before.user_id() == caller.user_id();
  for (const auto& a : accounts) {
    auto was = old_roles.contains(a) ? old_roles[a] : wire::ROLE_UNSPECIFIED;
    auto now = new_roles.contains(a) ? new_roles[a] : wire::ROLE_UNSPECIFIED;
    if (was == now)
      continue;
    auto it = mine.find(a);
    if (it == mine.end() || it->second != wire::ENTERPRISE_ADMIN)
      return "roles on account '" + a + "' are changed only by its 企業管理者 (enterprise_admin)";
    if (self && now != wire::ROLE_UNSPECIFIED && higher(now, was))
      return "nobody raises their own role (account '" + a + "')";
  }
  return std::nullopt;
}

}  // namespace ivrcast::control
