// Typed items: DynamoDB-JSON decoded straight into a model (the query path) and through an item (from_item) must
// agree, value for value or error for error; a decoded model encodes to JSON that decodes to the same model. Plain
// JSON (from_json, model_validate_json's counterpart) decodes to a model that round-trips too.
#include <dynantic/dynantic.hpp>

#include "fuzz.hpp"
#include "models.hpp"

namespace {
namespace dy = dynantic;
using fuzz_models::Wide;

bool same(const Wide& a, const Wide& b) {
  // doubles: NaN cannot come from DynamoDB numbers; compare the rest with ==
  return a == b;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text = fuzz_text(data + 1, size - 1);
  if (data[0] & 1) {  // plain JSON
    Wide m;
    try {
      m = dy::from_json<Wide>(text);
    } catch (const dy::decode_error&) {
      return 0;
    } catch (const dy::validation_error&) {
      return 0;
    }
    FUZZ_CHECK(same(dy::from_json<Wide>(dy::to_json(m)), m));
    return 0;
  }
  std::optional<Wide> direct, via_item;
  std::string direct_error, item_error;
  try {
    direct = dy::from_dynamodb_json<Wide>(text);
  } catch (const dy::decode_error& e) {
    direct_error = e.what();
  } catch (const dy::validation_error& e) {
    direct_error = e.what();
  }
  try {
    via_item = dy::from_item<Wide>(dy::codec::read_item(text));
  } catch (const dy::decode_error& e) {
    item_error = e.what();
  } catch (const dy::validation_error& e) {
    item_error = e.what();
  }
  if (via_item.has_value() && !direct.has_value()) {
    std::fprintf(stderr, "from_dynamodb_json: %s\nfrom_item(read_item): %s\n", direct ? "ok" : direct_error.c_str(),
                 via_item ? "ok" : item_error.c_str());
  }
  // An item that reads as an item reads as the model the same way. (Not the converse: the model path does not
  // look inside attributes the model does not have, as Pydantic ignores extra fields, while read_item checks
  // every number of the item.)
  if (via_item) FUZZ_CHECK(direct.has_value());
  if (!direct) return 0;
  if (via_item) FUZZ_CHECK(same(*direct, *via_item));
  std::string json = dy::to_dynamodb_json(*direct);
  FUZZ_CHECK(same(dy::from_dynamodb_json<Wide>(json), *direct));
  FUZZ_CHECK(dy::codec::read_item(json) == dy::to_item(*direct));
  return 0;
}
