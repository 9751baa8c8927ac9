#pragma once
/// @file writes.hpp
/// The requests that write one model's item: PutItem (save, create), DeleteItem (delete_item) and UpdateItem
/// (update, upsert), built from the model's description by non-template code (src/ops/writes.cpp) so that every
/// path (single writes, transactions, batches) applies the same rules: auto-UUIDs, versions, TTL, subtype tags
/// and guards, DynamoDB's limits. Also `updater<M>`, what update()/upsert() return.

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/expr/expr.hpp>
#include <dynantic/expr/update.hpp>
#include <dynantic/model/errors.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/ops/operations.hpp>

namespace dynantic {

/// A condition written as DynamoDB expression text with its own `#name` / `:value` maps. Typed conditions
/// (attr(&User::age) >= 18) render to this. Placeholders starting with `#dy_` / `:dy_` are reserved.
struct condition_expression {
  /// ConditionExpression, with `#n` / `:v` placeholders
  std::string expression{};
  /// Its ExpressionAttributeNames.
  ops::attribute_names names{};
  /// Its ExpressionAttributeValues.
  ops::attribute_values values{};
  /// No condition.
  bool empty() const { return expression.empty(); }
};

namespace detail {
/// A typed condition as expression text (src/ops/writes.cpp).
condition_expression render_condition_expression(const cond_node* c);
/// `c` on model M rendered, checked at compile time to be on M (or on no model).
template <class M, class C>
condition_expression to_expression(const condition<C>& c) {
  static_assert(std::is_same_v<C, M> || std::is_void_v<C>, "dynantic: the condition is on another model");
  return render_condition_expression(c.node().get());
}

std::string and_conditions(const std::string& a, const std::string& b);
/// Adds a user's condition to a request's. @throws validation_error for placeholders reserved by dynantic
void merge_condition(const condition_expression& cond, std::string& expression, ops::attribute_names& names,
                     ops::attribute_values& values);
/// What every write path does to a model before it is stored: fill empty auto-UUID keys and increment the
/// version. @return the version the stored item is expected to have (0 without a version member).
std::int64_t prepare_write(const model_desc& d, void* model);
/// Encodes a model's item to DynamoDB-JSON. @throws validation_error (its problems; over 400 KB)
void encode_checked(const model_desc& d, const void* model, std::string& json);
/// For a subtype, updates, deletes and condition checks hold only when the item is absent or of this subtype.
void add_subtype_guard(const model_desc& d, std::string& expression, ops::attribute_names& names,
                       ops::attribute_values& values);
/// The PutItem of save()/create(): prepares `staged` (auto-UUIDs, version) and adds the version condition.
ops::put_item_request put_request(const model_desc& d, const std::string& table, void* staged,
                                  const condition_expression& cond, bool insert_only);
/// The DeleteItem of delete_item(): with `model`, only while its version is current.
ops::delete_item_request delete_request(const model_desc& d, const std::string& table, item key,
                                        const condition_expression& cond, const void* model);
/// update(): the item must exist; upsert(): it may be created, so every required member must be set.
enum class update_mode { update, upsert };
/// The UpdateItem of an update: keys refused, TTL converted, version incremented, the existence condition
/// (update) or the required members checked (upsert), subtype tag and guard.
ops::update_item_request build_update(const model_desc& d, const std::string& table, const item& key,
                                      std::vector<update_action> actions, const cond_node* cond, ops::return_values rv,
                                      update_mode mode);
/// An update as one action of TransactWriteItems.
ops::transact_write update_action_of(ops::update_item_request r);

/// A failed condition of a write of M, rethrown typed. `guarded`: the request carried the subtype guard, so a
/// stored item of another subtype is why it failed (wrong_subtype).
template <class M>
[[noreturn]] void throw_typed_conflict(const conditional_check_failed& e, std::string_view table,
                                       bool guarded = false) {
  if constexpr (subtype<M>) {
    if (guarded && e.old_item()) {
      try {
        require_tag<M>(*e.old_item());
      } catch (const wrong_subtype& w) {
        throw_read_error(w, desc_of<M>(), table, *e.old_item());
      }
    }
  }
  throw conditional_check_failed_for<M>(e);
}
}  // namespace detail

/// What an update returned (ReturnValues): the whole item for all_old/all_new, the touched attributes
/// for updated_old/updated_new.
template <class M>
struct update_result {
  /// What DynamoDB returned (ReturnValues), raw.
  std::optional<item> attributes;
  /// The returned item as the model (for all_old / all_new). @throws validation_error for partial items.
  std::optional<result_t<M>> model() const {
    if (!attributes) return std::nullopt;
    return detail::decode_stored<M>(*attributes);
  }
  /// One returned attribute, typed (for updated_old / updated_new): nothing when it was not returned.
  /// @throws validation_error when it does not convert.
  template <class U, class C>
  std::optional<U> get(U C::*member) const {
    if (!attributes) return std::nullopt;
    auto name = detail::stored_name<M>(member);
    auto it = attributes->find(name);
    if (it == attributes->end()) return std::nullopt;
    conversion_context c;
    conversion_context::scope s(c, name);
    U v{};
    converter<U>::from_attribute(it->second, v, c);
    c.throw_if_failed();
    return v;
  }
};

/// What table<M>::update(key...) and upsert(key...) return: the update actions (update_expression), a condition,
/// and what to return. Holds copies of what it needs (the client of the table as of its creation, the table's
/// name, the key), so an updater of a temporary table is safe.
template <class M>
class updater : public update_expression<M, updater<M>> {
 public:
  /// The model updated.
  using model_type = M;
  /// Made by table<M>::update() / upsert() / tx_update() / tx_upsert().
  updater(client c, std::string table, item key, detail::update_mode mode)
      : client_(std::move(c)), table_(std::move(table)), key_(std::move(key)), mode_(mode) {}
  /// Only when `c` holds (ConditionExpression); several calls are joined with AND.
  template <class C>
  updater& condition(const dynantic::condition<C>& c) {
    static_assert(std::is_same_v<C, M> || std::is_void_v<C>, "dynantic: the condition is on another model");
    cond_ = cond_.empty() ? dynantic::condition<M>(c.node()) : (cond_ && c);
    return *this;
  }
  /// What execute() returns: all_old, updated_old, all_new, updated_new (ReturnValues).
  updater& return_values(ops::return_values r) {
    return_ = r;
    return *this;
  }
  /// Sends the UpdateItem.
  /// @throws validation_error (empty update, key attributes, an upsert that leaves a required member unset;
  ///         nothing sent), item_not_found (update() of a key without an item), conditional_check_failed_for<M>
  ///         (the condition), wrong_subtype (the item is another subtype)
  update_result<M> execute() const {
    auto r = request(return_);
    try {
      return {ops::update_item(client_, r).attributes};
    } catch (const conditional_check_failed& e) {
      // Every update carries a condition that asks for the stored item on failure: none means there is none.
      if (mode_ == detail::update_mode::update && !e.old_item()) throw item_not_found(e, table_, key_);
      detail::throw_typed_conflict<M>(e, table_, true);
    }
  }
  /// execute() on the client's async engine (async.hpp): the same checks, result and errors, delivered by the task.
  task<update_result<M>> async_execute() const {
    std::exception_ptr invalid;
    ops::update_item_request r;
    try {
      r = request(return_);
    } catch (...) {
      invalid = std::current_exception();
    }
    return send_async(client_, table_, key_, mode_, std::move(r), std::move(invalid));
  }
  /// The same update as one action of transact_write.
  ops::transact_write as_transaction() const { return detail::update_action_of(request(ops::return_values::none)); }

 private:
  static task<update_result<M>> send_async(client c, std::string table, item key, detail::update_mode mode,
                                           ops::update_item_request r, std::exception_ptr invalid) {
    if (invalid) std::rethrow_exception(invalid);
    try {
      auto t = ops::async_update_item(std::move(c), std::move(r));
      auto w = co_await std::move(t);
      co_return update_result<M>{std::move(w.attributes)};
    } catch (const conditional_check_failed& e) {
      if (mode == detail::update_mode::update && !e.old_item()) throw item_not_found(e, table, key);
      detail::throw_typed_conflict<M>(e, table, true);
    }
  }
  ops::update_item_request request(ops::return_values rv) const {
    return detail::build_update(detail::desc_of<M>(), table_, key_, this->actions(), cond_.node().get(), rv, mode_);
  }
  client client_;
  std::string table_;
  item key_;
  dynantic::condition<M> cond_;
  ops::return_values return_ = ops::return_values::none;
  detail::update_mode mode_;
};

}  // namespace dynantic
