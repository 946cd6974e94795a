// The HTTP server's own route table: path parameters, literal routes before parameters, JSON
// 404/405 for what no route takes, and requests counted by route.

#include <gtest/gtest.h>

#include <httplib.h>

#include "connectors/http/server.hpp"
#include "metrics/registry.hpp"

namespace ivrcast::connectors::http {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto echo = [](const request& r) {
      response out;
      out.content_type = "text/plain";
      out.body = r.param("id") + "|" + r.param("item");
      return out;
    };
    server_options opts;
    opts.listen = "127.0.0.1:0";
    opts.threads = 2;
    auto s = server::start(opts, {{"GET", "/v1/things/{id}/items/{item}", echo},
                                  {"GET", "/v1/things", echo},
                                  {"DELETE", "/v1/things/{id}/items/{item}", echo}});
    ASSERT_TRUE(s);
    server_ = std::move(*s);
  }

  httplib::Result get(const std::string& path) {
    httplib::Client c{"127.0.0.1", server_->port()};
    return c.Get(path);
  }

  std::unique_ptr<server> server_;
};

TEST_F(HttpServerTest, PathParametersAreNamedAndDecoded) {
  auto r = get("/v1/things/a%20b/items/%2B8150");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "a b|+8150");
  r = get("/v1/things");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "|");
}

TEST_F(HttpServerTest, AnEmptyOrExtraSegmentIsNoRoute) {
  for (auto path : {"/v1/things//items/x", "/v1/things/a/items/x/", "/v1/things/a/items",
                    "/v1/thing/a/items/x", "/v1"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_NE(r->body.find("\"code\":\"not_found\""), std::string::npos) << path << r->body;
  }
}

TEST_F(HttpServerTest, AKnownPathWithAnotherMethodIs405) {
  httplib::Client c{"127.0.0.1", server_->port()};
  auto r = c.Post("/v1/things/a/items/b", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_NE(r->body.find("\"code\":\"method_not_allowed\""), std::string::npos) << r->body;
  r = c.Delete("/v1/things/a/items/b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerRoutes, ALiteralRouteWinsOverAParameterOneWhateverTheOrderAndIsCounted) {
  auto answer = [](std::string body) {
    return [body](const request& r) {
      response out;
      out.content_type = "text/plain";
      out.body = body + r.param("code");
      return out;
    };
  };
  metrics::registry m;
  server_options opts;
  opts.listen = "127.0.0.1:0";
  opts.threads = 2;
  opts.metrics = &m;
  // The short-link route first, as a route table may list it.
  auto s = server::start(opts, {{"GET", "/{code}", answer("link:")},
                                {"GET", "/metrics", answer("metrics")},
                                {"GET", "/readyz", answer("ready")}});
  ASSERT_TRUE(s);
  httplib::Client c{"127.0.0.1", (*s)->port()};
  for (auto [path, body] : {std::pair{"/metrics", "metrics"}, std::pair{"/readyz", "ready"},
                            std::pair{"/Ab3dE6gH", "link:Ab3dE6gH"}}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, body) << path;
  }
  ASSERT_TRUE(c.Get("/no/such/path"));
  auto text = m.text();
  for (const char* line :
       {"ivrcast_http_requests_total{code=\"200\",method=\"GET\",route=\"/metrics\"} 1",
        "ivrcast_http_requests_total{code=\"200\",method=\"GET\",route=\"/{code}\"} 1",
        "ivrcast_http_requests_total{code=\"404\",method=\"GET\",route=\"other\"} 1"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
}

TEST(HttpServerStart, AServerThatCannotStartNamesWhyAndTheProcessGoesOn) {
  // A port another server holds: a node started beside another, or beside a client that was
  // given that port as its own.
  server_options first;
  first.listen = "127.0.0.1:0";
  auto holder = server::start(first, {});
  ASSERT_TRUE(holder);
  const auto taken = "127.0.0.1:" + std::to_string((*holder)->port());
  struct row {
    std::string listen, web_root, key, says;
  };
  for (const auto& r : std::vector<row>{
           {taken, "", "http.listen", "cannot listen on " + taken},
           {"127.0.0.1", "", "http.listen", "must be host:port"},
           {"example.com:80", "", "http.listen", "not an IP address"},
           {"127.0.0.1:0", "/no/such/directory", "http.web_root", "not a readable directory"},
       }) {
    server_options opts;
    opts.listen = r.listen;
    opts.web_root = r.web_root;
    auto s = server::start(opts, {});
    ASSERT_FALSE(s) << r.listen;
    auto text = caf::to_string(s.error());
    EXPECT_NE(text.find(r.key), std::string::npos) << text;
    EXPECT_NE(text.find(r.says), std::string::npos) << text;
  }
  // The server already listening still answers.
  httplib::Client c{"127.0.0.1", (*holder)->port()};
  auto got = c.Get("/anything");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 404);
}

}  // namespace
}  // namespace ivrcast::connectors::http
