#include <dynantic/table.hpp>

#include <dynantic/bulk/batch.hpp>

#include <mutex>
#include <thread>

#include <dynantic/error.hpp>

namespace dynantic {
namespace {
std::mutex default_mu;
std::optional<client> default_instance;
thread_local std::vector<client> scoped_stack;
}  // namespace

void set_default_client(client c) {
  std::lock_guard lock(default_mu);
  default_instance = std::move(c);
}

client default_client() {
  std::lock_guard lock(default_mu);
  if (!default_instance) default_instance.emplace();
  return *default_instance;
}

scoped_client::scoped_client(client c) { scoped_stack.push_back(std::move(c)); }
scoped_client::~scoped_client() { scoped_stack.pop_back(); }

client current_client() {
  if (!scoped_stack.empty()) return scoped_stack.back();
  return default_client();
}

namespace detail {

std::string and_conditions(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return "(" + a + ") AND (" + b + ")";
}

void merge_condition(const condition_expression& cond, std::string& expression, ops::attribute_names& names,
                     ops::attribute_values& values) {
  if (cond.empty()) return;
  std::vector<validation_issue> issues;
  for (const auto& [k, v] : cond.names) {
    if (k.starts_with("#dy_")) issues.push_back({"condition", "placeholder " + k + " is reserved by dynantic"});
    names.insert_or_assign(k, v);
  }
  for (const auto& [k, v] : cond.values) {
    if (k.starts_with(":dy_")) issues.push_back({"condition", "placeholder " + k + " is reserved by dynantic"});
    values.insert_or_assign(k, v);
  }
  if (!issues.empty()) throw validation_error(std::move(issues));
  expression = and_conditions(expression, cond.expression);
}

ops::table_description wait_until_active(const client& c, const std::string& table, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    auto d = ops::describe_table(c, table);
    bool ready = d.table_status == "ACTIVE";
    for (const auto& g : d.global_secondary_indexes) ready &= g.index_status.empty() || g.index_status == "ACTIVE";
    if (ready) return d;
    if (std::chrono::steady_clock::now() > deadline) {
      throw error("dynantic: table " + table + " is not ACTIVE after " + std::to_string(timeout.count()) + " s (" +
                  d.table_status + ")");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

namespace {
std::string_view scalar_name(ops::scalar_type t) {
  return t == ops::scalar_type::s ? "S" : t == ops::scalar_type::n ? "N" : "B";
}
std::string keys_text(const std::vector<ops::key_schema_element>& ks) {
  std::string s;
  for (const auto& k : ks) {
    if (!s.empty()) s += ", ";
    s += k.attribute_name + (k.type == ops::key_type::hash ? " HASH" : " RANGE");
  }
  return s.empty() ? "none" : s;
}
void compare_indexes(const std::vector<ops::secondary_index>& want, const std::vector<ops::secondary_index>& have,
                     std::string_view kind, std::vector<std::string>& out) {
  for (const auto& w : want) {
    auto it = std::find_if(have.begin(), have.end(), [&](const auto& h) { return h.index_name == w.index_name; });
    if (it == have.end()) {
      out.push_back(std::string(kind) + " " + w.index_name + " is missing from the table");
      continue;
    }
    if (it->key_schema != w.key_schema) {
      out.push_back(std::string(kind) + " " + w.index_name + ": the model has keys (" + keys_text(w.key_schema) +
                    "), the table (" + keys_text(it->key_schema) + ")");
    }
    if (it->projection.type != w.projection.type) {
      out.push_back(std::string(kind) + " " + w.index_name + ": projection differs from the model's");
    }
  }
  for (const auto& h : have) {
    if (std::none_of(want.begin(), want.end(), [&](const auto& w) { return w.index_name == h.index_name; })) {
      out.push_back(std::string(kind) + " " + h.index_name + " exists on the table but not in the model");
    }
  }
}
}  // namespace

schema_report compare_schema(const client& c, const ops::create_table_request& want, const std::string& ttl_attribute) {
  schema_report r;
  ops::table_description have;
  try {
    have = ops::describe_table(c, want.table_name);
  } catch (const table_not_found&) {
    r.differences.push_back("table " + want.table_name + " does not exist");
    return r;
  }
  if (have.key_schema != want.key_schema) {
    r.differences.push_back("key schema: the model has (" + keys_text(want.key_schema) + "), the table (" +
                            keys_text(have.key_schema) + ")");
  }
  for (const auto& d : want.attribute_definitions) {
    auto it = std::find_if(have.attribute_definitions.begin(), have.attribute_definitions.end(),
                           [&](const auto& h) { return h.attribute_name == d.attribute_name; });
    if (it == have.attribute_definitions.end()) {
      r.differences.push_back("attribute " + d.attribute_name + " is not a key attribute of the table or its indexes");
    } else if (it->type != d.type) {
      r.differences.push_back("attribute " + d.attribute_name + ": the model stores " +
                              std::string(scalar_name(d.type)) + ", the table defines " +
                              std::string(scalar_name(it->type)));
    }
  }
  compare_indexes(want.global_secondary_indexes, have.global_secondary_indexes, "GSI", r.differences);
  compare_indexes(want.local_secondary_indexes, have.local_secondary_indexes, "LSI", r.differences);
  auto ttl = ops::describe_time_to_live(c, want.table_name);
  bool enabled = ttl.status == "ENABLED" || ttl.status == "ENABLING";
  if (!ttl_attribute.empty() && (!enabled || ttl.attribute_name != ttl_attribute)) {
    r.differences.push_back("TTL: the model expires items by '" + ttl_attribute + "', the table " +
                            (enabled ? "by '" + ttl.attribute_name + "'" : std::string("has TTL disabled")));
  } else if (ttl_attribute.empty() && enabled) {
    r.differences.push_back("TTL: the table expires items by '" + ttl.attribute_name + "', the model has no ttl member");
  }
  return r;
}

}  // namespace detail
}  // namespace dynantic

namespace dynantic::detail {

void run_transact_write(const client& c, std::vector<ops::transact_write> actions) {
  if (actions.empty()) throw validation_error("", "a transaction needs at least one action");
  if (actions.size() > 100) {
    throw validation_error("", "a transaction has at most 100 actions (got " + std::to_string(actions.size()) + ")");
  }
  std::size_t bytes = 0;
  for (const auto& a : actions) bytes += item_size(a.data) + a.update_expression.size() + a.condition_expression.size();
  if (bytes > 4u << 20) throw validation_error("", "a transaction carries at most 4 MB");
  ops::transact_write_items_request r;
  r.items = std::move(actions);
  r.client_request_token = uuid::v4().to_string();  // idempotency: the client's retries resend the same token
  ops::transact_write_items(c, r);
}

}  // namespace dynantic::detail
