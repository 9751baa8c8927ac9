// Golden request bodies of the low-level operations and parsing of their answers, through a scripted
// transport (no server). The bodies are what DynamoDB's API reference specifies, byte for byte.
#include <gtest/gtest.h>

#include <dynantic/error.hpp>
#include <dynantic/ops/operations.hpp>

#include "scripted_transport.hpp"

namespace test_requests {
using namespace dynantic;
using namespace dynantic::testing;

struct capture {
  scripted_transport* t = nullptr;
  std::string answer = "{}";
  client c = scripted_client([this](const recorded_request&, std::size_t) { return ok(answer); }, t);
  const recorded_request& last() const { return t->requests.back(); }
};

TEST(requests, put_item) {
  capture cap;
  ops::put_item_request r;
  r.table_name = "users";
  r.item = {{"pk", "u-1"}, {"n", 5}};
  r.condition_expression = "attribute_not_exists(#k)";
  r.expression_attribute_names = {{"#k", "pk"}};
  r.return_old_on_condition_failure = true;
  ops::put_item(cap.c, r);
  EXPECT_EQ(cap.last().header("X-Amz-Target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(cap.last().header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(cap.last().header("Date"), "");  // never a Date header
  EXPECT_EQ(cap.last().body, R"({"TableName":"users","Item":{"n":{"N":"5"},"pk":{"S":"u-1"}},"ConditionExpression":)"
                             R"j("attribute_not_exists(#k)","ExpressionAttributeNames":{"#k":"pk"},)j"
                             R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD"})");
}

TEST(requests, put_item_pre_encoded) {
  capture cap;
  ops::put_item_request r;
  r.table_name = "users";
  r.item_json = R"({"pk":{"S":"u-1"}})";
  r.item = {{"ignored", 1}};
  ops::put_item(cap.c, r);
  EXPECT_EQ(cap.last().body, R"({"TableName":"users","Item":{"pk":{"S":"u-1"}}})");
}

TEST(requests, get_item_and_answer) {
  capture cap;
  cap.answer = R"({"Item":{"pk":{"S":"u-1"},"v":{"N":"1.50"}}})";
  auto res = ops::get_item(cap.c, {.table_name = "tbl", .key = {{"pk", "u-1"}}, .consistent_read = true});
  EXPECT_EQ(cap.last().body, R"({"TableName":"tbl","Key":{"pk":{"S":"u-1"}},"ConsistentRead":true})");
  ASSERT_TRUE(res.item);
  EXPECT_EQ(res.item->at("v").as_number_text(), "1.50");
  cap.answer = "{}";
  EXPECT_FALSE(ops::get_item(cap.c, {.table_name = "tbl", .key = {{"pk", "nope"}}}).item);
}

TEST(requests, update_item) {
  capture cap;
  cap.answer = R"({"Attributes":{"n":{"N":"6"}}})";
  ops::update_item_request r;
  r.table_name = "tbl";
  r.key = {{"pk", "a"}};
  r.update_expression = "ADD #n :one";
  r.expression_attribute_names = {{"#n", "n"}};
  r.expression_attribute_values = {{":one", 1}};
  r.return_values = ops::return_values::updated_new;
  auto res = ops::update_item(cap.c, r);
  EXPECT_EQ(cap.last().body, R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"ADD #n :one",)"
                             R"("ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":one":{"N":"1"}},)"
                             R"("ReturnValues":"UPDATED_NEW"})");
  ASSERT_TRUE(res.attributes);
  EXPECT_EQ(res.attributes->at("n").as_number_text(), "6");
}

TEST(requests, query_page) {
  capture cap;
  cap.answer = R"({"Items":[{"pk":{"S":"a"},"sk":{"S":"1"}}],"Count":1,"ScannedCount":3,)"
               R"("LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"S":"1"}}})";
  ops::query_request r;
  r.table_name = "tbl";
  r.index_name = "by_x";
  r.key_condition_expression = "#p = :p";
  r.expression_attribute_names = {{"#p", "pk"}};
  r.expression_attribute_values = {{":p", "a"}};
  r.limit = 10;
  r.scan_index_forward = false;
  r.exclusive_start_key = item{{"pk", "a"}, {"sk", "0"}};
  r.select = ops::select::all_projected_attributes;
  auto page = ops::query(cap.c, r);
  EXPECT_EQ(cap.last().body,
            R"({"TableName":"tbl","IndexName":"by_x","KeyConditionExpression":"#p = :p",)"
            R"("ExpressionAttributeNames":{"#p":"pk"},"ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":10,)"
            R"("ScanIndexForward":false,"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"S":"0"}},)"
            R"("Select":"ALL_PROJECTED_ATTRIBUTES"})");
  EXPECT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.count, 1);
  EXPECT_EQ(page.scanned_count, 3);
  ASSERT_TRUE(page.last_evaluated_key);
}

