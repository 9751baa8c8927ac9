// table<M> against DynamoDB Local: CRUD, auto-UUID, TTL, versions, conditions, table management and drift.
#include <gtest/gtest.h>

#include <thread>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_table {
namespace dy = dynantic;
using namespace dynantic::testing;
using namespace std::chrono;

enum class Status { active, inactive };
DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive"))

struct User {
  std::string user_id;
  std::string email;
  std::string name;
  Status status{};
  dy::timestamp created_at{};
  dy::decimal balance;
  std::set<std::string> tags;
  std::optional<int> age;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(User, "users", key(user_id), sort_key(email), field(name, min_length(1)),
               field(status, gsi_key("by_status")), field(created_at, gsi_sort_key("by_status")),
               field(balance, ge(0), lsi_sort_key("by_balance")), field(tags), field(age, ge(0), le(150)),
               version(version))

struct Session {
  dy::uuid id;
  std::string user;
  dy::timestamp expires_at{};
};
DYNANTIC_MODEL(Session, "sessions", key(id, auto_uuid), field(user), ttl(expires_at))

struct Note {
  std::string id;
  std::string text;
};
DYNANTIC_MODEL(Note, "notes", key(id, auto_uuid), field(text))

template <class M>
struct temp_table {
  dy::table<M> t;
  explicit temp_table(dy::client c, dy::table_options o = {}) : t(c, unique_name("m")) { t.create_table(o); }
  ~temp_table() {
    try {
      t.delete_table();
    } catch (...) {
    }
  }
};

User ada() {
  return User{.user_id = "u-1",
              .email = "ada@example.com",
              .name = "Ada",
              .status = Status::active,
              .created_at = dy::timestamp{sys_days{2024y / May / 1}},
              .balance = dy::decimal("10.50"),
              .tags = {"math"},
              .age = 36};
}

TEST(table, save_get_delete) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<User> tt(test_client());
  auto& users = tt.t;
  User u = ada();
  users.save(u);
  EXPECT_EQ(u.version, 1);
  auto got = users.get("u-1", "ada@example.com", {.consistent_read = true});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "Ada");
  EXPECT_EQ(got->balance, dy::decimal("10.5"));
  EXPECT_EQ(got->status, Status::active);
  EXPECT_EQ(got->created_at, u.created_at);
  EXPECT_EQ(got->version, 1);
  EXPECT_FALSE(users.get("u-1", "nobody@example.com"));

  users.delete_item(*got);
  EXPECT_FALSE(users.get("u-1", "ada@example.com", {.consistent_read = true}));
}

// Handles built from a temporary table (an updater, a writer, a transaction get) own what they need: the
// table object is gone by the time they are used (ASan reports a use after scope otherwise).
TEST(table, handles_outlive_the_temporary_table_they_came_from) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<User> tt(test_client());
  const auto c = test_client();
  const std::string name = tt.t.name();
  auto updater = dy::table<User>(c, name).update("u-1", "ada@example.com");
  auto get = dy::table<User>(c, name).tx_get({"u-1", "ada@example.com"});
  {
    auto writer = dy::table<User>(c, name).batch_writer(dy::ignore_versions);
    writer.save(ada());
    writer.flush();
  }
  updater.set(&User::name, std::string("Ada L.")).execute();
  auto [got] = dy::transact_get(c, get);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "Ada L.");
  EXPECT_EQ(got->version, 2);  // the writer's save, then the update
}

// Batch writes cannot check versions (BatchWriteItem has no conditions): with dy::ignore_versions they overwrite
// whatever is stored and write the item's version + 1, as save() would, on every batch path.
TEST(table, batch_writes_increment_versions_without_checking_them) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<User> tt(test_client());
  auto& users = tt.t;
  User stored = ada();
  for (int i = 0; i < 3; ++i) users.save(stored);
  ASSERT_EQ(stored.version, 3);
  auto version_stored = [&] { return users.get("u-1", "ada@example.com", {.consistent_read = true})->version; };
  ASSERT_EQ(version_stored(), 3);

  User stale = ada();  // version 0: save() would fail its check
  EXPECT_THROW(users.save(stale), dy::conditional_check_failed);
  stale = ada();
  auto written = users.batch_save(dy::ignore_versions, {stale});
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].version, 1);  // 0 + 1, returned as written
  EXPECT_EQ(version_stored(), 1);    // overwrote version 3 unchecked

  User five = ada();
  five.version = 5;
  {
    auto w = users.batch_writer(dy::ignore_versions);
    w.save(five);
  }
  EXPECT_EQ(version_stored(), 6);

  User seven = ada();
  seven.version = 7;
  {
    dy::multi_writer w(test_client());
    w.save(dy::ignore_versions, users, seven);
  }
  EXPECT_EQ(version_stored(), 8);
}

