#pragma once
/// @file codec.hpp
/// DynamoDB-JSON: the wire form of items (`{"id":{"S":"u-1"},"n":{"N":"12.5"}}`).
/// The reader uses simdjson (hidden in the library); the writer is a small purpose-built writer.
/// Both are lossless for every type and check DynamoDB's rules: valid UTF-8, numbers within
/// 38 significant digits and exponent -130..+125, no empty or duplicate sets.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <dynantic/value/attribute_value.hpp>

namespace dynantic::codec {

/// Appends the DynamoDB-JSON of `it` (an object of attribute name -> typed value) to `out`.
/// @throws validation_error with every problem and its path; `out` is left unchanged then.
void write_item(std::string& out, const item& it);
/// An item as DynamoDB-JSON: {"id":{"S":"a"},"n":{"N":"1"}}.
std::string write_item(const item& it);

/// Appends the DynamoDB-JSON of one value (`{"S":"x"}`) to `out`.
/// @throws validation_error
void write_value(std::string& out, const attribute_value& v);

/// Parses a DynamoDB-JSON object of attributes (the inverse of write_item).
/// @throws decode_error when the text is not JSON or not DynamoDB-JSON; validation_error when a number
///         breaks DynamoDB's limits.
item read_item(std::string_view json);

/// Parses one DynamoDB-JSON value (`{"N":"1"}`).
attribute_value read_value(std::string_view json);

/// Validates a DynamoDB number's text. Returns an explanation when it is invalid, nothing when valid.
std::optional<std::string> check_number(std::string_view text);

/// The canonical form of a valid number (no leading/trailing zeros, exponent form when needed), so
/// that `1.50`, `1.5` and `15E-1` compare equal. Precondition: check_number(text) is empty.
std::string canonical_number(std::string_view text);

/// Base64 (RFC 4648, with padding), as DynamoDB uses for B and BS.
std::string base64_encode(std::string_view raw);
/// @return nothing when `text` is not valid padded base64, or not the canonical text of its bytes (bits left over
///         by the padding not zero), so that equal binaries have one text.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace dynantic::codec

namespace dynantic::detail {
/// DynamoDB's rule for table and index names: 3 to 255 characters of A-Z a-z 0-9 _ . -
constexpr bool valid_table_name(std::string_view n) {
  if (n.size() < 3 || n.size() > 255) return false;
  for (char c : n) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}
/// How `s` goes into a JSON string: as it is and all ASCII, as it is with other bytes (UTF-8 to be checked), or
/// with escapes (a quote, a backslash or a control character).
enum class json_text : unsigned char { ascii, plain, escaped };
json_text json_string_class(std::string_view s);
/// Appends `s` as a JSON string (quotes and escapes). @return true when `s` is all ASCII.
bool append_json_string(std::string& out, std::string_view s);
/// DynamoDB's size of an item (attribute names + values), as counted against the 400 KB item limit.
std::size_t item_size(const item& it);
}  // namespace dynantic::detail
