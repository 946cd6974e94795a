#include "messages/errc.hpp"

#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>

namespace ivrcast {

const char* to_string(errc code) {
  switch (code) {
    case errc::bad_config:
      return "bad_config";
    case errc::bad_input:
      return "bad_input";
    case errc::storage_failure:
      return "storage_failure";
    case errc::storage_corrupt:
      return "storage_corrupt";
    case errc::kafka_setup:
      return "kafka_setup";
    case errc::kafka_failure:
      return "kafka_failure";
    case errc::io_failure:
      return "io_failure";
    case errc::timeout:
      return "timeout";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  if (!err)
    return "ok";
  std::string out;
  if (err.category() == caf::atom("ivrcast"))
    out = to_string(static_cast<errc>(err.code()));
  else
    out = caf::to_string(err.category()) + ":" + std::to_string(err.code());
  const auto& ctx = err.context();
  for (size_t i = 0; i < ctx.size(); ++i) {
    out += i == 0 ? ": " : " ";
    if (ctx.match_element<std::string>(i))
      out += ctx.get_as<std::string>(i);
    else
      out += ctx.stringify(i);
  }
  return out;
}

}  // namespace ivrcast
