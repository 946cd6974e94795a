#include "connectors/kafka/client_conf.hpp"

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/errors.hpp"
#include "connectors/log.hpp"

namespace ivrcast::connectors::kafka {
namespace {

void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug
  if (level <= 3)
    logger().error("event=rdkafka facility={} message=\"{}\"", fac, buf);
  else if (level == 4)
    logger().warn("event=rdkafka facility={} message=\"{}\"", fac, buf);
  else if (level <= 6)
    logger().info("event=rdkafka facility={} message=\"{}\"", fac, buf);
  else
    logger().debug("event=rdkafka facility={} message=\"{}\"", fac, buf);
}

}  // namespace

caf::expected<rd_kafka_conf_s*> make_conf(const std::map<std::string, std::string>& base,
                                          const std::map<std::string, std::string>& overrides,
                                          const char* role) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto* m : {&base, &overrides})
    for (const auto& [k, v] : *m)
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        auto prefix = m == &base ? std::string{} : std::string{"kafka."} + role + ".";
        return setup_error("make_conf", prefix + k + " = '" + v + "': " + errstr);
      }
  rd_kafka_conf_set_log_cb(conf, log_cb);  // librdkafka's logs go to ours
  return conf;
}

}  // namespace ivrcast::connectors::kafka
