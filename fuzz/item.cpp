// DynamoDB-JSON items (what every answer carries): read → write → read gives the same item, and writing is
// deterministic. Anything unreadable must be a decode_error or validation_error.
#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dy = dynantic;
  dy::item first;
  try {
    first = dy::codec::read_item(fuzz_text(data, size));
  } catch (const dy::decode_error&) {
    return 0;
  } catch (const dy::validation_error&) {
    return 0;
  }
  std::string text = dy::codec::write_item(first);  // what was read is writable
  dy::item second = dy::codec::read_item(text);
  FUZZ_CHECK(first == second);
  FUZZ_CHECK(dy::codec::write_item(second) == text);
  return 0;
}
