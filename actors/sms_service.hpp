#pragma once

#include <memory>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/sms_sender.hpp"
#include "config/settings.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}
namespace ivrcast::metrics {
class registry;
class scrape;
struct readiness_input;
}  // namespace ivrcast::metrics
namespace ivrcast::storage {
class control_state;
class database;
class delivery_log;
class usage;
}  // namespace ivrcast::storage

namespace ivrcast::actors {

/// The SMS side of a node: consumes sms.jobs as a group member, prepares each job, hands it to
/// its carrier's sender actor, ingests delivery receipts from the SMPP sessions into sms.status,
/// keeps the sms.sends view and folds sms.status into the delivery log. Commits a job's offset
/// only once its final send record is durable.
class sms_service {
 public:
  /// Starts on the node's bus, database, control state and actor system; fails naming what
  /// could not start (carrier tables, Kafka clients). The carrier tables come from the control
  /// state when `ivrcast publish-carriers` put them there, else from sms.number_ranges and
  /// sms.ported.
  [[nodiscard]] static caf::expected<std::unique_ptr<sms_service>> start(
      const config::settings& s, std::shared_ptr<connectors::kafka::bus> bus,
      std::shared_ptr<storage::database> db, const storage::control_state& control,
      caf::actor_system& sys, metrics::registry* m = nullptr);
  ~sms_service();
  sms_service(const sms_service&) = delete;
  sms_service& operator=(const sms_service&) = delete;

  /// Leaves the group, unbinds from every SMSC, stops the senders, flushes. Idempotent. Call
  /// before the actor system shuts down.
  void stop();

  /// Routes by the carrier tables of the control state from the next job on, if a whole new
  /// version is there and parses; a bad one is logged and the old tables stay. Any thread (the
  /// node's control reader).
  void reload_carriers();
  /// The version of the carrier tables in use ("files" when read from sms.number_ranges/ported).
  std::string carriers_version() const;

  const sms_metrics& metrics() const;
  const storage::delivery_log& log() const;
  /// Monthly usage per account, folded with the sends view.
  const storage::usage& usage() const;
  /// Partitions of sms.jobs owned now.
  size_t owned_partitions() const;

  /// The SMS side's metrics: jobs by carrier and status, submits, window, binds, doubts,
  /// receipts, consumer lag, delivery-log apply latency.
  void collect(metrics::scrape& out) const;
  /// The SMS side's part of readiness: the sms.jobs group, the delivery log, every configured
  /// carrier's binds.
  void readiness(metrics::readiness_input& out) const;

  struct impl;

 private:
  explicit sms_service(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace ivrcast::actors
