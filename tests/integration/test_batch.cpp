// The batch engine against DynamoDB Local (partial answers and throttling are covered in tests/unit/test_batch.cpp
// with a scripted server; DynamoDB Local never returns unprocessed items).
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_batch_live {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Reading {
  std::string sensor;
  std::int64_t seq = 0;
  double value = 0;
  dy::uuid id;
};
DYNANTIC_MODEL(Reading, "readings", key(sensor), sort_key(seq), field(value), field(id))

TEST(batch_live, save_get_delete_thousands_concurrently) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  dy::table<Reading> t(c, unique_name("batch"));
  t.create_table();
  std::vector<Reading> rs;
  for (int i = 0; i < 3000; ++i) rs.push_back({"s" + std::to_string(i % 7), i, i * 0.5, dy::uuid::v4()});
  std::size_t rounds = 0;
  dy::batch_options o;
  o.max_in_flight = 8;
  o.progress = [&](const dy::batch_progress& p) {
    ++rounds;
    EXPECT_LE(p.items_done, p.items_total);
  };
  auto saved = t.batch_save(rs, o);
  EXPECT_EQ(saved.size(), 3000u);
  EXPECT_GE(rounds, 1u);
  EXPECT_EQ(t.scan().count(), 3000);

  std::vector<dy::table<Reading>::key_type> keys;
  for (int i = 2990; i < 3010; ++i) keys.push_back({"s" + std::to_string(i % 7), i});
  keys.push_back(keys.front());  // asked twice, fetched once
  auto got = t.batch_get(keys);
  ASSERT_EQ(got.size(), keys.size());
  for (std::size_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(got[i]);
    EXPECT_EQ(got[i]->seq, 2990 + static_cast<std::int64_t>(i));
    EXPECT_EQ(got[i]->id, rs[2990 + i].id);
  }
  for (std::size_t i = 10; i < 20; ++i) EXPECT_FALSE(got[i]);
  EXPECT_EQ(got.back()->seq, 2990);

  std::vector<dy::table<Reading>::key_type> all;
  for (const auto& r : rs) all.push_back({r.sensor, r.seq});
  dy::batch_options seq;
  seq.max_in_flight = 1;
  t.batch_delete(all, seq);
  EXPECT_EQ(t.scan().count(), 0);
  t.delete_table();
}

}  // namespace test_batch_live