TEST(requests, scan_segment) {
  capture cap;
  cap.answer = R"({"Items":[],"Count":0,"ScannedCount":0})";
  auto page = ops::scan(cap.c, {.table_name = "tbl", .limit = 5, .segment = 1, .total_segments = 4});
  EXPECT_EQ(cap.last().body, R"({"TableName":"tbl","Limit":5,"Segment":1,"TotalSegments":4})");
  EXPECT_FALSE(page.last_evaluated_key);
}

TEST(requests, batch_write_and_unprocessed) {
  capture cap;
  cap.answer = R"({"UnprocessedItems":{"t":[{"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}})";
  ops::batch_write_item_request r;
  r.request_items["t"] = {ops::write_request::put({{"pk", "a"}}), ops::write_request::delete_key({{"pk", "b"}})};
  auto res = ops::batch_write_item(cap.c, r);
  EXPECT_EQ(
      cap.last().body,
      R"({"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}})");
  ASSERT_EQ(res.unprocessed_items["t"].size(), 1u);
  EXPECT_EQ(res.unprocessed_items["t"][0], ops::write_request::delete_key({{"pk", "b"}}));
}

TEST(requests, batch_get_and_unprocessed) {
  capture cap;
  cap.answer = R"({"Responses":{"t":[{"pk":{"S":"a"}}]},"UnprocessedKeys":{"t":{"Keys":[{"pk":{"S":"b"}}],)"
               R"("ConsistentRead":true}}})";
  ops::batch_get_item_request r;
  r.request_items["t"].keys = {{{"pk", "a"}}, {{"pk", "b"}}};
  r.request_items["t"].consistent_read = true;
  auto res = ops::batch_get_item(cap.c, r);
  EXPECT_EQ(cap.last().body,
            R"({"RequestItems":{"t":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"ConsistentRead":true}}})");
  EXPECT_EQ(res.responses["t"].size(), 1u);
  ASSERT_EQ(res.unprocessed_keys["t"].keys.size(), 1u);
  EXPECT_TRUE(res.unprocessed_keys["t"].consistent_read);
}

TEST(requests, transact_write_with_token) {
  capture cap;
  ops::transact_write_items_request r;
  r.client_request_token = "tok-1";
  r.items.push_back({.type = ops::transact_write::kind::put, .table_name = "tba", .data = {{"pk", "1"}}});
  r.items.push_back({.type = ops::transact_write::kind::condition_check,
                     .table_name = "tbb",
                     .data = {{"pk", "2"}},
                     .condition_expression = "attribute_exists(#p)",
                     .expression_attribute_names = {{"#p", "pk"}}});
  ops::transact_write_items(cap.c, r);
  EXPECT_EQ(
      cap.last().body,
      R"({"TransactItems":[{"Put":{"TableName":"tba","Item":{"pk":{"S":"1"}}}},{"ConditionCheck":{"TableName":"tbb",)"
      R"j("Key":{"pk":{"S":"2"}},"ConditionExpression":"attribute_exists(#p)","ExpressionAttributeNames":)j"
      R"({"#p":"pk"}}}],"ClientRequestToken":"tok-1"})");
}

TEST(requests, create_table) {
  capture cap;
  cap.answer = R"({"TableDescription":{"TableName":"tbl","TableStatus":"CREATING","KeySchema":[{"AttributeName":"pk",)"
               R"("KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],)"
               R"("BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"}}})";
  ops::create_table_request r;
  r.table_name = "tbl";
  r.attribute_definitions = {{"pk", ops::scalar_type::s}, {"g", ops::scalar_type::n}};
  r.key_schema = {{"pk", ops::key_type::hash}};
  r.global_secondary_indexes.push_back(
      {"by_g", {{"g", ops::key_type::hash}}, {ops::projection::kind::include, {"a", "b"}}, std::nullopt, ""});
  auto d = ops::create_table(cap.c, r);
  EXPECT_EQ(
      cap.last().body,
      R"({"TableName":"tbl","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
      R"({"AttributeName":"g","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["a","b"]}}],"BillingMode":"PAY_PER_REQUEST"})");
  EXPECT_EQ(d.table_status, "CREATING");
  EXPECT_EQ(d.billing_mode, ops::billing_mode::pay_per_request);
  EXPECT_EQ(d.key_schema, (std::vector<ops::key_schema_element>{{"pk", ops::key_type::hash}}));
}

