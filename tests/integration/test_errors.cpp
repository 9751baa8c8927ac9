// Error mapping against the real server: missing table, failed conditions, server-side validation,
// and an endpoint where nothing listens.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_errors {
using namespace dynantic;
using namespace dynantic::testing;

TEST(errors, missing_table) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  try {
    ops::get_item(c, {.table_name = "dy-no-such-table", .key = {{"pk", "a"}}});
    FAIL();
  } catch (const table_not_found& e) {
    EXPECT_EQ(e.code(), "ResourceNotFoundException");
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_FALSE(e.request_id().empty());
    EXPECT_EQ(e.attempts(), 1);                // not retried
    EXPECT_EQ(e.endpoint(), test_endpoint());  // which server said so: in what() too
    EXPECT_NE(std::string(e.what()).find(", endpoint " + test_endpoint() + ")"), std::string::npos) << e.what();
  }
}

TEST(errors, failed_condition_carries_the_old_item) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c);
  ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "a"}, {"sk", "1"}, {"v", 7}}});
  try {
    ops::put_item(c, {.table_name = t.name(),
                      .item = {{"pk", "a"}, {"sk", "1"}, {"v", 8}},
                      .condition_expression = "attribute_not_exists(pk)",
                      .return_old_on_condition_failure = true});
    FAIL();
  } catch (const conditional_check_failed& e) {
    ASSERT_TRUE(e.old_item());
    EXPECT_EQ(e.old_item()->at("v").as_number_text(), "7");
  }
  try {
    ops::delete_item(c, {.table_name = t.name(),
                         .key = {{"pk", "a"}, {"sk", "1"}},
                         .condition_expression = "v > :x",
                         .expression_attribute_values = {{":x", 100}}});
    FAIL();
  } catch (const conditional_check_failed& e) {
    EXPECT_FALSE(e.old_item());  // not asked for
  }
}

TEST(errors, server_validation) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c);
  // key of the wrong type
  EXPECT_THROW(ops::get_item(c, {.table_name = t.name(), .key = {{"pk", 1}, {"sk", "x"}}}), server_validation_error);
  // missing sort key
  EXPECT_THROW(ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "a"}}}), server_validation_error);
  // a malformed expression
  try {
    ops::update_item(c, {.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}, .update_expression = "SET = 1"});
    FAIL();
  } catch (const server_validation_error& e) {
    EXPECT_EQ(e.code(), "ValidationException");
    EXPECT_FALSE(e.aws_message().empty());
  }
}

TEST(errors, nothing_listening_is_a_transport_error) {
  // A port nobody listens on (bound and closed right away).
  auto o = test_options("http://127.0.0.1:1");
  o.retry.max_attempts = 2;
  o.retry.base_delay = std::chrono::milliseconds(1);
  try {
    ops::list_tables(client(o));
    FAIL();
  } catch (const transport_error& e) {
    EXPECT_EQ(e.failure(), transport_error::kind::connect);
    EXPECT_EQ(e.attempts(), 2);
  }
}

}  // namespace test_errors
