#include <gtest/gtest.h>

#include "connectors/kafka/consumer.hpp"

namespace ivrcast::connectors::kafka {
namespace {

// librdkafka answers rd_kafka_rebalance_protocol with NULL once the group is closing: a
// revocation raised by a node's shutdown must not read it as a string.
TEST(KafkaRebalanceTest, TheProtocolIsLibrdkafkasAnswerOrTheConfiguredStrategysWhenItHasNone) {
  struct row {
    const char* reported;
    const char* strategy;
    bool cooperative;
  };
  for (const auto& r : {row{"COOPERATIVE", "roundrobin", true}, row{"EAGER", "roundrobin", false},
                        row{"EAGER", "cooperative-sticky", false}, row{"NONE", "range", false},
                        row{nullptr, "roundrobin", false}, row{nullptr, "range,roundrobin", false},
                        row{nullptr, "cooperative-sticky", true}})
    EXPECT_EQ(cooperative_rebalance(r.reported, r.strategy), r.cooperative)
        << (r.reported ? r.reported : "NULL") << " / " << r.strategy;
}

}  // namespace
}  // namespace ivrcast::connectors::kafka
