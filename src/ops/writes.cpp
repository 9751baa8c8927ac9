// The requests that write one model's item (include/dynantic/ops/writes.hpp), from its description.
#include <dynantic/ops/writes.hpp>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic::detail {

namespace {
constexpr std::size_t max_item_bytes = 400u * 1024;

// DynamoDB's 400 KB item limit (attribute names and values). The JSON text is longer than DynamoDB's size of
// the item: the exact size is measured only when the text is over the limit.
void check_item_size(const std::string& json) {
  if (json.size() <= max_item_bytes) return;
  if (auto size = item_size(codec::read_item(json)); size > max_item_bytes) {
    throw validation_error("", "item is larger than DynamoDB's 400 KB limit (" + std::to_string(size) + " bytes)");
  }
}
}  // namespace

condition_expression render_condition_expression(const cond_node* c) {
  condition_expression e;
  if (!c) return e;
  render_context ctx;
  e.expression = render_condition(*c, ctx);
  e.names = std::move(ctx.names());
  e.values = std::move(ctx.values());
  return e;
}

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

std::int64_t prepare_write(const model_desc& d, void* obj) {
  for (const member_desc& m : d) {
    if (m.fill_uuid) m.fill_uuid(model_desc::at(obj, m));
  }
  if (!d.version) return 0;
  std::int64_t expected = d.get_version(obj);
  d.set_version(obj, expected + 1);
  return expected;
}

void encode_checked(const model_desc& d, const void* obj, std::string& json) {
  encode_json(d, obj, json);  // validated
  check_item_size(json);
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
  encode_checked(d, staged, r.item_json);  // validation: nothing is sent on error
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
/// An action that gives an attribute a value when the item does not exist yet (SET of a value, ADD).
bool creates(const update_action& a, std::string_view name) {
  return a.path.size() == 1 && !a.path[0].is_index && a.path[0].name == name &&
         (a.k == update_action::kind::set || a.k == update_action::kind::set_if_not_exists ||
          a.k == update_action::kind::add);
}
}  // namespace

ops::update_item_request build_update(const model_desc& d, const std::string& table, const item& key,
                                      std::vector<update_action> actions, const cond_node* cond, ops::return_values rv,
                                      update_mode mode) {
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
      actions.push_back({update_action::kind::set,
                         {{std::string(d.discriminator), 0, false}},
                         attribute_value::string(std::string(d.tag)),
                         {},
                         '+'});
      std::string pk = ctx.name(d.partition_key->name);
      std::string tag = ctx.name(d.discriminator);
      guard =
          "attribute_not_exists(" + pk + ") OR " + tag + " = " + ctx.value(attribute_value::string(std::string(d.tag)));
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
    throw validation_error(
        "", "the update's values are larger than DynamoDB's 400 KB item limit (" + std::to_string(size) + " bytes)");
  }
  r.return_values = rv;
  r.return_old_on_condition_failure = !r.condition_expression.empty();
  return r;
}

ops::transact_write update_action_of(ops::update_item_request r) {
  ops::transact_write t;
  t.type = ops::transact_write::kind::update;
  t.table_name = std::move(r.table_name);
  t.data = std::move(r.key);
  t.update_expression = std::move(r.update_expression);
  t.condition_expression = std::move(r.condition_expression);
  t.expression_attribute_names = std::move(r.expression_attribute_names);
  t.expression_attribute_values = std::move(r.expression_attribute_values);
  t.return_old_on_condition_failure = !t.condition_expression.empty();
  return t;
}

}  // namespace dynantic::detail
