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
inline constexpr number_text_t number_text{};

/// A DynamoDB attribute value. Regular (copyable, comparable). Accessors throw std::logic_error when
/// asked for the wrong type; check type() first or use the is_*() predicates.
class attribute_value {
 public:
  /// NULL.
  attribute_value() noexcept = default;

  // ---- factories: the unambiguous way to build each type ----
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
  static attribute_value boolean(bool b);
  static attribute_value map(item m);
  static attribute_value list(std::vector<attribute_value> l);
  static attribute_value string_set(std::vector<std::string> ss);
  /// NS; every element is validated now (throws validation_error).
  static attribute_value number_set(std::vector<std::string> ns);
  static attribute_value number_set_unchecked(std::vector<std::string> ns);
  /// BS, each element raw bytes held in a string.
  static attribute_value binary_set(std::vector<std::string> bs);

  // ---- convenient implicit construction for literals in hand-written items ----
  attribute_value(const char* s) : attribute_value(string(s)) {}                    // NOLINT
  attribute_value(std::string s) : attribute_value(string(std::move(s))) {}         // NOLINT
  attribute_value(std::string_view s) : attribute_value(string(std::string(s))) {}  // NOLINT
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) attribute_value(I v)
      : attribute_value(number(v)) {}                              // NOLINT
  attribute_value(bool b) : attribute_value(boolean(b)) {}         // NOLINT
  attribute_value(item m) : attribute_value(map(std::move(m))) {}  // NOLINT

  value_type type() const noexcept { return type_; }
  bool is_null() const noexcept { return type_ == value_type::null; }
  bool is_string() const noexcept { return type_ == value_type::s; }
  bool is_number() const noexcept { return type_ == value_type::n; }
  bool is_binary() const noexcept { return type_ == value_type::b; }
  bool is_bool() const noexcept { return type_ == value_type::boolean; }
  bool is_map() const noexcept { return type_ == value_type::m; }
  bool is_list() const noexcept { return type_ == value_type::l; }

  /// S text.
  const std::string& as_string() const;
  /// N decimal text, exactly as stored.
  const std::string& as_number_text() const;
  /// B raw bytes.
  std::span<const std::byte> as_binary() const;
  /// B raw bytes as a string (bytes, not text).
  const std::string& as_binary_string() const;
  bool as_bool() const;
  const item& as_map() const;
  item& as_map();
  const std::vector<attribute_value>& as_list() const;
  std::vector<attribute_value>& as_list();
  /// Elements of SS, NS (decimal text) or BS (raw bytes).
  const std::vector<std::string>& as_set() const;

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
