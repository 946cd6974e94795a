#include "connectors/kafka/errors.hpp"

#include <librdkafka/rdkafka.h>

#include "messages/errc.hpp"

namespace ivrcast::connectors::kafka {

caf::error kafka_error(int code, const char* where) {
  auto err = static_cast<rd_kafka_resp_err_t>(code);
  return caf::make_error(errc::kafka_failure, where,
                         std::string{rd_kafka_err2name(err)} + ": " + rd_kafka_err2str(err));
}

caf::error setup_error(const char* where, std::string detail) {
  return caf::make_error(errc::kafka_setup, where, std::move(detail));
}

}  // namespace ivrcast::connectors::kafka
