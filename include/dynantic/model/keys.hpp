#pragma once
/// @file keys.hpp
/// The key codec. A model's key has three forms, each made by one function over the model's description:
/// an item (`key_of_model`, `key_of_parts`), DynamoDB-JSON (`key_json_and_text`) and the canonical key text
/// (`key_text`, `append_key_text`) by which batches de-duplicate keys and match answers to requests and
/// transactions find two actions on one item. The typed side (`key_type_t<M>`, `key_from_item<M>`) gives the
/// key the C++ types of the model's key members.

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/model/model.hpp>

namespace dynantic {

/// The sort key type of a model without a sort key.
struct no_sort_key;

namespace detail {

// ---------------------------------------------------------------- canonical key text
// table + '\n', then per key attribute: name, '\x1f', type letter, value, '\x1e'. Numbers are canonical, so 1 and
// 1.0 are one key; binary values are base64.

/// Appends one key attribute's canonical text.
void append_key_text(std::string& out, std::string_view name, const attribute_value& v);
/// append_key_text of a string (S) value, without building an attribute_value.
void append_key_text_string(std::string& out, std::string_view name, std::string_view s);
/// The key text of the key attributes of `it` named in `names`, in that order (absent ones left out).
std::string key_text(std::string_view table, const item& it, const std::vector<std::string>& names);
/// The key text of a key item, its attributes in name order.
std::string key_text(std::string_view table, const item& key);

// ---------------------------------------------------------------- a model's key, from its description
// All @throws validation_error (a key value DynamoDB would refuse: empty, too long), with the member's path.

/// The key attribute names, partition key first.
std::vector<std::string> key_names(const model_desc& d);
/// The key item of a model object.
item key_of_model(const model_desc& d, const void* model);
/// The key item of typed key parts (pointers to values of the key members' types; `sk` nullptr without one).
item key_of_parts(const model_desc& d, const void* pk, const void* sk);
/// The typed key parts of a stored item or key item (the inverse of key_of_parts).
void parts_of_key(const model_desc& d, const item& key, void* pk, void* sk);
/// The key text of a model object, without building an item.
std::string key_text_of_model(const model_desc& d, std::string_view table, const void* model);
/// Appends typed key parts as DynamoDB-JSON to `json` and their key text (append_key_text of each key attribute,
/// without a table name) to `text`, in one pass. @throws validation_error (a key DynamoDB would refuse)
void append_key_json_and_text(const model_desc& d, const void* pk, const void* sk, std::string& json,
                              std::string& text);

// ---------------------------------------------------------------- typed keys

/// The key type of a declaration without a partition key (already an error at the declaration): accepts any
/// value, so that uses of table<M> add no errors of their own.
struct no_partition_key {
  no_partition_key() = default;
  template <class T>
  no_partition_key(const T&) noexcept {}
};

template <class M>
struct key_types {
  static constexpr bool has_sort_key = has_role<M, role::sort_key>;
  using partition = std::conditional_t<has_role<M, role::partition_key>,
                                       typename role_type<M, role::partition_key>::type, no_partition_key>;
  using sort = std::conditional_t<has_sort_key, typename role_type<M, role::sort_key>::type, no_sort_key>;
  /// The partition key, or (partition, sort) for tables with a sort key.
  using key = std::conditional_t<has_sort_key, std::pair<partition, sort>, partition>;
};
template <class M>
using key_type_t = typename key_types<M>::key;

/// M's key attribute names (one list per model, alive as long as the program: the batch engine points to it).
template <class M>
const std::vector<std::string>& key_names_of() {
  static const std::vector<std::string> names = key_names(desc_of<M>());
  return names;
}

/// The key item of a typed key.
template <class M>
item key_item(const key_type_t<M>& k) {
  if constexpr (key_types<M>::has_sort_key) return key_of_parts(desc_of<M>(), &k.first, &k.second);
  else return key_of_parts(desc_of<M>(), &k, nullptr);
}

/// The typed key of a stored item or key item.
template <class M>
key_type_t<M> key_from_item(const item& it) {
  typename key_types<M>::partition pk{};
  if constexpr (key_types<M>::has_sort_key) {
    typename key_types<M>::sort sk{};
    parts_of_key(desc_of<M>(), it, &pk, &sk);
    return key_type_t<M>(std::move(pk), std::move(sk));
  } else {
    parts_of_key(desc_of<M>(), it, &pk, nullptr);
    return pk;
  }
}

}  // namespace detail
}  // namespace dynantic
