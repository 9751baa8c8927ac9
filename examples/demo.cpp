// What dynantic can do so far: the low-level, typed operations over a real DynamoDB (DynamoDB Local under
// scripts/demo). Endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL_DYNAMODB,
// AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;
namespace ops = dynantic::ops;

namespace {

std::string show(const dy::attribute_value& v);

std::string show(const dy::item& it) {
  std::string s = "{";
  for (const auto& [k, v] : it) s += (s.size() > 1 ? ", " : "") + k + ": " + show(v);
  return s + "}";
}

std::string show(const dy::attribute_value& v) {
  switch (v.type()) {
    case dy::value_type::s: return '"' + v.as_string() + '"';
    case dy::value_type::n: return v.as_number_text();
    case dy::value_type::boolean: return v.as_bool() ? "true" : "false";
    case dy::value_type::null: return "null";
    case dy::value_type::b: return "<" + std::to_string(v.as_binary().size()) + " bytes>";
    case dy::value_type::m: return show(v.as_map());
    case dy::value_type::l: {
      std::string s = "[";
      for (const auto& e : v.as_list()) s += (s.size() > 1 ? ", " : "") + show(e);
      return s + "]";
    }
    default: {
      std::string s = std::string(dy::type_tag(v.type())) + "{";
      for (const auto& e : v.as_set()) s += (s.size() > 3 ? ", " : "") + e;
      return s + "}";
    }
  }
}

void step(const std::string& what) { std::cout << "\n== " << what << "\n"; }

}  // namespace

