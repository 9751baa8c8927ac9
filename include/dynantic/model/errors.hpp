#pragma once
/// @file errors.hpp
/// The typed views of three errors for a model M: the same exceptions (catch either these or the untyped
/// bases of error.hpp), with what they carry decoded into M when asked for, so that an operation that
/// succeeds pays nothing for them.

#include <optional>
#include <vector>

#include <dynantic/error.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>

namespace dynantic {

/// conditional_check_failed from a write of M (save, create, delete_item, update), with the stored item
/// decoded into M when DynamoDB returned it.
template <class M>
class conditional_check_failed_for : public conditional_check_failed {
 public:
  /// The typed view of `e` (made by the table API).
  explicit conditional_check_failed_for(const conditional_check_failed& e) : conditional_check_failed(e) {}
  /// The stored item as M (for a polymorphic base: the variant of its subtypes), decoded from old_item() when
  /// asked for; nothing when DynamoDB did not return it or it does not decode (old_item() still has it).
  std::optional<result_t<M>> old_model() const {
    if (!old_item()) return std::nullopt;
    try {
      return detail::decode_stored<M>(*old_item());
    } catch (const error&) {
      return std::nullopt;
    }
  }
};

/// batch_write_incomplete from a batch of M (batch_save, batch_delete, batch_writer<M>): the unapplied requests
/// also as typed puts and keys.
template <class M>
class batch_write_incomplete_for : public batch_write_incomplete {
 public:
  /// The key of one item of M.
  using key_type = detail::key_type_t<M>;
  /// The typed view of `e` (made by the table API).
  explicit batch_write_incomplete_for(const batch_write_incomplete& e) : batch_write_incomplete(e) {}
  /// The items whose puts were not applied (as they were sent: auto-UUIDs filled, versions incremented).
  std::vector<M> unapplied_puts() const {
    std::vector<M> puts;
    for (const auto& [t, r] : unapplied()) {
      if (r.type != write_request::kind::put) continue;
      try {
        puts.push_back(from_item<M>(r.data));
      } catch (const error&) {  // not this model's: unapplied() still lists it
      }
    }
    return puts;
  }
  /// The keys whose deletes were not applied.
  std::vector<key_type> unapplied_deletes() const {
    std::vector<key_type> deletes;
    for (const auto& [t, r] : unapplied()) {
      if (r.type != write_request::kind::delete_) continue;
      try {
        deletes.push_back(detail::key_from_item<M>(r.data));
      } catch (const error&) {  // not this model's: unapplied() still lists it
      }
    }
    return deletes;
  }
};

/// batch_get_incomplete from table<M>::batch_get: what was fetched as models, what was not as typed keys.
template <class M>
class batch_get_incomplete_for : public batch_get_incomplete {
 public:
  /// The key of one item of M.
  using key_type = detail::key_type_t<M>;
  /// The typed view of `e` (made by the table API).
  explicit batch_get_incomplete_for(const batch_get_incomplete& e) : batch_get_incomplete(e) {}
  /// The items fetched before the batch gave up (those that decode into the model).
  std::vector<result_t<M>> fetched_models() const {
    std::vector<result_t<M>> out;
    for (const auto& [t, it] : fetched()) {
      try {
        out.push_back(detail::decode_stored<M>(it));
      } catch (const error&) {  // fetched() still has it
      }
    }
    return out;
  }
  /// The keys that were not answered, typed.
  std::vector<key_type> not_fetched_keys() const {
    std::vector<key_type> out;
    for (const auto& [t, k] : not_fetched()) out.push_back(detail::key_from_item<M>(k));
    return out;
  }
};

}  // namespace dynantic
