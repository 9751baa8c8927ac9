#pragma once
/// @file attribute_value.hpp
/// The raw DynamoDB value: one of S, N, B, BOOL, NULL, M, L, SS, NS, BS. Numbers are kept as their exact
/// decimal text; binary is kept as raw bytes (base64 only on the wire).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dynantic {

class attribute_value;

/// An item (or a key, or the M of a map value): attribute name -> value, ordered by name so that
/// encoding is deterministic. Heterogeneous lookup by std::string_view works.
using item = std::map<std::string, attribute_value, std::less<>>;

/// The ten DynamoDB attribute types.
enum class value_type : std::uint8_t { null, s, n, b, boolean, m, l, ss, ns, bs };

/// The DynamoDB-JSON tag of a type: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view type_tag(value_type t) noexcept;

/// Tag types to construct sets and numbers explicitly.
struct number_text_t {};
/// The tag value (reserved).
inline constexpr number_text_t number_text{};

/// A DynamoDB attribute value. Regular (copyable, comparable). Accessors throw std::logic_error when
/// asked for the wrong type; check type() first or use the is_*() predicates.
class attribute_value {
 public:
  /// NULL.
  attribute_value() noexcept = default;

  // ---- factories: the unambiguous way to build each type ----
  /// NULL.
  static attribute_value null() { return {}; }
  /// S. Must be valid UTF-8; checked when encoded (codec::write_* throws validation_error).
  static attribute_value string(std::string s);
  /// N from decimal text, validated now against DynamoDB's limits (throws validation_error).
  static attribute_value number(std::string_view text);
  /// N from decimal text that is known to be valid (the codec's reader has checked it already).
  static attribute_value number_unchecked(std::string text);
  /// N from an integer (always valid).
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) static attribute_value number(I v) {
    return number_unchecked(std::to_string(v));
  }
  /// B from raw bytes.
  static attribute_value binary(std::span<const std::byte> raw);
  /// B from raw bytes held in a string (any bytes, not text).
  static attribute_value binary_from_string(std::string raw);
  /// BOOL.
  static attribute_value boolean(bool b);
  /// M.
  static attribute_value map(item m);
  /// L.
  static attribute_value list(std::vector<attribute_value> l);
  /// SS; duplicates and an empty set are refused when encoded.
  static attribute_value string_set(std::vector<std::string> ss);
  /// NS; every element is validated now (throws validation_error).
  static attribute_value number_set(std::vector<std::string> ns);
  /// NS of elements known to be valid (the codec's reader has checked them).
  static attribute_value number_set_unchecked(std::vector<std::string> ns);
  /// BS, each element raw bytes held in a string.
  static attribute_value binary_set(std::vector<std::string> bs);

  // ---- convenient implicit construction for literals in hand-written items ----
  /// S (implicit, for items written by hand: {{"id", "a"}}).
  attribute_value(const char* s) : attribute_value(string(s)) {}  // NOLINT
  /// S (implicit).
  attribute_value(std::string s) : attribute_value(string(std::move(s))) {}  // NOLINT
  /// S (implicit).
  attribute_value(std::string_view s) : attribute_value(string(std::string(s))) {}  // NOLINT
  /// N from an integer (implicit).
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) attribute_value(I v)
      : attribute_value(number(v)) {}  // NOLINT
  /// BOOL (implicit).
  attribute_value(bool b) : attribute_value(boolean(b)) {}  // NOLINT
  /// M (implicit).
  attribute_value(item m) : attribute_value(map(std::move(m))) {}  // NOLINT

  /// Which of the ten DynamoDB types it holds.
  value_type type() const noexcept { return type_; }
  /// NULL.
  bool is_null() const noexcept { return type_ == value_type::null; }
  /// S.
  bool is_string() const noexcept { return type_ == value_type::s; }
  /// N.
  bool is_number() const noexcept { return type_ == value_type::n; }
  /// B.
  bool is_binary() const noexcept { return type_ == value_type::b; }
  /// BOOL.
  bool is_bool() const noexcept { return type_ == value_type::boolean; }
  /// M.
  bool is_map() const noexcept { return type_ == value_type::m; }
  /// L.
  bool is_list() const noexcept { return type_ == value_type::l; }

  /// S text.
  const std::string& as_string() const;
  /// N decimal text, exactly as stored.
  const std::string& as_number_text() const;
  /// B raw bytes.
  std::span<const std::byte> as_binary() const;
  /// B raw bytes as a string (bytes, not text).
  const std::string& as_binary_string() const;
  /// BOOL value.
  bool as_bool() const;
  /// M entries.
  const item& as_map() const;
  /// M entries, to change.
  item& as_map();
  /// L elements.
  const std::vector<attribute_value>& as_list() const;
  /// L elements, to change.
  std::vector<attribute_value>& as_list();
  /// Elements of SS, NS (decimal text) or BS (raw bytes).
  const std::vector<std::string>& as_set() const;

  /// Same type and same value as stored: numbers by their text ("1.50" != "1.5"), sets element by element.
  friend bool operator==(const attribute_value& a, const attribute_value& b);

 private:
  void expect(value_type t) const;

  value_type type_ = value_type::null;
  bool bool_ = false;
  std::string text_;                   // S, N, B (raw bytes)
  std::vector<std::string> set_;       // SS, NS, BS
  std::vector<attribute_value> list_;  // L
  item map_;                           // M
};

}  // namespace dynantic
