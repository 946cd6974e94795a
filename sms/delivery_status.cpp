#include "sms/delivery_status.hpp"

#include <algorithm>

namespace ivrcast::sms {

std::string_view metric_name(delivery_status s) {
  switch (s) {
    case delivery_status::preparing:
      return "preparing";
    case delivery_status::sent:
      return "sent";
    case delivery_status::awaiting:
      return "awaiting";
    case delivery_status::delivered:
      return "delivered";
    case delivery_status::failed:
      return "failed";
    case delivery_status::internal_error:
      return "internal_error";
    case delivery_status::carrier_error:
      return "carrier_error";
    case delivery_status::partially_failed:
      return "partially_failed";
    case delivery_status::undetermined:
      return "undetermined";
    case delivery_status::retry:
      return "retry";
  }
  return "unknown";
}

std::string_view label(delivery_status s) {
  switch (s) {
    case delivery_status::preparing:
      return "配信準備中";
    case delivery_status::sent:
      return "送信済";
    case delivery_status::awaiting:
      return "配信結果待機中";
    case delivery_status::delivered:
      return "到達済";
    case delivery_status::failed:
      return "失敗";
    case delivery_status::internal_error:
      return "内部エラー";
    case delivery_status::carrier_error:
      return "キャリア側エラー";
    case delivery_status::partially_failed:
      return "一部失敗";
    case delivery_status::undetermined:
      return "不定";
    case delivery_status::retry:
      return "リトライ";
  }
  return "";
}

std::optional<delivery_status> status_from(uint32_t v) {
  if (v < 1 || v > 10)
    return std::nullopt;
  return static_cast<delivery_status>(v);
}

int rank(delivery_status s) {
  switch (s) {
    case delivery_status::preparing:
      return 0;
    case delivery_status::sent:
      return 1;
    case delivery_status::awaiting:
      return 2;
    default:
      return 3;
  }
}

bool is_final(delivery_status s) {
  return rank(s) == 3;
}

arrival arrival_of(delivery_status s) {
  if (s == delivery_status::delivered)
    return arrival::delivered;
  return is_final(s) ? arrival::undelivered : arrival::pending;
}

std::string_view arrival_label(delivery_status s) {
  switch (arrival_of(s)) {
    case arrival::delivered:
      return "到達";
    case arrival::undelivered:
      return "不達";
    case arrival::pending:
      break;
  }
  return "";
}

std::optional<receipt_state> parse_stat(std::string_view stat) {
  static constexpr std::pair<std::string_view, receipt_state> names[] = {
      {"ENROUTE", receipt_state::enroute},       {"DELIVRD", receipt_state::delivered},
      {"EXPIRED", receipt_state::expired},       {"DELETED", receipt_state::deleted},
      {"UNDELIV", receipt_state::undeliverable}, {"ACCEPTD", receipt_state::accepted},
      {"UNKNOWN", receipt_state::unknown},       {"REJECTD", receipt_state::rejected},
  };
  for (const auto& [name, st] : names)
    if (stat == name)
      return st;
  return std::nullopt;
}

std::optional<receipt_state> state_from_tlv(uint8_t v) {
  if (v < 1 || v > 8)
    return std::nullopt;
  return static_cast<receipt_state>(v);
}

delivery_status part_status(carrier c, receipt_state st, std::string_view err,
                            std::span<const std::string> retry_errors) {
  switch (st) {
    case receipt_state::enroute:
    case receipt_state::accepted:
      return delivery_status::awaiting;
    case receipt_state::delivered:
      return delivery_status::delivered;
    case receipt_state::expired:
      return delivery_status::failed;  // the handset stayed unreachable
    case receipt_state::undeliverable:
      if (c == carrier::docomo &&
          std::find(retry_errors.begin(), retry_errors.end(), err) != retry_errors.end())
        return delivery_status::retry;
      return delivery_status::failed;
    case receipt_state::deleted:
    case receipt_state::unknown:
    case receipt_state::rejected:
      return delivery_status::carrier_error;
  }
  return delivery_status::carrier_error;
}

submit_outcome map_submit_status(uint32_t s) {
  switch (s) {
    case 0x00000000:  // ESME_ROK
      return {submit_verdict::accepted, delivery_status::sent};
    case 0x00000058:  // ESME_RTHROTTLED
    case 0x00000014:  // ESME_RMSGQFUL
    case 0x00000008:  // ESME_RSYSERR: the SMSC's own trouble, worth another try
      return {submit_verdict::retry_later, delivery_status::preparing};
    case 0x0000000A:  // ESME_RINVSRCADR: our sender id, a set-up fault on our side
    case 0x00000001:  // ESME_RINVMSGLEN
    case 0x00000003:  // ESME_RINVCMDID
    case 0x00000004:  // ESME_RINVBNDSTS
      return {submit_verdict::rejected, delivery_status::internal_error};
    default:  // ESME_RINVDSTADR (another carrier's number), ESME_RSUBMITFAIL, ...
      return {submit_verdict::rejected, delivery_status::carrier_error};
  }
}

delivery_status combine(std::span<const delivery_status> parts) {
  if (parts.empty())
    return delivery_status::preparing;
  bool all_final = true;
  bool any_delivered = false;
  std::optional<delivery_status> first_failure;
  auto least = delivery_status::awaiting;
  for (auto s : parts) {
    if (!is_final(s)) {
      all_final = false;
      if (rank(s) < rank(least))
        least = s;
      continue;
    }
    if (s == delivery_status::delivered)
      any_delivered = true;
    else if (!first_failure)
      first_failure = s;
  }
  if (!all_final)
    return least;
  if (!first_failure)
    return delivery_status::delivered;
  return any_delivered ? delivery_status::partially_failed : *first_failure;
}

}  // namespace ivrcast::sms
