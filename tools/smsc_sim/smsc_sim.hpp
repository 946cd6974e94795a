#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "connectors/smpp/receipt.hpp"
#include "sms/carrier.hpp"

namespace ivrcast::tools {

/// How a simulated SMSC behaves.
struct smsc_sim_options {
  std::string name = "smsc";  // for logs: the carrier it plays
  uint16_t port = 0;          // 0: any free port on 127.0.0.1
  std::string password;       // empty: any password binds
  connectors::smpp::id_format resp_ids = connectors::smpp::id_format::hex;
  connectors::smpp::id_format receipt_ids = connectors::smpp::id_format::decimal;
  int receipt_delay_ms = 200;
  /// Weights of receipt outcomes: delivered, undeliverable, expired, rejected, retry (docomo's
  /// temporary failure, UNDELIV err:006), enroute (an intermediate receipt, then delivered).
  std::string outcome_mix = "delivered=100";
  bool receipt_tlvs = true;  // also send receipted_message_id and message_state TLVs
  int throttle_every = 0;    // answer every n-th submit with ESME_RTHROTTLED; 0 never
};

enum class sim_outcome : uint8_t { delivered, undeliverable, expired, rejected, retry, enroute };

/// Receipt outcomes by weight (`delivered=90,rejected=10`). The outcome of a part is a pure
/// function of its destination and index, so a test can predict every message's final status.
class sim_mix {
 public:
  /// Unknown names and zero weights are ignored; an empty mix delivers everything.
  static sim_mix parse(std::string_view text);
  sim_outcome pick(std::string_view destination, int part_index) const;

 private:
  std::vector<std::pair<sim_outcome, uint64_t>> weights_;
  uint64_t total_ = 0;
};

/// An SMSC on loopback for one carrier: accepts binds (transceiver, transmitter, receiver),
/// answers submit_sm with ids and sends a delivery receipt per accepted part after a delay,
/// keeping receipts until a deliver_sm_resp (an unacknowledged receipt is sent again on the
/// next bind). It can throttle, stall (stop reading), drop every connection, or drop the
/// connection right after accepting a submit and before answering it. Counts what it received,
/// so tests can prove exactly-once. Thread-safe.
class smsc_sim {
 public:
  struct stats {
    uint64_t binds = 0;
    uint64_t submits = 0;     // accepted parts
    uint64_t duplicates = 0;  // accepted parts identical to an earlier one (same dest + bytes)
    uint64_t throttled = 0;
    uint64_t receipts_sent = 0;
    uint64_t receipts_acked = 0;
    uint64_t malformed = 0;
  };

  [[nodiscard]] static caf::expected<std::unique_ptr<smsc_sim>> start(smsc_sim_options o);
  ~smsc_sim();

  uint16_t port() const;
  stats counts() const;
  /// Accepted parts per destination.
  size_t submits_to(std::string_view destination) const;
  /// Parts waiting for their receipt to be sent or acknowledged.
  size_t receipts_pending() const;

  void set_stall(bool stalled);
  void set_throttle_every(int n);
  /// Closes every connection now.
  void drop_connections();
  /// Closes the connection that accepts the next submit, before answering it (the submit is
  /// accepted and counted: the client cannot know).
  void drop_after_next_submit();
  void stop();

  struct impl;

 private:
  explicit smsc_sim(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// The simulator simulate_carriers() starts for carrier `c` (on any port): also the one a test or
/// bench starts again on the same port to bring a carrier back.
smsc_sim_options carrier_sim_options(const config::sms_settings& s, sms::carrier c);

/// Starts a simulated SMSC per carrier (`simulator_mix`, `simulator_receipt_delay_ms`) and
/// points `s.carriers` at them: the demo's and the tests' carriers.
[[nodiscard]] caf::expected<std::vector<std::unique_ptr<smsc_sim>>> simulate_carriers(
    config::sms_settings& s);

}  // namespace ivrcast::tools
