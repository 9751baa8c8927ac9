// Uses the installed test kit: a server (DYNANTIC_TEST_ENDPOINT's, else DynamoDB Local started for the program),
// a table for one test, and the kit's assertions.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>
#include <dynantic/testing/gtest.hpp>
#include <dynantic/testing/local_server.hpp>

namespace dy = dynantic;

struct Account {
  std::string id{};
  dy::decimal balance{};
};
DYNANTIC_MODEL(Account, "accounts", key(id), field(balance, ge(0)))

TEST(InstalledKit, a_fresh_table_saves_reads_and_refuses) {
  dy::testing::local_server server;
  dy::testing::fresh_table<Account> accounts(server);
  accounts->save(Account{.id = "a", .balance = dy::decimal("12.50")});
  auto got = accounts->get("a");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->balance, dy::decimal("12.5"));
  EXPECT_VALIDATION_ERROR(accounts->save(Account{.id = "b", .balance = dy::decimal("-1")}), "balance");
  EXPECT_CONDITION_FAILED(accounts->create(Account{.id = "a", .balance = dy::decimal("1")}));
}
