// The HTTP server's own route table: path parameters, and JSON 404/405 for what no route takes.

#include <gtest/gtest.h>

#include <httplib.h>

#include "connectors/http/server.hpp"

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

}  // namespace
}  // namespace ivrcast::connectors::http
