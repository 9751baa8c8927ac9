// DynamoDB number rules: up to 38 significant digits; magnitude 1E-130 .. 9.99...9E+125 (positive or
// negative), or zero. Leading and trailing zeros are not significant.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <dynantic/value/codec.hpp>

namespace dynantic::codec {
namespace {

struct decomposed {
  bool negative = false;
  std::string_view int_digits, frac_digits;
  std::int64_t exponent = 0;  // saturated
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Returns an error message, or fills `d`.
std::optional<std::string> decompose(std::string_view t, decomposed& d) {
  std::size_t i = 0;
  if (t.empty()) return "empty";
  if (t[i] == '+' || t[i] == '-') d.negative = t[i++] == '-';
  std::size_t start = i;
  while (i < t.size() && is_digit(t[i])) ++i;
  d.int_digits = t.substr(start, i - start);
  if (i < t.size() && t[i] == '.') {
    ++i;
    start = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    d.frac_digits = t.substr(start, i - start);
  }
  if (d.int_digits.empty() && d.frac_digits.empty()) return "not a decimal number";
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    if (i == t.size()) return "exponent without digits";
    std::int64_t e = 0;
    while (i < t.size() && is_digit(t[i])) {
      if (e < 1'000'000'000) e = e * 10 + (t[i] - '0');
      ++i;
    }
    d.exponent = neg ? -e : e;
  }
  if (i != t.size()) return "not a decimal number";
  return std::nullopt;
}

// Significant digits (without leading/trailing zeros) and the exponent of the last of them.
struct significand {
  std::string digits;
  std::int64_t exp_of_last = 0;  // value = digits * 10^exp_of_last
};

significand significant(const decomposed& d) {
  significand s;
  s.digits.reserve(d.int_digits.size() + d.frac_digits.size());
  s.digits.append(d.int_digits);
  s.digits.append(d.frac_digits);
  std::int64_t exp = d.exponent - static_cast<std::int64_t>(d.frac_digits.size());
  std::size_t lead = s.digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    s.digits.clear();
    return s;
  }
  std::size_t last = s.digits.find_last_not_of('0');
  exp += static_cast<std::int64_t>(s.digits.size() - 1 - last);
  s.digits = s.digits.substr(lead, last - lead + 1);
  s.exp_of_last = exp;
  return s;
}

}  // namespace

std::optional<std::string> check_number(std::string_view text) {
  decomposed d;
  if (auto why = decompose(text, d)) return why;
  // Fast path: a plain integer or decimal of at most 38 digits cannot break the limits.
  if (d.exponent == 0 && d.int_digits.size() + d.frac_digits.size() <= 38 && d.frac_digits.size() <= 130) {
    return std::nullopt;
  }
  significand s = significant(d);
  if (s.digits.empty()) return std::nullopt;  // zero
  if (s.digits.size() > 38) return "more than 38 significant digits";
  std::int64_t magnitude = s.exp_of_last + static_cast<std::int64_t>(s.digits.size()) - 1;
  if (magnitude > 125) return "magnitude above 9.9999999999999999999999999999999999999E+125";
  if (magnitude < -130) return "magnitude below 1E-130";
  return std::nullopt;
}

std::string canonical_number(std::string_view text) {
  decomposed d;
  decompose(text, d);
  significand s = significant(d);
  if (s.digits.empty()) return "0";
  std::string out;
  if (d.negative) out += '-';
  out += s.digits;
  if (s.exp_of_last != 0) {
    out += 'E';
    out += std::to_string(s.exp_of_last);
  }
  return out;
}

}  // namespace dynantic::codec
