// Change records of DynamoDB Streams decoded into models: a Lambda event (the shape AWS documents), a GetRecords
// answer, a Lambda event of a Kinesis data stream, single records; typed keys and images; bad images and other
// tables reported with the record's position.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <dynantic/dynantic.hpp>

namespace test_stream {
namespace dy = dynantic;

struct User {
  std::string user_id{};
  std::string name{};
  dy::decimal balance{};
  std::set<std::string> tags{};
};
DYNANTIC_MODEL(User, "users", key(user_id), field(name), field(balance, ge(0)), field(tags))

struct Entity {
  std::string pk{};
  std::string sk{};
  std::string type{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), sort_key(sk), discriminator(type))
struct Customer {
  std::string pk{};
  std::string sk{};
  std::string name{};
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name))
struct Order {
  std::string pk{};
  std::string sk{};
  dy::decimal total{};
};
DYNANTIC_SUBTYPE(Order, Entity, "ORDER", key(pk), sort_key(sk), field(total))
DYNANTIC_SUBTYPES(Entity, Customer, Order)

std::string event_file() {
  std::ifstream in(DYNANTIC_SOURCE_DIR "/examples/data/lambda_event.json");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(stream, a_lambda_event_decodes_into_typed_changes_of_the_models_table) {
  auto records = dy::parse_stream_records(event_file());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].table, "users");
  EXPECT_EQ(records[3].table, "orders");
  EXPECT_EQ(records[0].sequence_number, "4421584500000000017450439091");
  EXPECT_EQ(records[0].size_bytes, 59);
  EXPECT_EQ(records[0].view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_EQ(records[0].event_id, "c4ca4238a0b923820dcc509a6f75849b");
  EXPECT_EQ(dy::format_timestamp(*records[0].approximate_creation), "2024-05-01T10:34:56Z");
  EXPECT_FALSE(records[1].by_ttl);
  EXPECT_TRUE(records[2].by_ttl);  // removed by TTL: userIdentity Service dynamodb.amazonaws.com
  EXPECT_EQ(records[2].position, "Records[2]");

  auto changes = dy::decode_changes<User>(records);
  ASSERT_EQ(changes.size(), 3u);  // the orders record is skipped
  EXPECT_EQ(changes[0].kind, dy::change_kind::insert);
  EXPECT_EQ(changes[0].key, "u-1");
  EXPECT_FALSE(changes[0].old_image.has_value());
  ASSERT_TRUE(changes[0].new_image.has_value());
  EXPECT_EQ(changes[0].new_image->balance, dy::decimal("10.5"));
  EXPECT_EQ(changes[1].kind, dy::change_kind::modify);
  EXPECT_EQ(changes[1].old_image->tags, (std::set<std::string>{"beta"}));
  EXPECT_EQ(changes[1].new_image->tags, (std::set<std::string>{"beta", "vip"}));
  EXPECT_EQ(changes[2].kind, dy::change_kind::remove);
  EXPECT_FALSE(changes[2].new_image.has_value());
  EXPECT_EQ(changes[2].old_image->balance, dy::decimal("25"));
  EXPECT_TRUE(changes[2].record.by_ttl);

  // records of another table: reported on request, decoded with another table name, or with any_table
  EXPECT_THROW(dy::decode_changes<User>(records, {.table = {}, .report_other_tables = true, .any_table = false}),
               dy::validation_error);
  // asked to read the orders table's records as Users: its key does not fit, and that is an error, not a skip
  EXPECT_THROW(dy::decode_changes<User>(records, {.table = "orders", .report_other_tables = false, .any_table = false}),
               dy::validation_error);
}

TEST(stream, an_image_that_does_not_fit_the_model_names_the_record_and_the_member) {
  std::string doc = R"({"Records":[
    {"eventName":"INSERT","eventSourceARN":"arn:aws:dynamodb:eu-west-1:1:table/users/stream/x",
     "dynamodb":{"Keys":{"user_id":{"S":"a"}},"NewImage":{"user_id":{"S":"a"},"name":{"S":"A"},"balance":{"N":"1"}}}},
    {"eventName":"MODIFY","eventSourceARN":"arn:aws:dynamodb:eu-west-1:1:table/users/stream/x",
     "dynamodb":{"Keys":{"user_id":{"S":"b"}},"NewImage":{"user_id":{"S":"b"},"name":{"N":"7"},"balance":{"N":"-1"}}}}]})";
  try {
    dy::decode_changes<User>(doc);
    FAIL() << "the second record's new image is not a User";
  } catch (const dy::validation_error& e) {
    ASSERT_EQ(e.issues().size(), 2u) << e.what();
    EXPECT_EQ(e.issues()[0].path, "Records[1].dynamodb.NewImage.name");
    EXPECT_EQ(e.issues()[1].path, "Records[1].dynamodb.NewImage.balance");
  }
  try {
    dy::decode_changes<User>(
        R"({"eventName":"REMOVE","eventSourceARN":"arn:aws:dynamodb:r:1:table/users/stream/x","dynamodb":{"Keys":{"user_id":{"N":"1"}}}})");
    FAIL() << "a numeric key is not a User's key";
  } catch (const dy::validation_error& e) {
    EXPECT_EQ(e.issues().at(0).path.rfind("dynamodb.Keys", 0), 0u) << e.what();
  }
}

