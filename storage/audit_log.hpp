#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "messages/control.pb.h"
#include "storage/offset_checkpoints.hpp"
#include "storage/sends.hpp"

namespace ivrcast::storage {

class database;

/// The audit event of one login or password-reset attempt a node let through its rate limit
/// (detail: "login" or "password_reset"; ip: the client's address). Every node counts them,
/// so the limit per client address holds for the cluster, not per node.
inline constexpr std::string_view address_attempt_event = "address_attempt";

/// What to find in the audit trail.
struct audit_query {
  std::string enterprise;  // empty: every enterprise (the operator)
  int64_t from_ms = 0;
  int64_t to_ms = INT64_MAX;
  std::string event;  // an event's name or a prefix of it ("login"); empty: any
  std::string email;  // exact, lower case; empty: any
  size_t limit = 100;
};

/// The audit trail (control.audit: logins, lockouts, IP refusals, downloads, publishes, user
/// changes) indexed by time and by enterprise, folded exactly once (offsets in the same batch).
/// One writer; reads from any thread.
class audit_log {
 public:
  /// Opens the trail; on the first start of this version, indexes by address the events folded
  /// before that index existed.
  [[nodiscard]] static caf::expected<std::unique_ptr<audit_log>> open(std::shared_ptr<database> db);

  [[nodiscard]] caf::expected<void> apply(int32_t partition, std::span<const topic_record> recs);
  [[nodiscard]] caf::expected<int64_t> checkpoint(int32_t partition) const;

  /// Events matching `q`, newest first, at most q.limit; `more` says whether others match.
  /// With an address and no enterprise, only that address's events are read.
  [[nodiscard]] caf::expected<std::vector<wire::AuditEvent>> find(const audit_query& q,
                                                                  bool& more) const;
  /// Attempts (address_attempt_event) from `client_address` at or after `since_ms` counted by
  /// nodes other than `node`, up to `cap`.
  [[nodiscard]] caf::expected<int> attempts_since(std::string_view client_address, int64_t since_ms,
                                                  std::string_view node, int cap) const;
  uint64_t refused() const { return refused_; }

 private:
  explicit audit_log(std::shared_ptr<database> db);
  [[nodiscard]] caf::expected<void> index_emails();

  std::shared_ptr<database> db_;
  offset_checkpoints checkpoints_;
  uint64_t refused_ = 0;
};

}  // namespace ivrcast::storage
