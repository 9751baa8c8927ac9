// A user's GoogleTest with dynantic's test kit (dynantic::testing): one DynamoDB Local for the test program,
// a fresh table for each test, typed error expectations. Run as it is, it starts DynamoDB Local itself; with
// DYNANTIC_TEST_ENDPOINT (or AWS_ENDPOINT_URL) set, it uses that server.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>
#include <dynantic/testing/gtest.hpp>
#include <dynantic/testing/local_server.hpp>

namespace dy = dynantic;
using dy::attr;

// ---- the code under test (normally in the user's library)
struct Account {
  std::string id{};
  dy::decimal balance{};
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Account, "accounts", key(id), field(balance, ge(0)), version(version))

void withdraw(const dy::table<Account>& accounts, const std::string& id, const dy::decimal& amount) {
  accounts.update(id).add(&Account::balance, -amount).condition(attr(&Account::balance) >= amount).execute();
}

// ---- the tests
dy::testing::local_server* server = nullptr;

class Server : public ::testing::Environment {
 public:
  void SetUp() override { server = new dy::testing::local_server(); }
  void TearDown() override {
    delete server;
    server = nullptr;
  }
};

class AccountTest : public ::testing::Test {
 protected:
  dy::testing::fresh_table<Account> accounts{*server};  // created for this test, deleted after it
};

TEST_F(AccountTest, withdraw_within_the_balance) {
  accounts->save(Account{.id = "a", .balance = dy::decimal("10"), .version = 0});
  withdraw(accounts.table(), "a", dy::decimal("4"));
  EXPECT_EQ(accounts->get("a", {.consistent_read = true})->balance, dy::decimal("6"));
}

TEST_F(AccountTest, an_overdraft_is_refused_and_changes_nothing) {
  accounts->save(Account{.id = "a", .balance = dy::decimal("10"), .version = 0});
  EXPECT_CONDITION_FAILED(withdraw(accounts.table(), "a", dy::decimal("11")));
  EXPECT_EQ(accounts->get("a", {.consistent_read = true})->balance, dy::decimal("10"));
}

TEST_F(AccountTest, withdrawing_from_a_missing_account_writes_nothing) {
  EXPECT_ITEM_NOT_FOUND(withdraw(accounts.table(), "nobody", dy::decimal("1")));
  EXPECT_FALSE(accounts->get("nobody", {.consistent_read = true}));
}

TEST_F(AccountTest, a_negative_balance_is_refused_at_its_member) {
  EXPECT_VALIDATION_ERROR(accounts->save(Account{.id = "b", .balance = dy::decimal("-1"), .version = 0}), "balance");
}

TEST_F(AccountTest, each_test_has_its_own_empty_table) { EXPECT_EQ(accounts->scan().count(), 0); }

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new Server);
  return RUN_ALL_TESTS();
}
