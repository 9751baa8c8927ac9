// Query cursors, unsigned and HMAC-signed: a cursor that decodes re-encodes to one that decodes to the same key,
// and never decodes for another query (another binding) or, when signed, under another key.
#include <dynantic/error.hpp>
#include <dynantic/query.hpp>
#include <dynantic/value/codec.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dy = dynantic;
  if (size < 1) return 0;
  const bool is_signed = data[0] & 1;
  std::string_view cursor = fuzz_text(data + 1, size - 1);
  const std::string binding = "users\n\npk = :a\nasc", other = "users\n\npk = :b\nasc";
  const std::string secret = is_signed ? "cursor secret" : "";
  dy::item key;
  try {
    key = dy::detail::decode_cursor(cursor, binding, secret);
  } catch (const dy::invalid_cursor&) {
    return 0;
  }
  std::string again = dy::detail::encode_cursor(key, binding, secret);
  FUZZ_CHECK(dy::detail::decode_cursor(again, binding, secret) == key);
  bool refused = false;
  try {
    dy::detail::decode_cursor(cursor, other, secret);
  } catch (const dy::invalid_cursor&) {
    refused = true;
  }
  FUZZ_CHECK(refused);
  if (is_signed) {
    refused = false;
    try {
      dy::detail::decode_cursor(cursor, binding, "another secret");
    } catch (const dy::invalid_cursor&) {
      refused = true;
    }
    FUZZ_CHECK(refused);
  }
  return 0;
}
