// docs/openapi.yaml documents exactly the routes the API serves, with their access rules.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
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

/// What docs/openapi.yaml says of each operation ("METHOD path"), read by indentation.
struct openapi_doc {
  std::set<std::string> access;                        // "METHOD path access"
  std::map<std::string, std::string> bodies;           // "none", "audio/wav" or "json:<top fields>"
  std::map<std::string, std::set<std::string>> query;  // "METHOD path" -> query parameters
  std::map<std::string, std::string> ok_schema;        // "METHOD path" -> 200's JSON schema
  std::set<std::string> schemas;                       // every schema defined
};

openapi_doc read_openapi() {
  openapi_doc out;
  std::ifstream in{IVRCAST_SOURCE_DIR "/docs/openapi.yaml"};
  EXPECT_TRUE(in);
  std::map<std::string, std::set<std::string>> schemas;  // name -> top-level properties
  std::string line, path, method, schema;
  bool in_paths = false, in_properties = false, in_request = false, in_ok = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) {
      if (line.starts_with("    ") && !line.starts_with("     ") && line.ends_with(":")) {
        schema = line.substr(4, line.size() - 5);
        out.schemas.insert(schema);
        in_properties = false;
      } else if (line == "      properties:") {
        in_properties = true;
      } else if (in_properties && line.starts_with("        ") && !line.starts_with("         ")) {
        schemas[schema].insert(line.substr(8, line.find(':') - 8));
      } else if (!line.starts_with("        ")) {
        in_properties = false;
      }
      continue;
    }
    auto op = method + " " + path;
    if (line.starts_with("  /") && line.ends_with(":")) {
      path = line.substr(2, line.size() - 3);
    } else if (line.starts_with("    ") && !line.starts_with("     ") && line.ends_with(":")) {
      method = line.substr(4, line.size() - 5);
      for (auto& c : method)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.bodies[method + " " + path] = "none";
      in_request = false;
    } else if (line == "      requestBody:") {
      in_request = true;
    } else if (line == "      responses:") {
      in_request = false;  // a response's schema says nothing of the request
      in_ok = false;
    } else if (line.starts_with("        '200'")) {
      in_ok = true;
    } else if (line.starts_with("        default")) {
      in_ok = false;
    } else if (auto q = line.find("- {name: ");
               q != std::string::npos && line.find("in: query") != std::string::npos) {
      auto from = q + 9;
      out.query[op].insert(line.substr(from, line.find(',', from) - from));
    } else if (in_ok && line.find("application/json: {schema: {$ref: '#/components/schemas/") !=
                            std::string::npos) {
      auto from = line.find("schemas/") + 8;
      out.ok_schema[op] = line.substr(from, line.find('\'', from) - from);
    } else if (auto pos = line.find("x-ivrcast-access: "); pos != std::string::npos) {
      out.access.insert(op + " " + line.substr(pos + 18));
    } else if (auto ref = line.find("application/json: {schema: {$ref: '#/components/schemas/");
               ref != std::string::npos && line.starts_with("          ") && in_request) {
      auto from = line.find("schemas/") + 8;
      auto name = line.substr(from, line.find('\'', from) - from);
      if (name == "Error")
        continue;  // a response's body, not the request's
      std::string fields;
      for (const auto& f : schemas[name])
        fields += (fields.empty() ? "" : ",") + f;
      out.bodies[op] = "json:" + fields;
    } else if (line.find("audio/wav: {schema:") != std::string::npos &&
               line.starts_with("          ")) {
      out.bodies[op] = "audio/wav";
    }
  }
  return out;
}

TEST(OpenApiTest, DocumentsEveryServedRouteWithItsAccessRule) {
  auto doc = read_openapi();
  std::set<std::string> served;
  for (const auto& r : control::api::routes())
    served.insert(r.method + " " + r.pattern + " " + access_name(r.need));
  EXPECT_EQ(doc.access, served);
  EXPECT_EQ(served.size(), control::api::routes().size()) << "a route is registered twice";
}

/// Each route's documented request body is what the route checks: none, audio/wav, or a JSON
/// schema whose top-level properties are the route's fields.
TEST(OpenApiTest, DocumentsEveryRequestBodyAsTheRouteChecksIt) {
  auto doc = read_openapi();
  for (const auto& r : control::api::routes()) {
    if (r.method == "GET")
      continue;
    std::string want = "none";
    if (r.body == control::body_kind::wav) {
      want = "audio/wav";
    } else if (r.body == control::body_kind::json) {
      std::set<std::string> top;
      for (const auto& f : r.fields)
        top.insert(f.substr(0, std::min(f.find('.'), f.find('['))));
      want = "json:";
      for (const auto& f : top)
        want += (want.size() == 5 ? "" : ",") + f;
    }
    EXPECT_EQ(doc.bodies[r.method + " " + r.pattern], want) << r.method << " " << r.pattern;
  }
}

/// Each route's documented query parameters are exactly those it takes (the API refuses any
/// other), and the delivery log's and call counts' answers have their schemas.
TEST(OpenApiTest, DocumentsEveryQueryParameterAndTheReportSchemas) {
  auto doc = read_openapi();
  for (const auto& r : control::api::routes()) {
    auto op = r.method + " " + r.pattern;
    std::set<std::string> taken{r.query.begin(), r.query.end()};
    EXPECT_EQ(doc.query[op], taken) << op;
  }
  for (const auto* op : {"GET /v1/delivery-log", "GET /v1/call-counts", "GET /v1/usage"}) {
    EXPECT_FALSE(doc.ok_schema[op].empty()) << op << ": no schema for its 200";
    EXPECT_TRUE(doc.schemas.contains(doc.ok_schema[op])) << op << ": " << doc.ok_schema[op];
  }
}

}  // namespace
}  // namespace ivrcast