TEST(requests, invalid_item_is_rejected_before_sending) {
  capture cap;
  ops::put_item_request r;
  r.table_name = "tbl";
  r.item = {{"pk", "a"}, {"bad", attribute_value::string("\xff")}};
  EXPECT_THROW(ops::put_item(cap.c, r), validation_error);
  EXPECT_TRUE(cap.t->requests.empty());
  EXPECT_THROW(ops::put_item(cap.c, {.item = {{"pk", "a"}}}), validation_error);  // no table name
  EXPECT_TRUE(cap.t->requests.empty());
}

TEST(requests, error_bodies_map_to_typed_exceptions) {
  scripted_transport* t = nullptr;
  std::string code, extra;
  auto c = scripted_client([&](const recorded_request&, std::size_t) { return aws_error(400, code, extra); }, t);
  auto put = [&] { ops::put_item(c, {.table_name = "tbl", .item = {{"pk", "a"}}}); };

  code = "ConditionalCheckFailedException";
  extra = R"(,"Item":{"pk":{"S":"a"},"v":{"N":"7"}})";
  try {
    put();
    FAIL();
  } catch (const conditional_check_failed& e) {
    ASSERT_TRUE(e.old_item());
    EXPECT_EQ(e.old_item()->at("v").as_number_text(), "7");
    EXPECT_EQ(e.code(), "ConditionalCheckFailedException");
    EXPECT_EQ(e.aws_message(), "msg for ConditionalCheckFailedException");
    EXPECT_EQ(e.request_id(), "req-ConditionalCheckFailedException");
    EXPECT_EQ(e.endpoint(), "http://127.0.0.1:9");  // the scripted client's
  }
  extra.clear();
  code = "ResourceNotFoundException";
  EXPECT_THROW(put(), table_not_found);
  code = "ValidationException";
  EXPECT_THROW(put(), server_validation_error);
  code = "ItemCollectionSizeLimitExceededException";
  EXPECT_THROW(put(), item_collection_size_limit);
  code = "TransactionConflictException";
  EXPECT_THROW(put(), transaction_conflict);
  code = "SomethingNew";
  try {
    put();
    FAIL();
  } catch (const service_error& e) {
    EXPECT_EQ(e.code(), "SomethingNew");
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_FALSE(e.retryable());
  }
  code = "TransactionCanceledException";
  extra = R"(,"CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional )"
          R"(request failed","Item":{"pk":{"S":"b"}}}])";
  try {
    put();
    FAIL();
  } catch (const transaction_canceled& e) {
    ASSERT_EQ(e.reasons().size(), 2u);
    EXPECT_EQ(e.reasons()[0].code, "None");
    EXPECT_EQ(e.reasons()[1].index, 1u);
    EXPECT_EQ(e.reasons()[1].code, "ConditionalCheckFailed");
    ASSERT_TRUE(e.reasons()[1].old);
    EXPECT_EQ(e.reasons()[1].old->at("pk").as_string(), "b");
  }
}

TEST(requests, non_json_error_body_keeps_status_and_text) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t) {
        detail::http_response r;
        r.status = 403;
        r.body = "<html>Forbidden</html>";
        return r;
      },
      t);
  try {
    ops::list_tables(c);
    FAIL();
  } catch (const service_error& e) {
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_EQ(e.aws_message(), "<html>Forbidden</html>");
  }
}

TEST(requests, malformed_success_answer_is_a_decode_error) {
  capture cap;
  cap.answer = "{not json";
  EXPECT_THROW(ops::get_item(cap.c, {.table_name = "tbl", .key = {{"pk", "a"}}}), decode_error);
  cap.answer = R"({"Item":{"pk":{"Q":"a"}}})";
  EXPECT_THROW(ops::get_item(cap.c, {.table_name = "tbl", .key = {{"pk", "a"}}}), decode_error);
}

}  // namespace test_requests