TEST(table, create_table_if_not_exists_else_a_typed_error_naming_the_table) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<Note> tt(test_client());
  EXPECT_THROW(tt.t.create_table(), dy::table_in_use);
  auto d = tt.t.create_table(dy::if_not_exists);
  EXPECT_EQ(d.table_status, "ACTIVE");
  EXPECT_EQ(d.table_name, tt.t.name());
  dy::table<Note> missing(test_client(), unique_name("missing"));
  try {
    (void)missing.get("x");
    FAIL() << "no table_not_found";
  } catch (const dy::table_not_found& e) {
    EXPECT_EQ(e.table(), missing.name());
    EXPECT_NE(std::string(e.what()).find("table '" + missing.name() + "'"), std::string::npos) << e.what();
  }
}

TEST(table, versions_detect_lost_updates) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<User> tt(test_client());
  auto& users = tt.t;
  User first = ada();
  users.save(first);  // version 0 -> 1 (only if absent)
  User copy = *users.get("u-1", "ada@example.com", {.consistent_read = true});
  first.name = "Ada L.";
  users.save(first);  // 1 -> 2
  EXPECT_EQ(first.version, 2);
  copy.name = "Stale";
  try {
    users.save(copy);  // still at 1: conflict
    FAIL();
  } catch (const dy::conditional_check_failed& e) {
    ASSERT_TRUE(e.old_item());
    EXPECT_EQ(users.decode(*e.old_item()).name, "Ada L.");
  }
  EXPECT_EQ(copy.version, 1);  // unchanged by the failed write
  User fresh = ada();          // version 0 means "new": the item exists, so this fails too
  EXPECT_THROW(users.save(fresh), dy::conditional_check_failed);
  EXPECT_THROW(users.delete_item(copy), dy::conditional_check_failed);  // stale delete
  users.delete_item(first);
}

TEST(table, create_is_insert_only_and_conditions_apply) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<Note> tt(test_client());
  auto& notes = tt.t;
  Note n{.id = "", .text = "hello"};
  notes.create(n);
  EXPECT_EQ(n.id.size(), 36u);  // auto-UUID filled
  EXPECT_TRUE(dy::uuid::parse(n.id));
  EXPECT_THROW(notes.create(n), dy::conditional_check_failed);
  Note n2 = notes.create(Note{.id = "", .text = "second"});
  EXPECT_NE(n2.id, n.id);

  // a raw condition on save
  n.text = "changed";
  EXPECT_THROW(notes.save(n, {.expression = "#t = :t", .names = {{"#t", "text"}}, .values = {{":t", "nope"}}}),
               dy::conditional_check_failed);
  notes.save(n, {.expression = "#t = :t", .names = {{"#t", "text"}}, .values = {{":t", "hello"}}});
  EXPECT_EQ(notes.get(n.id)->text, "changed");
  EXPECT_THROW(notes.delete_item(n.id, {.expression = "attribute_not_exists(id)"}), dy::conditional_check_failed);
  EXPECT_THROW(notes.save(n, {.expression = "x = :dy_x", .values = {{":dy_x", 1}}}), dy::validation_error);
}

TEST(table, ttl_and_auto_uuid) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  temp_table<Session> tt(c);
  auto& sessions = tt.t;
  Session s{.id = {}, .user = "u-1", .expires_at = dy::timestamp{sys_days{2030y / January / 1} + 30min + 500ms}};
  sessions.save(s);
  EXPECT_FALSE(s.id.is_nil());
  auto raw = dy::ops::get_item(c, {.table_name = sessions.name(), .key = {{"id", s.id.to_string()}}});
  ASSERT_TRUE(raw.item);
  EXPECT_EQ(raw.item->at("expires_at").as_number_text(), "1893457800");  // epoch seconds
  auto back = sessions.get(s.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->expires_at, dy::timestamp{sys_days{2030y / January / 1} + 30min});
  auto ttl = dy::ops::describe_time_to_live(c, sessions.name());
  EXPECT_EQ(ttl.attribute_name, "expires_at");
  EXPECT_TRUE(sessions.check_schema().ok());
}

