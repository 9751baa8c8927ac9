// Models and CRUD: the user code of DESIGN.md §1, so far as it exists today. Run by scripts/demo against
// DynamoDB Local (endpoint, region and credentials from the environment).
#include <iostream>
#include <random>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;
using namespace std::chrono;

namespace shop {

enum class Status { active, inactive };
DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive"))

struct Address {
  std::string city;
  std::string country;
};
DYNANTIC_STRUCT(Address, field(city, min_length(1)), field(country, one_of("CH", "DE", "UK")))

struct User {
  std::string user_id;
  std::string email;
  std::string name;
  Status status{};
  dy::timestamp created_at{};
  dy::decimal balance;
  std::set<std::string> tags;
  std::optional<int> age;
  Address address;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(User, "users", key(user_id), sort_key(email), field(name, min_length(1)),
               field(status, gsi_key("by_status")), field(created_at), field(balance, ge(0)), field(tags),
               field(age, ge(0), le(150)), field(address), version(version))

struct Session {
  dy::uuid id;
  std::string user_id;
  dy::timestamp expires_at{};
};
DYNANTIC_MODEL(Session, "sessions", key(id, auto_uuid), field(user_id), ttl(expires_at))

}  // namespace shop

int main() try {
  dy::set_default_client(dy::client{});  // from the environment
  std::string suffix = "-" + std::to_string(std::random_device{}() % 100000);
  dy::table<shop::User> users{dy::default_client(), "users" + suffix};
  dy::table<shop::Session> sessions{dy::default_client(), "sessions" + suffix};

  std::cout << "== create_table from the models (keys, GSI, TTL), wait until ACTIVE\n";
  users.create_table();
  sessions.create_table();
  std::cout << "schema check: " << (users.check_schema().ok() ? "matches the model" : "drifted") << "\n";

  std::cout << "\n== save (PutItem; version 0 -> 1, only if new)\n";
  shop::User ada{.user_id = "u-1",
                 .email = "ada@example.com",
                 .name = "Ada",
                 .status = shop::Status::active,
                 .created_at = dy::now(),
                 .balance = dy::decimal("10.50"),
                 .tags = {"math"},
                 .age = 36,
                 .address = {"London", "UK"},
                 .version = 0};
  users.save(ada);
  std::cout << "saved, version " << ada.version << "\n";
  std::cout << "stored as " << dy::codec::write_item(dy::to_item(ada)) << "\n";

  std::cout << "\n== get (typed key; nullopt when missing)\n";
  std::optional<shop::User> got = users.get("u-1", "ada@example.com", {.consistent_read = true});
  std::cout << got->name << ", balance " << got->balance.text() << ", created " << dy::format_timestamp(got->created_at)
            << "\n";
  std::cout << "missing: " << (users.get("u-1", "nobody@example.com") ? "found" : "nullopt") << "\n";

  std::cout << "\n== optimistic locking: a stale copy cannot overwrite\n";
  shop::User stale = *got;
  got->name = "Ada Lovelace";
  users.save(*got);
  stale.name = "Stale";
  try {
    users.save(stale);
  } catch (const dy::conditional_check_failed& e) {
    std::cout << "conditional_check_failed; stored: " << users.decode(*e.old_item()).name << " v"
              << users.decode(*e.old_item()).version << "\n";
  }

  std::cout << "\n== create is insert-only; auto-UUID keys; TTL stored as epoch seconds\n";
  shop::Session s = sessions.create(shop::Session{.id = {}, .user_id = "u-1", .expires_at = dy::now() + hours(24)});
  std::cout << "session " << s.id.to_string() << " expires " << dy::format_timestamp(s.expires_at) << "\n";
  try {
    sessions.create(s);
  } catch (const dy::conditional_check_failed&) {
    std::cout << "second create of the same key: conditional_check_failed\n";
  }

  std::cout << "\n== validation: every problem with its path, before anything is sent\n";
  shop::User bad = ada;
  bad.name = "";
  bad.age = 200;
  bad.balance = dy::decimal("-1");
  bad.address = {"", "FR"};
  try {
    users.save(bad);
  } catch (const dy::validation_error& e) {
    std::cout << e.what() << "\n";
  }

  std::cout << "\n== plain JSON (model_dump_json / model_validate_json)\n";
  std::string json = dy::to_json(*users.get("u-1", "ada@example.com", {.consistent_read = true}));
  std::cout << json << "\n";
  std::cout << "from_json: " << dy::from_json<shop::User>(json).name << "\n";

  std::cout << "\n== batch_save / batch_get / batch_delete: 60 users, chunked, 8 requests in flight\n";
  std::vector<shop::User> team;
  for (int i = 0; i < 60; ++i) {
    team.push_back(shop::User{.user_id = "team",
                              .email = "m" + std::to_string(100 + i) + "@example.com",
                              .name = "Member " + std::to_string(i),
                              .status = shop::Status::active,
                              .created_at = dy::now(),
                              .balance = dy::decimal(i),
                              .tags = {},
                              .age = {},
                              .address = {"Bern", "CH"},
                              .version = 0});
  }
  dy::batch_options opts;
  opts.progress = [](const dy::batch_progress& p) {
    std::cout << "  progress: " << p.items_done << "/" << p.items_total << " after " << p.requests_sent
              << " requests\n";
  };
  // BatchWriteItem cannot check versions: a versioned model says so explicitly (transact_save checks them).
  users.batch_save(dy::ignore_versions, team, opts);
  auto found =
      users.batch_get({{"team", "m100@example.com"}, {"team", "nobody@example.com"}, {"team", "m159@example.com"}});
  std::cout << "batch_get: " << (found[0] ? found[0]->name : "-") << ", " << (found[1] ? found[1]->name : "missing")
            << ", " << (found[2] ? found[2]->name : "-") << "\n";
  std::vector<dy::table<shop::User>::key_type> team_keys;
  for (const auto& m : team) team_keys.emplace_back(m.user_id, m.email);
  users.batch_delete(team_keys);
  std::cout << "after batch_delete: " << users.query("team").count() << " left\n";
  {
    auto writer = users.batch_writer(dy::ignore_versions);  // sends every 25, and the rest at scope end
    for (int i = 0; i < 30; ++i) writer.save(team[static_cast<std::size_t>(i)]);
    writer.delete_item({"team", "m100@example.com"});
    std::cout << "batch_writer: " << writer.pending() << " requests still buffered before scope end\n";
  }
  std::cout << "after the writer's scope: " << users.query("team").count() << " items\n";

  std::cout << "\n== transactions: all or nothing, across tables\n";
  shop::Session ticket{.id = dy::uuid::v4(), .user_id = "u-1", .expires_at = dy::now() + std::chrono::hours(1)};
  dy::transact_write(dy::default_client(),
                     users.tx_update({"u-1", "ada@example.com"}).add(&shop::User::balance, dy::decimal("5")),
                     sessions.tx_put(ticket), sessions.tx_check(s.id, dy::attr(&shop::Session::user_id) == "u-1"));
  auto [ada_now, ticket_now] =
      dy::transact_get(dy::default_client(), users.tx_get({"u-1", "ada@example.com"}), sessions.tx_get(ticket.id));
  std::cout << "transact_write applied: balance " << ada_now->balance.text() << ", session for " << ticket_now->user_id
            << "\n";
  try {
    dy::transact_write(dy::default_client(), users.tx_update({"u-1", "ada@example.com"})
                                                 .add(&shop::User::balance, dy::decimal("-1000"))
                                                 .condition(dy::attr(&shop::User::balance) >= 1000));
  } catch (const dy::transaction_canceled& e) {
    std::cout << "transaction_canceled: action " << e.reasons()[0].index << " " << e.reasons()[0].code
              << "; stored balance " << e.old_model<shop::User>(0)->balance.text() << "\n";
  }

  std::cout << "\n== delete_item (by key, and by instance with its version)\n";
  users.delete_item(*users.get("u-1", "ada@example.com", {.consistent_read = true}));
  sessions.delete_item(s.id);
  std::cout << "gone: " << (users.get("u-1", "ada@example.com", {.consistent_read = true}) ? "no" : "yes") << "\n";

  users.delete_table();
  sessions.delete_table();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "models example failed: " << e.what() << "\n";
  return 1;
}