int main() try {
  dy::client client;  // everything from the environment
  std::cout << "dynantic demo against " << client.endpoint() << " (" << client.region() << ")\n";

  const std::string table = "demo-users-" + std::to_string(std::random_device{}() % 100000);
  step("CreateTable " + table + " (user_id HASH, email RANGE, GSI by_status), wait until ACTIVE");
  ops::create_table(client,
                    {.table_name = table,
                     .attribute_definitions = {{"user_id", ops::scalar_type::s},
                                               {"email", ops::scalar_type::s},
                                               {"status", ops::scalar_type::s}},
                     .key_schema = {{"user_id", ops::key_type::hash}, {"email", ops::key_type::range}},
                     .global_secondary_indexes = {{"by_status", {{"status", ops::key_type::hash}}, {}, {}, {}}}});
  std::string status;
  for (int i = 0; i < 100 && (status = ops::describe_table(client, table).table_status) != "ACTIVE"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout << "status: " << status << "\n";

  step("PutItem: every DynamoDB type, numbers as exact decimal text");
  dy::item ada{{"user_id", "u-1"},
               {"email", "ada@example.com"},
               {"name", "Ada Lovelace"},
               {"status", "active"},
               {"balance", dy::attribute_value::number("12345678901234567890.12345678901234567")},
               {"age", 36},
               {"vip", true},
               {"tags", dy::attribute_value::string_set({"math", "poetry"})},
               {"profile", dy::item{{"city", "London"}, {"born", 1815}}},
               {"avatar", dy::attribute_value::binary_from_string("\x89PNG")}};
  ops::put_item(client, {.table_name = table, .item = ada});
  std::cout << "wire form: " << dy::codec::write_item(ada) << "\n";

  step("GetItem (consistent read)");
  auto got = ops::get_item(
      client,
      {.table_name = table, .key = {{"user_id", "u-1"}, {"email", "ada@example.com"}}, .consistent_read = true});
  std::cout << show(*got.item) << "\n";
  std::cout << "38-digit balance survived exactly: " << got.item->at("balance").as_number_text() << "\n";

  step("Conditional put that fails: typed conditional_check_failed with the stored item");
  try {
    ops::put_item(client, {.table_name = table,
                           .item = ada,
                           .condition_expression = "attribute_not_exists(user_id)",
                           .return_old_on_condition_failure = true});
  } catch (const dy::conditional_check_failed& e) {
    std::cout << "caught " << e.code() << "; stored name = " << e.old_item()->at("name").as_string() << "\n";
  }

  step("UpdateItem: ADD to a number and a set, SET a nested attribute, return the new item");
  auto upd = ops::update_item(
      client, {.table_name = table,
               .key = {{"user_id", "u-1"}, {"email", "ada@example.com"}},
               .update_expression = "ADD balance :b, tags :t SET profile.city = :c",
               .expression_attribute_values = {{":b", dy::attribute_value::number("0.00000000000000001")},
                                               {":t", dy::attribute_value::string_set({"vip"})},
                                               {":c", "Marylebone"}},
               .return_values = ops::return_values::all_new});
  std::cout << show(*upd.attributes) << "\n";

  step("BatchWriteItem: 20 users in one request");
  ops::batch_write_item_request batch;
  for (int i = 0; i < 20; ++i) {
    batch.request_items[table].push_back(
        ops::write_request::put({{"user_id", "team"},
                                 {"email", "member" + std::to_string(100 + i) + "@example.com"},
                                 {"n", i},
                                 {"status", i % 3 == 0 ? "inactive" : "active"}}));
  }
  auto unprocessed = ops::batch_write_item(client, batch).unprocessed_items;
  std::cout << "unprocessed: " << unprocessed.size() << "\n";

  step("Query with pagination (page size 6) and a filter");
  ops::query_request q{.table_name = table,
                       .key_condition_expression = "user_id = :u AND begins_with(email, :m)",
                       .filter_expression = "n >= :min",
                       .expression_attribute_values = {{":u", "team"}, {":m", "member"}, {":min", 5}},
                       .limit = 6};
  int page_no = 0;
  std::size_t total = 0;
  for (;;) {
    auto page = ops::query(client, q);
    std::cout << "page " << ++page_no << ": " << page.items.size() << " items (scanned " << page.scanned_count << ")\n";
    total += page.items.size();
    if (!page.last_evaluated_key) break;
    q.exclusive_start_key = page.last_evaluated_key;
  }
  std::cout << "total " << total << " items with n >= 5\n";

  step("Query the GSI by_status");
  auto inactive = ops::query(client, {.table_name = table,
                                      .index_name = "by_status",
                                      .key_condition_expression = "#s = :s",
                                      .expression_attribute_names = {{"#s", "status"}},
                                      .expression_attribute_values = {{":s", "inactive"}},
                                      .select = ops::select::count});
  std::cout << inactive.count << " inactive members\n";

  step("TransactWriteItems with a failing condition: reasons by action index");
  try {
    ops::transact_write_items(client, {.items = {{.type = ops::transact_write::kind::update,
                                                  .table_name = table,
                                                  .data = {{"user_id", "u-1"}, {"email", "ada@example.com"}},
                                                  .update_expression = "SET age = :a",
                                                  .expression_attribute_values = {{":a", 37}}},
                                                 {.type = ops::transact_write::kind::condition_check,
                                                  .table_name = table,
                                                  .data = {{"user_id", "team"}, {"email", "member100@example.com"}},
                                                  .condition_expression = "n > :x",
                                                  .expression_attribute_values = {{":x", 1000}}}},
                                       .client_request_token = "demo-token-1"});
  } catch (const dy::transaction_canceled& e) {
    for (const auto& r : e.reasons()) std::cout << "action " << r.index << ": " << r.code << "\n";
  }

  step("TransactGetItems");
  auto tg = ops::transact_get_items(
      client, {.items = {{.table_name = table, .key = {{"user_id", "u-1"}, {"email", "ada@example.com"}}},
                         {.table_name = table, .key = {{"user_id", "nobody"}, {"email", "x"}}}}});
  std::cout << "first: age " << tg.items[0]->at("age").as_number_text()
            << " (unchanged), second: " << (tg.items[1] ? "found" : "missing") << "\n";

  step("Client-side validation: every problem, before anything is sent");
  try {
    ops::put_item(client, {.table_name = table,
                           .item = {{"user_id", "u-2"},
                                    {"email", "x"},
                                    {"name", dy::attribute_value::string("\xff\xfe")},
                                    {"tags", dy::attribute_value::string_set({})},
                                    {"scores", dy::attribute_value::number_set_unchecked({"1", "1.0"})}}});
  } catch (const dy::validation_error& e) {
    std::cout << e.what() << "\n";
  }

  step("Server-side errors are typed too");
  try {
    ops::get_item(client, {.table_name = "no-such-table", .key = {{"id", "x"}}});
  } catch (const dy::table_not_found& e) {
    std::cout << "table_not_found: " << e.what() << "\n";
  }

  step("UpdateTimeToLive, DeleteTable");
  auto ttl = ops::update_time_to_live(client, table, {.enabled = true, .attribute_name = "expires_at"});
  std::cout << "TTL on '" << ttl.attribute_name << "'\n";
  ops::delete_table(client, table);
  std::cout << "deleted " << table << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "demo failed: " << e.what() << "\n";
  return 1;
}