// The TTL attribute is written as epoch seconds (a DynamoDB number) on every write path, and auto-UUID keys are
// filled on each: batch_save, the writers, transactions, update.
TEST(table, ttl_is_epoch_seconds_on_every_write_path) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  temp_table<Session> tt(c);
  auto& sessions = tt.t;
  const auto when = dy::timestamp{sys_days{2030y / January / 1} + 30min + 500ms};
  auto stored_ttl = [&](const dy::uuid& id) {
    auto raw =
        dy::ops::get_item(c, {.table_name = sessions.name(), .key = {{"id", id.to_string()}}, .consistent_read = true});
    if (!raw.item) return std::string("(no item)");
    const auto& v = raw.item->at("expires_at");
    return v.type() == dy::value_type::n ? v.as_number_text() : std::string("(not a number)");
  };
  auto batch = sessions.batch_save({Session{.id = {}, .user = "batch", .expires_at = when}});
  ASSERT_FALSE(batch[0].id.is_nil());
  EXPECT_EQ(stored_ttl(batch[0].id), "1893457800");

  Session tx{.id = dy::uuid::v4(), .user = "tx", .expires_at = when};
  dy::transact_write(c, sessions.tx_put(tx));
  EXPECT_EQ(stored_ttl(tx.id), "1893457800");

  Session via_writer{.id = dy::uuid::v4(), .user = "writer", .expires_at = when};
  Session via_multi{.id = dy::uuid::v4(), .user = "multi", .expires_at = when};
  {
    auto w = sessions.batch_writer();
    w.save(via_writer);
    dy::multi_writer m(c);
    m.save(sessions, via_multi);
  }
  EXPECT_EQ(stored_ttl(via_writer.id), "1893457800");
  EXPECT_EQ(stored_ttl(via_multi.id), "1893457800");

  sessions.update(tx.id).set(&Session::expires_at, when + 24h).execute();
  EXPECT_EQ(stored_ttl(tx.id), "1893544200");
  dy::transact_write(c, sessions.tx_update(via_writer.id).set(&Session::expires_at, when + 48h));
  EXPECT_EQ(stored_ttl(via_writer.id), "1893630600");
}

TEST(table, validation_happens_before_sending) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<User> tt(test_client());
  User u = ada();
  u.name = "";
  u.age = 200;
  try {
    tt.t.save(u);
    FAIL();
  } catch (const dy::validation_error& e) {
    EXPECT_EQ(e.issues().size(), 2u);
  }
  EXPECT_FALSE(tt.t.get("u-1", "ada@example.com", {.consistent_read = true}));
  EXPECT_EQ(u.version, 0);
}

TEST(table, reading_a_bad_stored_item_is_a_validation_error) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  temp_table<User> tt(c);
  dy::ops::put_item(c, {.table_name = tt.t.name(),
                        .item = {{"user_id", "u-9"},
                                 {"email", "e"},
                                 {"name", "x"},
                                 {"status", "archived"},
                                 {"created_at", "2024-01-01T00:00:00Z"},
                                 {"balance", -1},
                                 {"version", 1}}});
  try {
    (void)tt.t.get("u-9", "e");
    FAIL();
  } catch (const dy::validation_error& e) {
    std::map<std::string, std::string> by_path;
    for (const auto& i : e.issues()) by_path[i.path] = i.message;
    EXPECT_EQ(by_path["status"], "'archived' is not one of 'active', 'inactive'");
    EXPECT_EQ(by_path["balance"], "must be >= 0");
  }
}

