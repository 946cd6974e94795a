// A bare SMPP session for the raw baselines of bench/sms_bench.cpp: one TCP connection bound as
// a transceiver to a simulated SMSC, submitting the bench's UCS-2 text and acknowledging
// receipts. No state beyond the socket's buffers: what the simulators and loopback TCP allow.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "connectors/smpp/pdu.hpp"

namespace ivrcast::bench {

class raw_smpp_peer {
 public:
  /// Connects to the carrier's SMSC and queues the bind; bound() is true once it is answered.
  static caf::expected<std::unique_ptr<raw_smpp_peer>> connect(const config::carrier_settings& c);
  ~raw_smpp_peer();
  raw_smpp_peer(const raw_smpp_peer&) = delete;
  raw_smpp_peer& operator=(const raw_smpp_peer&) = delete;

  int fd() const { return fd_; }
  bool bound() const { return bound_; }
  bool has_output() const { return !out_.empty(); }

  /// Queues a submit of the bench's text to `destination` with the next sequence number.
  uint32_t submit(std::string_view destination);

  /// Sends what is queued: all of it if `wait`, else what the socket takes now.
  caf::expected<void> send(bool wait);

  /// Reads what has arrived (waiting for something if `wait`), queues the answer to each
  /// receipt, appends the sequence of each accepted submit to `accepted` and counts receipts.
  caf::expected<void> receive(bool wait, std::vector<uint32_t>& accepted, int& receipts);

 private:
  explicit raw_smpp_peer(int fd);

  int fd_;
  bool bound_ = false;
  uint32_t next_sequence_ = 2;  // 1 is the bind
  connectors::smpp::pdu submit_;
  connectors::smpp::pdu receipt_resp_;
  std::string out_;
  std::string in_;
};

}  // namespace ivrcast::bench
