#pragma once
/// @file transaction.hpp
/// TransactWriteItems and TransactGetItems over typed actions: table<M>::tx_put / tx_update / tx_upsert /
/// tx_delete / tx_check build the actions, transact_write sends them (all or none), and on cancellation decodes
/// each action's stored item into its model; transact_get returns typed optionals.

#include <any>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/error.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/ops/operations.hpp>
#include <dynantic/ops/writes.hpp>

namespace dynantic {

/// One action of transact_write built by table<M> (tx_put, tx_delete, tx_check): the request, and the model
/// its stored item decodes into when the transaction is canceled.
template <class M>
struct tx_action : ops::transact_write {
  /// The model of the action's table.
  using model_type = M;
  std::string key_text{};  ///< the item's key (detail::key_text): a transaction touches an item once
};

/// One get of transact_get, built by table<M>::tx_get: the table and the key (owned: it outlives the table
/// handle it came from).
template <class M>
struct tx_get_action {
  /// The table to read.
  std::string table;
  /// The key of the item to read.
  item key;
};

namespace detail {
/// The Put of tx_put: `model` prepared as save() prepares it (auto-UUIDs, version and its condition), encoded once.
/// @throws validation_error
ops::transact_write tx_put_action(const model_desc& d, const std::string& table, void* model,
                                  const condition_expression& cond, std::string& key_text);
/// A Delete or ConditionCheck of `key`, with the subtype guard and the user's condition.
ops::transact_write tx_key_action(const model_desc& d, const std::string& table, ops::transact_write::kind kind,
                                  item key, const condition_expression& cond);
/// Checks DynamoDB's limits (100 actions, 4 MB, one action per item: `keys[i]` is action i's key text, empty when
/// unknown) before sending, then sends with a fresh idempotency token (reused by the client's retries, so a
/// retry after a lost answer is not applied twice).
void run_transact_write(const client& c, std::vector<ops::transact_write> actions,
                        const std::vector<std::string>& keys);

inline ops::transact_write to_action(ops::transact_write a) { return a; }
template <class A>
requires requires(const A& a) { a.as_transaction(); }
ops::transact_write to_action(const A& a) { return a.as_transaction(); }
/// The model of an action (tx_action<M>, updater<M>), void for plain requests.
template <class A>
struct action_model {
  using type = void;
};
template <class A>
requires requires { typename A::model_type; }
struct action_model<A> {
  using type = typename A::model_type;
};
/// Decodes a cancellation's stored item into the action's model (empty when it has none or does not decode).
template <class A>
std::any decode_old(const std::optional<item>& old) {
  using M = typename action_model<A>::type;
  if constexpr (std::is_void_v<M>) {
    return {};
  } else {
    if (!old) return {};
    try {
      return std::any(detail::decode_stored<M>(*old));
    } catch (const error&) {
      return {};
    }
  }
}
template <class A>
std::string tx_key(const A& a, const ops::transact_write& w) {
  if constexpr (requires { a.key_text; }) {
    if (!a.key_text.empty()) return a.key_text;
  }
  return w.type == ops::transact_write::kind::put ? std::string() : key_text(w.table_name, w.data);
}
}  // namespace detail

/// TransactWriteItems: all the actions or none. Actions come from tables: users.tx_put(u, cond),
/// users.tx_update(key).add(...), users.tx_delete(key, cond), users.tx_check(key, cond).
/// @throws validation_error (more than 100 actions or 4 MB, two actions on one item; nothing sent),
///         transaction_canceled (a reason per action index, with the stored item where DynamoDB returned it,
///         decoded into the action's model: e.old_model<Account>(index))
template <class... A>
void transact_write(const client& c, const A&... actions) {
  std::vector<ops::transact_write> list;
  list.reserve(sizeof...(A));
  (list.push_back(detail::to_action(actions)), ...);
  std::vector<std::string> keys;
  keys.reserve(sizeof...(A));
  {
    std::size_t i = 0;
    ((keys.push_back(detail::tx_key(actions, list[i])), ++i), ...);
  }
  try {
    detail::run_transact_write(c, std::move(list), keys);
  } catch (transaction_canceled& e) {
    std::vector<std::any> models;
    models.reserve(sizeof...(A));
    std::size_t i = 0;
    auto old_of = [&](std::size_t index) -> const std::optional<item>& {
      static const std::optional<item> none;
      for (const auto& r : e.reasons()) {
        if (r.index == index) return r.old;
      }
      return none;
    };
    ((models.push_back(detail::decode_old<std::remove_cvref_t<A>>(old_of(i))), ++i), ...);
    e.old_models_ = std::move(models);  // index-aligned with the actions
    throw;
  }
}
/// TransactWriteItems of plain requests (no typed old items).
inline void transact_write(const client& c, std::vector<ops::transact_write> actions) {
  std::vector<std::string> keys;
  for (const auto& a : actions) keys.push_back(detail::tx_key(a, a));
  detail::run_transact_write(c, std::move(actions), keys);
}

/// TransactGetItems: a consistent snapshot of several items, possibly of different models and tables.
/// @return one optional per get, typed: std::tuple<std::optional<A>, std::optional<B>, ...>
/// Polymorphic bases give std::optional<std::variant<...>>; subtypes check the stored tag (wrong_subtype).
/// @throws validation_error (more than 100 gets; nothing sent)
template <class... M>
std::tuple<std::optional<result_t<M>>...> transact_get(const client& c, const tx_get_action<M>&... gets) {
  ops::transact_get_items_request r;
  (r.items.push_back({gets.table, gets.key, {}, {}}), ...);
  if (r.items.size() > 100) throw validation_error("", "a transaction has at most 100 actions");
  auto res = ops::transact_get_items(c, r);
  std::size_t i = 0;
  auto one = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const auto& it = res.items.at(i++);
    const auto& table = r.items[i - 1].table_name;
    return it ? std::optional<result_t<T>>(detail::decode_read<T>(table, *it)) : std::optional<result_t<T>>();
  };
  return std::tuple<std::optional<result_t<M>>...>{one(static_cast<M*>(nullptr))...};
}

}  // namespace dynantic