TEST(table, schema_from_model_and_drift) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  temp_table<User> tt(c, {.projections = {{"by_status", {dy::ops::projection::kind::keys_only, {}}}}});
  auto d = dy::ops::describe_table(c, tt.t.name());
  EXPECT_EQ(d.key_schema, (std::vector<dy::ops::key_schema_element>{{"user_id", dy::ops::key_type::hash},
                                                                    {"email", dy::ops::key_type::range}}));
  ASSERT_EQ(d.global_secondary_indexes.size(), 1u);
  EXPECT_EQ(d.global_secondary_indexes[0].index_name, "by_status");
  EXPECT_EQ(d.global_secondary_indexes[0].key_schema,
            (std::vector<dy::ops::key_schema_element>{{"status", dy::ops::key_type::hash},
                                                      {"created_at", dy::ops::key_type::range}}));
  ASSERT_EQ(d.local_secondary_indexes.size(), 1u);
  EXPECT_EQ(d.local_secondary_indexes[0].key_schema,
            (std::vector<dy::ops::key_schema_element>{{"user_id", dy::ops::key_type::hash},
                                                      {"balance", dy::ops::key_type::range}}));
  EXPECT_TRUE(tt.t.check_schema({.projections = {{"by_status", {dy::ops::projection::kind::keys_only, {}}}}}).ok());

  // A table made by hand that drifted: another sort key type, no indexes, TTL on.
  std::string name = unique_name("drift");
  dy::ops::create_table(
      c, {.table_name = name,
          .attribute_definitions = {{"user_id", dy::ops::scalar_type::s}, {"email", dy::ops::scalar_type::n}},
          .key_schema = {{"user_id", dy::ops::key_type::hash}, {"email", dy::ops::key_type::range}},
          .global_secondary_indexes = {{"old_index", {{"user_id", dy::ops::key_type::hash}}, {}, {}, {}}}});
  dy::wait_until_active(c, name);  // CREATING for a while on AWS
  dy::ops::update_time_to_live(c, name, {true, "gone_at"});
  dy::table<User> drifted(c, name);
  auto report = drifted.check_schema();
  EXPECT_FALSE(report.ok());
  std::string all;
  for (const auto& line : report.differences) all += line + "\n";
  EXPECT_NE(all.find("attribute email: the model stores S, the table defines N"), std::string::npos) << all;
  EXPECT_NE(all.find("GSI by_status is missing from the table"), std::string::npos) << all;
  EXPECT_NE(all.find("GSI old_index exists on the table but not in the model"), std::string::npos) << all;
  EXPECT_NE(all.find("LSI by_balance is missing from the table"), std::string::npos) << all;
  EXPECT_NE(all.find("TTL: the table expires items by 'gone_at'"), std::string::npos) << all;
  dy::ops::delete_table(c, name);
  dy::wait_until_deleted(c, name);  // DELETING for a while on AWS
  EXPECT_FALSE(dy::table<User>(c, name).exists());
  EXPECT_EQ(dy::table<User>(c, name).check_schema().differences.at(0), "table " + name + " does not exist");
}

TEST(table, default_and_scoped_clients) {
  DYNANTIC_REQUIRE_SERVER();
  struct restore_default {  // the process-wide default is put back for the tests after this one
    dy::client before = dy::default_client();
    ~restore_default() { dy::set_default_client(before); }
  } restore;
  dy::set_default_client(test_client());
  dy::table<Note> notes_default;  // no client: current_client() at each call
  EXPECT_EQ(notes_default.name(), "notes");
  std::string name = unique_name("scoped");
  dy::table<Note> on_default(dy::default_client(), name);
  on_default.create_table();
  dy::table<Note> by_name_only(dy::current_client(), name);
  Note n = by_name_only.create(Note{.id = "", .text = "via default"});
  auto nowhere = test_options("http://127.0.0.1:1");  // a client that cannot connect: its use shows
  nowhere.retry.max_attempts = 1;
  EXPECT_NO_THROW((void)notes_default.exists());
  {
    dy::scoped_client scope{dy::client(nowhere)};
    EXPECT_THROW((void)notes_default.exists(), dy::transport_error);  // this thread: the scoped client
    EXPECT_NO_THROW((void)by_name_only.get(n.id));                    // a table with its own client keeps it
    bool other_thread_threw = true;
    std::thread([&] {  // another thread: still the default
      try {
        (void)notes_default.exists();
        other_thread_threw = false;
      } catch (...) {
      }
    })
        .join();
    EXPECT_FALSE(other_thread_threw);
    {
      dy::scoped_client inner{test_client()};  // scopes nest: the innermost wins
      EXPECT_NO_THROW((void)notes_default.exists());
    }
    EXPECT_THROW((void)notes_default.exists(), dy::transport_error);  // the outer scope again
  }
  EXPECT_NO_THROW((void)notes_default.exists());  // the default once the scope ended
  EXPECT_EQ(by_name_only.get(n.id)->text, "via default");
  on_default.delete_table();
}

}  // namespace test_table
