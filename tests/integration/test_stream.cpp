// A table's stream read from DynamoDB Local (DescribeStream, GetShardIterator, GetRecords on the Streams API)
// and its records decoded into the model.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_stream_it {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Account {
  std::string id{};
  dy::decimal balance{};
  std::optional<std::string> owner{};
};
DYNANTIC_MODEL(Account, "accounts", key(id), field(balance), field(owner))

TEST(stream, a_tables_changes_are_read_in_order_and_decoded) {
  DYNANTIC_REQUIRE_SERVER();
  dy::client c(test_options());
  auto so = test_options();
  so.api = dy::api::streams;
  dy::client streams(so);
  dy::table<Account> t(c, unique_name("stream"));
  dy::table_options o;
  o.stream_view_type = "NEW_AND_OLD_IMAGES";
  t.create_table(o);
  const std::string arn = dy::stream_arn_of(c, t.name());
  EXPECT_NE(arn.find(":table/" + t.name() + "/stream/"), std::string::npos) << arn;

  dy::stream_reader reader(streams, arn);
  t.save(Account{.id = "a", .balance = dy::decimal("1.50"), .owner = "ada"});
  t.update("a").add(&Account::balance, dy::decimal("2")).remove(&Account::owner).execute();
  t.delete_item("a");

  std::vector<dy::stream_record> records;
  for (int i = 0; i < 100 && records.size() < 3; ++i) {  // the changes appear within moments
    auto more = reader.poll();
    records.insert(records.end(), more.begin(), more.end());
    if (records.size() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(records.size(), 3u);
  auto changes =
      dy::decode_changes<Account>(records, {.table = t.name(), .report_other_tables = true, .any_table = false});
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].kind, dy::change_kind::insert);
  EXPECT_EQ(changes[0].key, "a");
  EXPECT_EQ(changes[0].new_image->owner, "ada");
  EXPECT_FALSE(changes[0].old_image.has_value());
  EXPECT_EQ(changes[1].kind, dy::change_kind::modify);
  EXPECT_EQ(changes[1].old_image->balance, dy::decimal("1.5"));
  EXPECT_EQ(changes[1].new_image->balance, dy::decimal("3.5"));
  EXPECT_FALSE(changes[1].new_image->owner.has_value());
  EXPECT_EQ(changes[2].kind, dy::change_kind::remove);
  EXPECT_EQ(changes[2].old_image->balance, dy::decimal("3.5"));
  EXPECT_FALSE(changes[2].new_image.has_value());
  EXPECT_LT(changes[0].record.sequence_number, changes[1].record.sequence_number);
  EXPECT_EQ(changes[0].record.view_type, "NEW_AND_OLD_IMAGES");
  EXPECT_TRUE(reader.poll().empty());  // nothing new

  t.save(Account{.id = "b", .balance = dy::decimal("0"), .owner = {}});
  std::vector<dy::stream_record> later;
  for (int i = 0; i < 100 && later.empty(); ++i) {
    later = reader.poll();
    if (later.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(later.size(), 1u);  // only what came after the last poll
  EXPECT_EQ(dy::decode_changes<Account>(later, {.table = t.name(), .report_other_tables = false, .any_table = false})
                .at(0)
                .key,
            "b");
  t.delete_table();
}

TEST(stream, a_table_without_a_stream_is_named_in_the_error) {
  DYNANTIC_REQUIRE_SERVER();
  dy::client c(test_options());
  dy::table<Account> t(c, unique_name("nostream"));
  t.create_table();
  try {
    dy::stream_arn_of(c, t.name());
    FAIL() << "the table has no stream";
  } catch (const dy::validation_error& e) {
    EXPECT_NE(std::string(e.what()).find(t.name()), std::string::npos) << e.what();
  }
  t.delete_table();
}

}  // namespace test_stream_it
