// ISO-8601 texts: every parser of the model types (timestamp, naive, zoned, date) and the credentials' expiration
// parser. A text that parses formats to a text that parses to the same value, and formatting is a fixed point.
#include <dynantic/model/types.hpp>

#include "fuzz.hpp"
#include "wire/credentials.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dy = dynantic;
  std::string_view text = fuzz_text(data, size);
  if (auto t = dy::parse_timestamp(text)) {
    std::string f = dy::format_timestamp(*t);
    FUZZ_CHECK(dy::parse_timestamp(f) == t);
    FUZZ_CHECK(dy::format_timestamp(*dy::parse_timestamp(f)) == f);
  }
  if (auto t = dy::parse_naive(text)) {
    std::string f = dy::format_naive(*t);
    FUZZ_CHECK(dy::parse_naive(f) == t);
    FUZZ_CHECK(!dy::parse_zoned(text));  // a text has a zone or has none
  }
  if (auto t = dy::parse_zoned(text)) {
    std::string f = dy::format_zoned(*t);
    FUZZ_CHECK(dy::parse_zoned(f) == t);
    // the same instant, unless it lies outside the years a UTC timestamp is written in
    if (auto instant = dy::parse_timestamp(text)) FUZZ_CHECK(*instant == t->instant());
  }
  if (auto d = dy::parse_date(text)) {
    FUZZ_CHECK(d->ok());
    FUZZ_CHECK(dy::parse_date(dy::format_date(*d)) == d);
  }
  if (auto w = dy::detail::parse_utc_timestamp(text)) {
    // the same instant as the model's parser reads, to the second at least
    if (auto t = dy::parse_timestamp(text)) {
      auto diff = std::chrono::duration_cast<std::chrono::seconds>(w->time_since_epoch() - t->time_since_epoch());
      FUZZ_CHECK(diff.count() == 0);
    }
  }
  return 0;
}
