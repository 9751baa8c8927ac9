// TransactWriteItems from typed actions (include/dynantic/bulk/transaction.hpp): the limits checked before
// sending, one idempotency token per call.
#include <dynantic/bulk/transaction.hpp>

#include <unordered_map>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic::detail {

ops::transact_write tx_put_action(const model_desc& d, const std::string& table, void* model,
                                  const condition_expression& cond, std::string& key_text_out) {
  auto r = put_request(d, table, model, cond, false);
  ops::transact_write t;
  t.type = ops::transact_write::kind::put;
  t.table_name = r.table_name;
  t.data_json = std::move(r.item_json);  // encoded once, by put_request
  key_text_out = key_text(table, key_of_model(d, model));
  t.condition_expression = std::move(r.condition_expression);
  t.expression_attribute_names = std::move(r.expression_attribute_names);
  t.expression_attribute_values = std::move(r.expression_attribute_values);
  t.return_old_on_condition_failure = true;
  return t;
}

ops::transact_write tx_key_action(const model_desc& d, const std::string& table, ops::transact_write::kind kind,
                                  item key, const condition_expression& cond) {
  ops::transact_write t;
  t.type = kind;
  t.table_name = table;
  t.data = std::move(key);
  add_subtype_guard(d, t.condition_expression, t.expression_attribute_names, t.expression_attribute_values);
  merge_condition(cond, t.condition_expression, t.expression_attribute_names, t.expression_attribute_values);
  t.return_old_on_condition_failure = !t.condition_expression.empty();
  return t;
}

void run_transact_write(const client& c, std::vector<ops::transact_write> actions,
                        const std::vector<std::string>& keys) {
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
