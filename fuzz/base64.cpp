// Base64 as DynamoDB uses it for B and BS: any bytes encode and decode back; a text that decodes is the
// encoding of what it decodes to (one text per value, so equal binaries compare equal on the wire).
#include <dynantic/value/codec.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dy = dynantic;
  std::string_view text = fuzz_text(data, size);
  std::string encoded = dy::codec::base64_encode(text);
  auto back = dy::codec::base64_decode(encoded);
  FUZZ_CHECK(back && *back == text);
  if (auto raw = dy::codec::base64_decode(text)) FUZZ_CHECK(dy::codec::base64_encode(*raw) == text);
  return 0;
}
