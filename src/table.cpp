#include <dynantic/table.hpp>

#include <dynantic/bulk/batch.hpp>

#include <mutex>
#include <thread>
#include <unordered_map>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

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

std::string tx_key_text(const std::string& table, const item& key) {
  std::string text = table + '\n';
  for (const auto& [name, value] : key) append_key_text(text, name, value);
  return text;
}

void run_transact_write(const client& c, std::vector<ops::transact_write> actions, const std::vector<std::string>& keys) {
  if (actions.empty()) throw validation_error("", "a transaction needs at least one action");
  if (actions.size() > 100) {
    throw validation_error("", "a transaction has at most 100 actions (got " + std::to_string(actions.size()) + ")");
  }
  std::unordered_map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) continue;
    auto [it, fresh] = seen.emplace(keys[i], i);
    if (!fresh) {
      throw validation_error("[" + std::to_string(i) + "]", "a transaction can act on an item once: actions " +
                                                                 std::to_string(it->second) + " and " +
                                                                 std::to_string(i) + " have the same key");
    }
  }
  auto size_of = [](const ops::transact_write& a, bool exact) {
    // an encoded item's JSON is longer than its DynamoDB size: parsed only when the total may be over
    std::size_t data = a.data_json.empty() ? item_size(a.data)
                       : exact             ? item_size(codec::read_item(a.data_json))
                                           : a.data_json.size();
    return data + a.update_expression.size() + a.condition_expression.size();
  };
  std::size_t bytes = 0;
  for (const auto& a : actions) bytes += size_of(a, false);
  if (bytes > 4u << 20) {
    bytes = 0;
    for (const auto& a : actions) bytes += size_of(a, true);
    if (bytes > 4u << 20) throw validation_error("", "a transaction carries at most 4 MB");
  }
  ops::transact_write_items_request r;
  r.items = std::move(actions);
  r.client_request_token = uuid::v4().to_string();  // idempotency: the client's retries resend the same token
  ops::transact_write_items(c, r);
}

}  // namespace dynantic::detail

