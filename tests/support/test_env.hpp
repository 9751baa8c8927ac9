#pragma once
// Integration-test environment: the endpoint (DYNANTIC_TEST_ENDPOINT, default http://127.0.0.1:8000),
// clients, unique table names and tables that delete themselves.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include <dynantic/dynantic.hpp>

namespace dynantic::testing {

inline std::string test_endpoint() {
  const char* e = std::getenv("DYNANTIC_TEST_ENDPOINT");
  return e && *e ? e : "http://127.0.0.1:8000";
}

/// The server must answer when the run asked for one (scripts/test, CI, or an explicit endpoint).
inline bool server_required() {
  return std::getenv("DYNANTIC_REQUIRE_SERVER") || std::getenv("CI") || std::getenv("DYNANTIC_TEST_ENDPOINT");
}

inline client_options test_options(std::string endpoint = test_endpoint()) {
  client_options o;
  o.endpoint = std::move(endpoint);
  o.region = std::getenv("AWS_REGION") ? std::getenv("AWS_REGION") : "us-east-1";
  const char* k = std::getenv("AWS_ACCESS_KEY_ID");
  const char* s = std::getenv("AWS_SECRET_ACCESS_KEY");
  o.credentials = credentials{k ? k : "local", s ? s : "local",
                              std::getenv("AWS_SESSION_TOKEN") ? std::getenv("AWS_SESSION_TOKEN") : ""};
  // Generous limits: on a loaded 2-core machine DynamoDB Local may take seconds to accept or answer (a 200,000-
  // item load beside other tests); a limit reached there is a false failure, not a finding.
  o.connect_timeout = std::chrono::milliseconds(10000);
  o.request_timeout = std::chrono::milliseconds(60000);
  return o;
}

inline client test_client() { return client(test_options()); }

inline bool server_reachable() {
  try {
    auto o = test_options();
    o.retry.max_attempts = 1;
    ops::list_tables(client(o), {.limit = 1});
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

inline std::string unique_name(const std::string& prefix) {
  static std::mt19937_64 gen{std::random_device{}()};
  return "dy-" + prefix + "-" + std::to_string(gen() % 1'000'000'000ULL);
}

/// A table with a string partition key "pk" and string sort key "sk" (or only "pk"), deleted at scope end.
class scratch_table {
 public:
  explicit scratch_table(client c, std::string prefix = "t", bool with_sort_key = true)
      : c_(std::move(c)), name_(unique_name(prefix)) {
    ops::create_table_request r;
    r.table_name = name_;
    r.attribute_definitions.push_back({"pk", ops::scalar_type::s});
    r.key_schema.push_back({"pk", ops::key_type::hash});
    if (with_sort_key) {
      r.attribute_definitions.push_back({"sk", ops::scalar_type::s});
      r.key_schema.push_back({"sk", ops::key_type::range});
    }
    ops::create_table(c_, r);
    wait_until_active(c_, name_);  // CREATING for a while on AWS
  }
  ~scratch_table() {
    try {
      ops::delete_table(c_, name_);
    } catch (...) {
    }
  }
  scratch_table(const scratch_table&) = delete;
  scratch_table& operator=(const scratch_table&) = delete;
  const std::string& name() const { return name_; }

 private:
  client c_;
  std::string name_;
};

}  // namespace dynantic::testing

/// First line of every integration test: fails (under scripts/test and CI) or skips (a bare ctest with
/// no server) when DynamoDB Local does not answer.
#define DYNANTIC_REQUIRE_SERVER()                                                                   \
  do {                                                                                              \
    static const bool reachable = ::dynantic::testing::server_reachable();                          \
    if (!reachable) {                                                                               \
      if (::dynantic::testing::server_required()) {                                                 \
        FAIL() << "DynamoDB Local does not answer at " << ::dynantic::testing::test_endpoint();     \
      }                                                                                             \
      GTEST_SKIP() << "no DynamoDB at " << ::dynantic::testing::test_endpoint()                     \
                   << "; run scripts/test, or start DynamoDB Local and set DYNANTIC_TEST_ENDPOINT"; \
    }                                                                                               \
  } while (0)