TEST(stream, malformed_records_are_decode_errors_with_their_position) {
  EXPECT_THROW(dy::parse_stream_records("not json"), dy::decode_error);
  try {
    dy::parse_stream_records(
        R"({"Records":[{"eventName":"INSERT","dynamodb":{"Keys":{"a":{"S":"x"}}}},{"eventName":"UPSERT","dynamodb":{}}]})");
    FAIL();
  } catch (const dy::decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("Records[1]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("UPSERT"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dy::parse_stream_records(R"({"Records":[{"eventName":"INSERT","dynamodb":{}}]})"), dy::decode_error);
  EXPECT_THROW(dy::parse_stream_records(R"({"eventName":"INSERT","dynamodb":{"Keys":{"a":{"N":"1e999"}}}})"),
               dy::decode_error);  // an image DynamoDB could not have written
}

TEST(stream, a_kinesis_event_carries_change_records_in_base64_with_milliseconds) {
  std::string change =
      R"({"awsRegion":"eu-west-1","eventID":"e1","eventName":"MODIFY","userIdentity":null,)"
      R"("recordFormat":"application/json","tableName":"users","eventSource":"aws:dynamodb",)"
      R"("dynamodb":{"ApproximateCreationDateTime":1714559696123,)"
      R"("ApproximateCreationDateTimePrecision":"MILLISECOND","SizeBytes":40,)"
      R"("Keys":{"user_id":{"S":"k"}},"NewImage":{"user_id":{"S":"k"},"name":{"S":"K"},)"
      R"("balance":{"N":"2"}},"OldImage":{"user_id":{"S":"k"},"name":{"S":"K"},"balance":{"N":"1"}}}})";
  std::string event = R"({"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"p","sequenceNumber":"1",)"
                      R"("data":")" +
                      dy::codec::base64_encode(change) +
                      R"(","approximateArrivalTimestamp":1714559696.2},"eventSource":"aws:kinesis",)"
                      R"("eventSourceARN":"arn:aws:kinesis:eu-west-1:1:stream/users-changes"}]})";
  auto changes = dy::decode_changes<User>(event);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, dy::change_kind::modify);
  EXPECT_EQ(changes[0].key, "k");
  EXPECT_EQ(changes[0].old_image->balance, dy::decimal(1));
  EXPECT_EQ(changes[0].new_image->balance, dy::decimal(2));
  EXPECT_EQ(dy::format_timestamp(*changes[0].record.approximate_creation), "2024-05-01T10:34:56.123000Z");
  EXPECT_EQ(changes[0].record.sequence_number, "");
}

TEST(stream, a_get_records_answer_and_a_single_record_read_alike) {
  std::string one =
      R"({"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",)"
      R"("awsRegion":"ddblocal","dynamodb":{"ApproximateCreationDateTime":1.7145596E9,)"
      R"("Keys":{"user_id":{"S":"z"}},"NewImage":{"user_id":{"S":"z"},"name":{"S":"Z"},"balance":{"N":"0"}},)"
      R"("SequenceNumber":"000000000000000000001","SizeBytes":20,"StreamViewType":"NEW_AND_OLD_IMAGES"}})";
  auto from_answer = dy::parse_stream_records(R"({"Records":[)" + one + R"(],"NextShardIterator":"it"})");
  auto single = dy::parse_stream_records(one);
  ASSERT_EQ(from_answer.size(), 1u);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(from_answer[0].keys, single[0].keys);
  EXPECT_EQ(*from_answer[0].new_image, *single[0].new_image);
  EXPECT_EQ(single[0].table, "");  // no ARN in a bare GetRecords record: decode with any_table
  auto c = dy::decode_changes<User>(single, {.table = {}, .report_other_tables = false, .any_table = true});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].new_image->name, "Z");
}

TEST(stream, a_single_table_base_decodes_each_image_into_its_subtype) {
  std::string doc = R"({"Records":[
    {"eventName":"INSERT","eventSourceARN":"arn:aws:dynamodb:r:1:table/app/stream/x","dynamodb":{
      "Keys":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},
      "NewImage":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"},"type":{"S":"CUSTOMER"},"name":{"S":"Ada"}}}},
    {"eventName":"REMOVE","eventSourceARN":"arn:aws:dynamodb:r:1:table/app/stream/x","dynamodb":{
      "Keys":{"pk":{"S":"C#1"},"sk":{"S":"ORDER#1"}},
      "OldImage":{"pk":{"S":"C#1"},"sk":{"S":"ORDER#1"},"type":{"S":"ORDER"},"total":{"N":"9.9"}}}},
    {"eventName":"INSERT","eventSourceARN":"arn:aws:dynamodb:r:1:table/app/stream/x","dynamodb":{
      "Keys":{"pk":{"S":"C#1"},"sk":{"S":"X"}},
      "NewImage":{"pk":{"S":"C#1"},"sk":{"S":"X"},"type":{"S":"INVOICE"}}}}]})";
  auto records = dy::parse_stream_records(doc);
  auto first_two = std::vector<dy::stream_record>(records.begin(), records.begin() + 2);
  auto changes = dy::decode_changes<Entity>(first_two);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].key, (std::pair<std::string, std::string>("C#1", "PROFILE")));
  ASSERT_TRUE(std::holds_alternative<Customer>(*changes[0].new_image));
  EXPECT_EQ(std::get<Customer>(*changes[0].new_image).name, "Ada");
  ASSERT_TRUE(std::holds_alternative<Order>(*changes[1].old_image));
  EXPECT_EQ(std::get<Order>(*changes[1].old_image).total, dy::decimal("9.9"));
  EXPECT_THROW(dy::decode_changes<Entity>(records), dy::unknown_discriminator);  // INVOICE is no subtype
}

}  // namespace test_stream
