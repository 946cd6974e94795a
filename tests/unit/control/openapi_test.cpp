// docs/openapi.yaml documents exactly the routes the API serves, with their access rules.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "control/api.hpp"

namespace ivrcast {
namespace {

std::string access_name(control::access a) {
  switch (a) {
    case control::access::anyone:
      return "anyone";
    case control::access::session:
      return "session";
    case control::access::account:
      return "account";
    case control::access::flows_edit:
      return "flows_edit";
    case control::access::flows_publish:
      return "flows_publish";
    case control::access::logs_view:
      return "logs_view";
    case control::access::users_manage:
      return "users_manage";
    case control::access::operator_only:
      return "operator_only";
  }
  return "?";
}

TEST(OpenApiTest, DocumentsEveryServedRouteWithItsAccessRule) {
  std::ifstream in{IVRCAST_SOURCE_DIR "/docs/openapi.yaml"};
  ASSERT_TRUE(in);
  std::set<std::string> documented;
  std::string line, path, method;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths)
      continue;
    if (line.starts_with("  /") && line.ends_with(":")) {
      path = line.substr(2, line.size() - 3);
    } else if (line.starts_with("    ") && !line.starts_with("     ") && line.ends_with(":")) {
      method = line.substr(4, line.size() - 5);
      for (auto& c : method)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (auto pos = line.find("x-ivrcast-access: "); pos != std::string::npos) {
      documented.insert(method + " " + path + " " + line.substr(pos + 18));
    }
  }
  std::set<std::string> served;
  for (const auto& r : control::api::routes())
    served.insert(r.method + " " + r.pattern + " " + access_name(r.need));
  EXPECT_EQ(documented, served);
  EXPECT_EQ(served.size(), control::api::routes().size()) << "a route is registered twice";
}

}  // namespace
}  // namespace ivrcast