// ------------------------------------------------------------------ the façade's work over model descriptions
// table<M> only types keys and results; everything below works from the model's description.
namespace dynantic::detail {

namespace {
const void* member_ptr(const void* obj, const member_desc& m) { return model_desc::at(obj, m); }

constexpr std::size_t max_item_bytes = 400u * 1024;

// DynamoDB's 400 KB item limit (attribute names and values). The JSON text is longer than DynamoDB's size of
// the item: the exact size is measured only when the text is over the limit.
void check_item_size(const std::string& json) {
  if (json.size() <= max_item_bytes) return;
  if (auto size = item_size(codec::read_item(json)); size > max_item_bytes) {
    throw validation_error("", "item is larger than DynamoDB's 400 KB limit (" + std::to_string(size) + " bytes)");
  }
}

void add_key_part(item& k, const member_desc& m, const void* v, conversion_context& c) {
  conversion_context::scope s(c, m.name);
  check_key_value(m, v, c);
  k.emplace(std::string(m.name), m.ops->to_attribute(v, c));
}
}  // namespace

item key_item_of(const model_desc& d, const void* obj) {
  conversion_context c;
  item k;
  add_key_part(k, *d.partition_key, member_ptr(obj, *d.partition_key), c);
  if (d.sort_key) add_key_part(k, *d.sort_key, member_ptr(obj, *d.sort_key), c);
  c.throw_if_failed();
  return k;
}

item key_item_from_parts(const model_desc& d, const void* pk, const void* sk) {
  conversion_context c;
  item k;
  add_key_part(k, *d.partition_key, pk, c);
  if (d.sort_key && sk) add_key_part(k, *d.sort_key, sk, c);
  c.throw_if_failed();
  return k;
}

void read_key_parts(const model_desc& d, const item& it, void* pk, void* sk) {
  conversion_context c;
  auto read = [&](const member_desc& m, void* out) {
    conversion_context::scope s(c, m.name);
    auto f = it.find(m.name);
    if (f == it.end()) return c.fail("required attribute is missing");
    m.ops->from_attribute(f->second, out, c);
  };
  read(*d.partition_key, pk);
  if (d.sort_key && sk) read(*d.sort_key, sk);
  c.throw_if_failed();
}

std::vector<std::string> key_name_list(const model_desc& d) {
  std::vector<std::string> n{std::string(d.partition_key->name)};
  if (d.sort_key) n.emplace_back(d.sort_key->name);
  return n;
}

std::string key_text_of(const model_desc& d, std::string_view table, const void* obj) {
  conversion_context c;
  std::string text;
  text.reserve(table.size() + 64);
  text.append(table).push_back('\n');
  for (const member_desc* m : {d.partition_key, d.sort_key}) {
    if (!m) continue;
    const void* v = member_ptr(obj, *m);
    if (m->is_string) {  // without a temporary value
      append_key_text_string(text, m->name, *static_cast<const std::string*>(v));
    } else {
      conversion_context::scope s(c, m->name);
      append_key_text(text, m->name, m->ops->to_attribute(v, c));
    }
  }
  c.throw_if_failed();
  return text;
}

void key_json_and_text(const model_desc& d, std::string_view table, const void* pk, const void* sk, std::string& json,
                       std::string& text) {
  conversion_context c;
  text.reserve(table.size() + 64);
  text.append(table).push_back('\n');
  json.reserve(96);
  json += '{';
  auto part = [&](const member_desc& m, const void* v) {
    if (json.size() > 1) json += ',';
    append_json_string(json, m.name);
    json += ':';
    conversion_context::scope s(c, m.name);
    check_key_value(m, v, c);
    if (m.is_string) {  // the common case, without a temporary value
      const auto& str = *static_cast<const std::string*>(v);
      append_key_text_string(text, m.name, str);
      wire_writer w(json, c);
      w.string(str);
    } else {
      attribute_value a = m.ops->to_attribute(v, c);
      append_key_text(text, m.name, a);
      codec::write_value(json, a);
    }
  };
  part(*d.partition_key, pk);
  if (d.sort_key && sk) part(*d.sort_key, sk);
  json += '}';
  c.throw_if_failed();
}

std::int64_t prepare_write(const model_desc& d, void* obj) {
  for (const member_desc& m : d) {
    if (m.fill_uuid) m.fill_uuid(model_desc::at(obj, m));
  }
  if (!d.version) return 0;
  std::int64_t expected = d.get_version(obj);
  d.set_version(obj, expected + 1);
  return expected;
}

write_entry put_entry(const model_desc& d, const std::string& table, const std::vector<std::string>* key_names,
                      void* obj) {
  prepare_write(d, obj);
  write_entry e;
  e.table = table;
  e.key_names = key_names;
  e.key_text = key_text_of(d, table, obj);
  thread_local std::size_t size_hint = 256;  // one allocation for the JSON of most items
  e.json.reserve(size_hint);
  encode_json(d, obj, e.json);  // validated
  size_hint = std::max<std::size_t>(256, e.json.size() + e.json.size() / 4);
  check_item_size(e.json);
  return e;
}

void add_subtype_guard(const model_desc& d, std::string& expression, ops::attribute_names& names,
                       ops::attribute_values& values) {
  if (d.tag.empty()) return;
  names.emplace("#dy_pk", std::string(d.partition_key->name));
  names.emplace("#dy_t", std::string(d.discriminator));
  values.emplace(":dy_t", attribute_value::string(std::string(d.tag)));
  expression = and_conditions(expression, "attribute_not_exists(#dy_pk) OR #dy_t = :dy_t");
}

ops::put_item_request put_request(const model_desc& d, const std::string& table, void* staged,
                                  const condition_expression& cond, bool insert_only) {
  const std::int64_t expected = prepare_write(d, staged);
  ops::put_item_request r{.table_name = table};
  std::string own;
  bool need_pk_name = insert_only;
  if (d.version) {
    if (expected == 0) {
      need_pk_name = true;
    } else {
      r.expression_attribute_names.emplace("#dy_v", std::string(d.version->name));
      r.expression_attribute_values.emplace(":dy_v", attribute_value::number(expected));
      own = "#dy_v = :dy_v";
    }
  }
  encode_json(d, staged, r.item_json);  // validation: nothing is sent on error
  check_item_size(r.item_json);
  if (need_pk_name) {
    r.expression_attribute_names.emplace("#dy_pk", std::string(d.partition_key->name));
    own = and_conditions(own, "attribute_not_exists(#dy_pk)");
  }
  r.condition_expression = own;
  merge_condition(cond, r.condition_expression, r.expression_attribute_names, r.expression_attribute_values);
  r.return_old_on_condition_failure = !r.condition_expression.empty();
  return r;
}

ops::delete_item_request delete_request(const model_desc& d, const std::string& table, item key,
                                        const condition_expression& cond, const void* instance) {
  ops::delete_item_request r{.table_name = table, .key = std::move(key)};
  if (d.version && instance) {
    r.expression_attribute_names.emplace("#dy_v", std::string(d.version->name));
    r.expression_attribute_values.emplace(":dy_v", attribute_value::number(d.get_version(instance)));
    r.condition_expression = "#dy_v = :dy_v";
  }
  add_subtype_guard(d, r.condition_expression, r.expression_attribute_names, r.expression_attribute_values);
  merge_condition(cond, r.condition_expression, r.expression_attribute_names, r.expression_attribute_values);
  r.return_old_on_condition_failure = !r.condition_expression.empty();
  return r;
}

namespace {
ops::scalar_type scalar(char s) {
  return s == 'N' ? ops::scalar_type::n : s == 'B' ? ops::scalar_type::b : ops::scalar_type::s;
}
}  // namespace

ops::create_table_request table_definition(const model_desc& d, std::span<const model_desc* const> family,
                                           const std::string& table, const table_options& o) {
  ops::create_table_request r;
  r.table_name = table;
  r.billing_mode = o.billing_mode;
  r.throughput = o.throughput;
  auto define = [&](std::string_view name, ops::scalar_type t) {
    for (const auto& a : r.attribute_definitions) {
      if (a.attribute_name == name) return;
    }
    r.attribute_definitions.push_back({std::string(name), t});
  };
  const std::string pk_name(d.partition_key->name);
  r.key_schema.push_back({pk_name, ops::key_type::hash});
  define(pk_name, scalar(d.partition_key->scalar));
  if (d.sort_key) {
    r.key_schema.push_back({std::string(d.sort_key->name), ops::key_type::range});
    define(d.sort_key->name, scalar(d.sort_key->scalar));
  }
  // Indexes declared by M, or for single-table designs by the base and every subtype.
  for (const model_desc* f : family) {
    for (std::size_t i = 0; i < f->index_count; ++i) {
      const index_decl& x = f->indexes[i];
      const member_desc& m = f->members[x.member];
      define(m.name, scalar(m.scalar));
      bool local = x.kind == index_role::lsi_sort;
      auto& list = local ? r.local_secondary_indexes : r.global_secondary_indexes;
      ops::secondary_index* idx = nullptr;
      for (auto& s : list) {
        if (s.index_name == x.index) idx = &s;
      }
      if (!idx) {
        list.push_back({std::string(x.index), {}, {}, {}, {}});
        idx = &list.back();
        auto p = o.projections.find(x.index);
        if (p != o.projections.end()) idx->projection = p->second;
        if (local) idx->key_schema.push_back({pk_name, ops::key_type::hash});
        if (!local && o.billing_mode == ops::billing_mode::provisioned) idx->throughput = o.throughput;
      }
      bool listed = false;
      for (const auto& k : idx->key_schema) listed |= k.attribute_name == m.name;
      if (listed) continue;  // declared by another model of the family too
      if (x.kind == index_role::gsi_partition) {
        idx->key_schema.insert(idx->key_schema.begin(), {std::string(m.name), ops::key_type::hash});
      } else {
        idx->key_schema.push_back({std::string(m.name), ops::key_type::range});
      }
    }
  }
  return r;
}

index_keys_info index_keys(const model_desc& d, std::span<const model_desc* const> family, std::string_view index) {
  index_keys_info ix;
  bool local = false;
  for (const model_desc* f : family) {
    for (std::size_t i = 0; i < f->index_count; ++i) {
      const index_decl& x = f->indexes[i];
      if (x.index != index) continue;
      if (x.kind == index_role::gsi_partition) {
        ix.partition = f->members[x.member].name;
        ix.partition_scalar = f->members[x.member].scalar;
      } else {
        ix.sort = f->members[x.member].name;
      }
      local |= x.kind == index_role::lsi_sort;
    }
  }
  auto table_keys = key_name_list(d);
  if (local) {
    ix.partition = table_keys.at(0);
    ix.partition_scalar = d.partition_key->scalar;
  }
  if (ix.partition.empty()) {
    throw validation_error(std::string(index), "the model declares no index of this name (gsi_key/lsi_sort_key)");
  }
  ix.position = {ix.partition};
  if (!ix.sort.empty()) ix.position.push_back(ix.sort);
  for (auto& k : table_keys) {
    if (std::find(ix.position.begin(), ix.position.end(), k) == ix.position.end()) ix.position.push_back(k);
  }
  return ix;
}

void check_index_key_value(const index_keys_info& ix, std::string_view index, const attribute_value& v) {
  const value_type want = ix.partition_scalar == 'N' ? value_type::n : ix.partition_scalar == 'B' ? value_type::b : value_type::s;
  if (v.type() != want) {
    throw validation_error(ix.partition, "the partition key of index '" + std::string(index) + "' is " +
                                             std::string(type_tag(want)) + ", the value is " +
                                             std::string(type_tag(v.type())));
  }
}

namespace {
/// An action that gives an attribute a value when the item does not exist yet (SET of a value, ADD).
bool creates(const update_action& a, std::string_view name) {
  return a.path.size() == 1 && !a.path[0].is_index && a.path[0].name == name &&
         (a.k == update_action::kind::set || a.k == update_action::kind::set_if_not_exists ||
          a.k == update_action::kind::add);
}
}  // namespace

ops::update_item_request build_update(const model_desc& d, const std::string& table, const item& key,
                                      std::vector<update_action> actions, const cond_node* cond,
                                      ops::return_values rv, update_mode mode) {
  // Keys cannot be updated (DynamoDB would reject it; say which before sending).
  for (const auto& a : actions) {
    if (a.path.empty() || a.path[0].is_index) continue;
    const std::string& n = a.path[0].name;
    if (n == d.partition_key->name || (d.sort_key && n == d.sort_key->name)) {
      throw validation_error(n, "key attributes cannot be updated; write a new item instead");
    }
  }
  // TTL attributes are stored as epoch seconds, whatever the C++ type.
  if (d.ttl) {
    for (auto& a : actions) {
      if (a.path.size() == 1 && a.path[0].name == d.ttl->name && a.value.is_string()) {
        if (auto ts = parse_timestamp(a.value.as_string())) a.value = ttl_to_attribute(*ts);
      }
    }
  }
  // Versions go up by one on every write.
  if (d.version) {
    bool touched = false;
    for (const auto& a : actions) touched |= !a.path.empty() && a.path[0].name == d.version->name;
    if (!touched && !actions.empty()) {
      actions.push_back(
          {update_action::kind::add, {{std::string(d.version->name), 0, false}}, attribute_value::number(1), {}, '+'});
    }
  }
  // An upsert may create the item: it must give every required member a value, or the item it creates
  // could not be read back.
  if (mode == update_mode::upsert && !actions.empty()) {
    std::vector<validation_issue> missing;
    for (const auto& m : d) {
      if (m.kind == role::partition_key || m.kind == role::sort_key || m.kind == role::version) continue;
      if (m.ops->may_be_absent || m.fill_default) continue;
      bool set = false;
      for (const auto& a : actions) set |= creates(a, m.name);
      if (!set) {
        missing.push_back({std::string(m.name),
                           "upsert() must set every required member (the item may not exist yet); use update() to "
                           "change an existing item"});
      }
    }
    if (!missing.empty()) throw validation_error(std::move(missing));
  }
  // update() changes an existing item only: without this condition, UpdateItem would create an item holding
  // nothing but the updated members. Subtypes: only items of this subtype are changed (an upsert also
  // creates one, with its tag).
  std::string guard;
  render_context ctx;
  if (!actions.empty()) {
    if (d.tag.empty()) {
      if (mode == update_mode::update) guard = "attribute_exists(" + ctx.name(d.partition_key->name) + ")";
    } else if (mode == update_mode::update) {
      guard = ctx.name(d.discriminator) + " = " + ctx.value(attribute_value::string(std::string(d.tag)));
    } else {
      actions.push_back({update_action::kind::set, {{std::string(d.discriminator), 0, false}},
                         attribute_value::string(std::string(d.tag)), {}, '+'});
      std::string pk = ctx.name(d.partition_key->name);
      std::string tag = ctx.name(d.discriminator);
      guard = "attribute_not_exists(" + pk + ") OR " + tag + " = " + ctx.value(attribute_value::string(std::string(d.tag)));
    }
  }
  ops::update_item_request r;
  r.table_name = table;
  r.key = key;
  r.update_expression = render_update(actions, ctx);
  r.condition_expression = guard;
  if (cond) {
    std::string user = render_condition(*cond, ctx);
    r.condition_expression = and_conditions(guard, user);
  }
  r.expression_attribute_names = std::move(ctx.names());
  r.expression_attribute_values = std::move(ctx.values());
  if (auto size = item_size(r.expression_attribute_values); size > max_item_bytes) {
    throw validation_error("", "the update's values are larger than DynamoDB's 400 KB item limit (" +
                                   std::to_string(size) + " bytes)");
  }
  r.return_values = rv;
  r.return_old_on_condition_failure = !r.condition_expression.empty();
  return r;
}

}  // namespace dynantic::detail
