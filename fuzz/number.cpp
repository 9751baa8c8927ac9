// DynamoDB numbers: a text check_number accepts has a canonical form that is itself valid, canonical, and equal
// as a decimal; a text it rejects is rejected by dy::decimal too. Exact arithmetic never gives an invalid number.
#include <dynantic/error.hpp>
#include <dynantic/model/types.hpp>
#include <dynantic/value/codec.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dy = dynantic;
  std::string_view text = fuzz_text(data, size);
  if (auto why = dy::codec::check_number(text)) {
    bool threw = false;
    try {
      dy::decimal d(text);
    } catch (const dy::validation_error&) {
      threw = true;
    }
    FUZZ_CHECK(threw);
    return 0;
  }
  std::string c = dy::codec::canonical_number(text);
  FUZZ_CHECK(!dy::codec::check_number(c));
  FUZZ_CHECK(dy::codec::canonical_number(c) == c);
  dy::decimal d(text), e(c);
  FUZZ_CHECK(d == e);
  FUZZ_CHECK(d.canonical() == c);
  FUZZ_CHECK(!(d < e) && !(e < d));
  try {
    dy::decimal sum = d + d, diff = sum - d;
    FUZZ_CHECK(!dy::codec::check_number(sum.text()));
    FUZZ_CHECK(diff == d);
  } catch (const dy::arithmetic_error&) {
    // 2d does not fit DynamoDB's range: an error, never a rounded value
  }
  FUZZ_CHECK(-(-d) == d);
  return 0;
}
