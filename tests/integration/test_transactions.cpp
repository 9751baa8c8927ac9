// Transactions on models against DynamoDB Local (and one through the fault proxy: a lost answer).
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "fault_proxy.hpp"
#include "test_env.hpp"

namespace test_transactions {
namespace dy = dynantic;
using namespace dynantic::testing;
using dy::attr;

struct Account {
  std::string id;
  dy::decimal balance;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Account, "accounts", key(id), field(balance, ge(0)), version(version))

struct Transfer {
  dy::uuid id;
  std::string from;
  std::string to;
  dy::decimal amount;
};
DYNANTIC_MODEL(Transfer, "transfers", key(id, auto_uuid), field(from), field(to), field(amount))

struct tables {
  dy::client c = test_client();
  dy::table<Account> accounts{c, unique_name("acc")};
  dy::table<Transfer> transfers{c, unique_name("tr")};
  tables() {
    accounts.create_table();
    transfers.create_table();
  }
  ~tables() {
    try {
      accounts.delete_table();
      transfers.delete_table();
    } catch (...) {
    }
  }
};

TEST(transactions, write_across_tables_and_get_typed) {
  DYNANTIC_REQUIRE_SERVER();
  tables t;
  dy::transact_write(t.c, t.accounts.tx_put({"a", dy::decimal("100"), 0}),
                     t.accounts.tx_put({"b", dy::decimal("0"), 0}),
                     t.accounts.tx_put({"bank", dy::decimal("1000"), 0}));
  Transfer tr{{}, "a", "b", dy::decimal("30")};
  dy::transact_write(
      t.c,
      t.accounts.tx_update("a").add(&Account::balance, dy::decimal("-30")).condition(attr(&Account::balance) >= 30),
      t.accounts.tx_update("b").add(&Account::balance, dy::decimal("30")), t.transfers.tx_put(tr),
      t.accounts.tx_check("bank", attr(&Account::balance) >= 1000));
  auto [a, b] = dy::transact_get(t.c, t.accounts.tx_get("a"), t.accounts.tx_get("b"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->balance, dy::decimal("70"));
  EXPECT_EQ(b->balance, dy::decimal("30"));
  EXPECT_EQ(a->version, 2);  // put (1), then the update (2)
  EXPECT_EQ(t.transfers.scan().count(), 1);
  auto [missing, again] = dy::transact_get(t.c, t.accounts.tx_get("zz"), t.accounts.tx_get("a"));
  EXPECT_FALSE(missing);
  EXPECT_TRUE(again);
}

TEST(transactions, cancellation_reasons_map_to_action_indexes) {
  DYNANTIC_REQUIRE_SERVER();
  tables t;
  dy::transact_write(t.c, t.accounts.tx_put({"a", dy::decimal("10"), 0}));
  try {
    dy::transact_write(
        t.c, t.accounts.tx_put({"new", dy::decimal("1"), 0}),
        t.accounts.tx_update("a").add(&Account::balance, dy::decimal("-50")).condition(attr(&Account::balance) >= 50),
        t.transfers.tx_put(Transfer{{}, "a", "new", dy::decimal("50")}));
    FAIL() << "expected transaction_canceled";
  } catch (const dy::transaction_canceled& e) {
    ASSERT_EQ(e.reasons().size(), 3u);
    EXPECT_EQ(e.reasons()[0].code, "None");
    EXPECT_EQ(e.reasons()[1].code, "ConditionalCheckFailed");
    EXPECT_EQ(e.reasons()[1].index, 1u);
    ASSERT_TRUE(e.reasons()[1].old);
    EXPECT_EQ(t.accounts.decode(*e.reasons()[1].old).balance, dy::decimal("10"));
    // decoded already, typed by the action's model
    ASSERT_NE(e.old_model<Account>(1), nullptr);
    EXPECT_EQ(e.old_model<Account>(1)->balance, dy::decimal("10"));
    EXPECT_EQ(e.old_model<Transfer>(1), nullptr);  // not that action's model
    EXPECT_EQ(e.old_model<Account>(0), nullptr);   // no stored item for a put of a new key
  }
  EXPECT_FALSE(t.accounts.get("new"));  // nothing of it was applied
  // a stale version in a transaction fails too
  Account stale{"a", dy::decimal("5"), 0};
  EXPECT_THROW(dy::transact_write(t.c, t.accounts.tx_put(stale)), dy::transaction_canceled);
}

TEST(transactions, limits_are_checked_before_sending) {
  DYNANTIC_REQUIRE_SERVER();
  tables t;
  std::vector<dy::ops::transact_write> many;
  for (int i = 0; i < 101; ++i) many.push_back(t.accounts.tx_put({"x" + std::to_string(i), dy::decimal(i), 0}));
  EXPECT_THROW(dy::transact_write(t.c, many), dy::validation_error);
  EXPECT_EQ(t.accounts.scan().count(), 0);
  EXPECT_THROW(dy::transact_write(t.c, std::vector<dy::ops::transact_write>{}), dy::validation_error);
  EXPECT_THROW(t.accounts.tx_put({"neg", dy::decimal("-1"), 0}), dy::validation_error);
}

TEST(transactions, retry_after_a_lost_answer_is_applied_once) {
  DYNANTIC_REQUIRE_SERVER();
  tables t;
  dy::transact_write(t.c, t.accounts.tx_put({"a", dy::decimal("0"), 0}));
  fault_proxy_options po;
  split_endpoint(test_endpoint(), po.upstream_host, po.upstream_port);
  po.script = {fault::lost_answer};  // the server applies the first attempt, the answer never arrives
  fault_proxy proxy(po);
  auto o = test_options(proxy.endpoint());
  o.retry.base_delay = std::chrono::milliseconds(5);
  dy::client via_proxy(o);
  dy::table<Account> accounts(via_proxy, t.accounts.name());
  dy::transact_write(via_proxy, accounts.tx_update("a").add(&Account::balance, 1));
  EXPECT_EQ(proxy.requests(), 2u);  // sent twice, with the same ClientRequestToken
  EXPECT_EQ(proxy.forwarded(), 2u);
  EXPECT_EQ(t.accounts.get("a", {.consistent_read = true})->balance, dy::decimal("1"));  // applied once
}

TEST(transactions, transact_save_uses_each_models_table) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  dy::table<Account> accounts(c);
  if (!accounts.exists()) accounts.create_table();
  Account x{"ts-" + dy::uuid::v4().to_string(), dy::decimal("1"), 0};
  dy::transact_save(c, x);
  EXPECT_TRUE(accounts.get(x.id));
  accounts.delete_item(x.id);
}

}  // namespace test_transactions
