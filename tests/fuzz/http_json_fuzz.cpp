// A JSON request body as the API checks it before any handler runs: parsed within the size
// limit, every field the route does not read named. The first byte picks the route.

#include <vector>

#include <nlohmann/json.hpp>

#include "control/api.hpp"
#include "control/body_rules.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;

namespace {

const std::vector<control::route_info>& json_routes() {
  static const auto routes = [] {
    std::vector<control::route_info> out;
    for (auto& r : control::api::routes())
      if (r.body == control::body_kind::json)
        out.push_back(std::move(r));
    return out;
  }();
  return routes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  const auto& routes = json_routes();
  const auto& route = routes[data[0] % routes.size()];
  connectors::http::request req;
  req.method = route.method;
  req.path = route.pattern;
  req.headers["content-type"] = "application/json; charset=utf-8";
  req.body = fuzz::as_text(data + 1, size - 1);
  nlohmann::json body;
  auto refused = control::check_body(route, req, 64 * 1024, body);
  if (refused) {
    IVRCAST_FUZZ_CHECK(refused->status >= 400 && refused->status < 500);
  } else {
    IVRCAST_FUZZ_CHECK(body.is_object());
    IVRCAST_FUZZ_CHECK(control::unknown_fields(body, route.fields).empty());
  }
  return 0;
}
