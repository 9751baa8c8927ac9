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

TEST(transactions, four_megabytes_is_the_largest_transaction) {
  DYNANTIC_REQUIRE_SERVER();
  tables t;
  const std::string big(350'000, 'x');  // each item ~350 KB, under the 400 KB item limit
  auto actions = [&](int n) {
    std::vector<dy::ops::transact_write> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(t.transfers.tx_put({dy::uuid::v4(), big, "to-" + std::to_string(i), dy::decimal(i)}));
    }
    return out;
  };
  try {
    dy::transact_write(t.c, actions(12));  // 12 x 350 KB = 4.2 MB
    FAIL() << "expected validation_error";
  } catch (const dy::validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("a transaction carries at most 4 MB"), std::string::npos) << e.what();
  }
  EXPECT_EQ(t.transfers.scan().count(), 0);  // nothing was sent
  dy::transact_write(t.c, actions(11));      // 3.85 MB: accepted and applied
  EXPECT_EQ(t.transfers.scan().count(), 11);
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

// transact_save writes each item to its model's own table: models of their own (fixed names, as the claim is
// about the model's table name), tables created for the test and deleted after it.
struct SavedAccount {
  std::string id;
  dy::decimal balance;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(SavedAccount, "dynantic_test_transact_save_accounts", key(id), field(balance), version(version))
struct SavedNote {
  std::string id;
  std::string text;
};
DYNANTIC_MODEL(SavedNote, "dynantic_test_transact_save_notes", key(id), field(text))

TEST(transactions, transact_save_uses_each_models_table_and_checks_versions) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  dy::table<SavedAccount> accounts(c);
  dy::table<SavedNote> notes(c);
  for (auto t : {accounts.name(), notes.name()}) {  // left by an interrupted run
    if (dy::table<SavedNote>(c, t).exists()) {
      dy::ops::delete_table(c, t);
      dy::wait_until_deleted(c, t);
    }
  }
  accounts.create_table();
  notes.create_table();
  struct cleanup {
    dy::table<SavedAccount>& a;
    dy::table<SavedNote>& n;
    ~cleanup() {
      try {
        a.delete_table();
        n.delete_table();
      } catch (...) {
      }
    }
  } drop{accounts, notes};

  SavedAccount a{"acc-1", dy::decimal("10"), 0};
  SavedNote n{"note-1", "first"};
  dy::transact_save(c, a, n);  // two models, two tables, one transaction
  auto stored = accounts.get("acc-1", {.consistent_read = true});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->version, 1);  // a new item of a versioned model is stored as version 1
  ASSERT_TRUE(notes.get("note-1", {.consistent_read = true}));
  EXPECT_EQ(notes.get("note-1", {.consistent_read = true})->text, "first");

  // a stale copy (version 0; stored: 1) cancels the whole transaction: the note is not written either
  SavedNote later{"note-2", "second"};
  try {
    dy::transact_save(c, a, later);
    FAIL() << "expected transaction_canceled";
  } catch (const dy::transaction_canceled& e) {
    ASSERT_EQ(e.reasons().size(), 2u);
    EXPECT_EQ(e.reasons()[0].code, "ConditionalCheckFailed");
    EXPECT_EQ(e.reasons()[1].code, "None");
  }
  EXPECT_FALSE(notes.get("note-2", {.consistent_read = true}));
  EXPECT_EQ(accounts.get("acc-1", {.consistent_read = true})->version, 1);

  // the current version goes through and is incremented
  SavedAccount current = *stored;
  current.balance = dy::decimal("20");
  dy::transact_save(c, current, later);
  auto after = accounts.get("acc-1", {.consistent_read = true});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->version, 2);
  EXPECT_EQ(after->balance, dy::decimal("20"));
  EXPECT_TRUE(notes.get("note-2", {.consistent_read = true}));
}

}  // namespace test_transactions
