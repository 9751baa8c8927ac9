#include <dynantic/model/types.hpp>

#include <sys/random.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic {

using namespace std::chrono;

timestamp now() { return time_point_cast<microseconds>(system_clock::now()); }

namespace {
/// A short text on the stack (the sink of the formatters below when no std::string is wanted).
struct fixed_text {
  char d[40];
  std::size_t n = 0;
  void operator+=(char c) { d[n++] = c; }
  void operator+=(const char* t) {
    while (*t) d[n++] = *t++;
  }
};

template <class S>
void put2(S& s, unsigned v) {
  s += static_cast<char>('0' + v / 10);
  s += static_cast<char>('0' + v % 10);
}

template <class S>
void put_date(S& s, year_month_day d) {
  int y = static_cast<int>(d.year());
  if (y < 0 || y > 9999) throw validation_error("", "year " + std::to_string(y) + " is outside 0000..9999");
  s += static_cast<char>('0' + y / 1000);
  s += static_cast<char>('0' + y / 100 % 10);
  put2(s, static_cast<unsigned>(y % 100));
  s += '-';
  put2(s, static_cast<unsigned>(d.month()));
  s += '-';
  put2(s, static_cast<unsigned>(d.day()));
}

bool digits(std::string_view t, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > t.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  out = v;
  return true;
}

std::optional<year_month_day> date_at(std::string_view t) {
  int y, m, d;
  if (t.size() < 10 || !digits(t, 0, 4, y) || t[4] != '-' || !digits(t, 5, 2, m) || t[7] != '-' ||
      !digits(t, 8, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}
}  // namespace

std::string format_date(year_month_day d) {
  std::string s;
  put_date(s, d);
  return s;
}

std::optional<year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return date_at(text);
}

namespace {
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]` of a time counted from 1970-01-01 (UTC or local: the same digits).
template <class S>
void put_date_time(S& s, microseconds since_epoch) {
  sys_time<microseconds> t{since_epoch};
  auto day = floor<days>(t);
  put_date(s, year_month_day{day});
  hh_mm_ss<microseconds> hms{t - day};
  s += 'T';
  put2(s, static_cast<unsigned>(hms.hours().count()));
  s += ':';
  put2(s, static_cast<unsigned>(hms.minutes().count()));
  s += ':';
  put2(s, static_cast<unsigned>(hms.seconds().count()));
  auto us = hms.subseconds().count();
  if (us != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    s += buf;
  }
}

/// The parts of an ISO-8601 date and time: the digits as a time since 1970-01-01, and the zone if any.
struct time_text {
  microseconds local;
  std::optional<minutes> offset;  // nothing: no zone; 0 for Z
};

std::optional<time_text> parse_time_text(std::string_view t) {
  auto d = date_at(t);
  if (!d || t.size() < 19 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ')) return std::nullopt;
  int h, mi, se;
  if (!digits(t, 11, 2, h) || t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, se)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  std::size_t pos = 19;
  long long us = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scale = 100000;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (scale > 0) us += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  time_text out{sys_days{*d}.time_since_epoch() + hours{h} + minutes{mi} + seconds{se} + microseconds{us}, {}};
  if (pos < t.size()) {
    if ((t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) {
      out.offset = minutes{0};
    } else if (t[pos] == '+' || t[pos] == '-') {
      int oh, om;
      if (!digits(t, pos + 1, 2, oh) || pos + 6 != t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om) ||
          oh > 23 || om > 59) {
        return std::nullopt;
      }
      minutes offset = hours{oh} + minutes{om};
      out.offset = t[pos] == '-' ? -offset : offset;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

void put_offset(std::string& s, minutes offset) {
  if (offset == minutes{0}) {
    s += 'Z';
    return;
  }
  s += offset < minutes{0} ? '-' : '+';
  auto m = static_cast<unsigned>(offset < minutes{0} ? -offset.count() : offset.count());
  put2(s, m / 60);
  s += ':';
  put2(s, m % 60);
}
}  // namespace

std::string format_timestamp(timestamp t) {
  char buf[32];
  return std::string(buf, detail::format_timestamp_to(t, buf));
}

std::size_t detail::format_timestamp_to(timestamp t, char (&out)[32]) {
  fixed_text s;
  put_date_time(s, t.time_since_epoch());
  s += 'Z';
  std::memcpy(out, s.d, s.n);
  return s.n;
}

std::optional<timestamp> parse_timestamp(std::string_view t) {
  auto p = parse_time_text(t);
  if (!p) return std::nullopt;
  timestamp instant{p->local - p->offset.value_or(minutes{0})};  // no zone: UTC
  // an offset can move the instant out of the years a timestamp is written in (found by fuzz/time.cpp:
  // 0000-01-01T12:34:10+22:00 is in year -1, which format_timestamp cannot write)
  int y = static_cast<int>(year_month_day(floor<days>(instant)).year());
  if (y < 0 || y > 9999) return std::nullopt;
  return instant;
}

std::string format_naive(naive_timestamp t) {
  std::string s;
  s.reserve(26);
  put_date_time(s, t.time_since_epoch());
  return s;
}

std::optional<naive_timestamp> parse_naive(std::string_view t) {
  auto p = parse_time_text(t);
  if (!p || p->offset) return std::nullopt;
  return naive_timestamp{p->local};
}

zoned_timestamp::zoned_timestamp(timestamp instant, minutes offset) : instant_(instant), offset_(offset) {
  if (offset <= -hours{24} || offset >= hours{24}) {
    throw validation_error("",
                           "a UTC offset is less than 24 hours (got " + std::to_string(offset.count()) + " minutes)");
  }
}

std::string format_zoned(const zoned_timestamp& t) {
  std::string s;
  s.reserve(32);
  put_date_time(s, t.local().time_since_epoch());
  put_offset(s, t.offset());
  return s;
}

std::optional<zoned_timestamp> parse_zoned(std::string_view t) {
  auto p = parse_time_text(t);
  if (!p || !p->offset) return std::nullopt;
  return zoned_timestamp(timestamp{p->local - *p->offset}, *p->offset);
}

// ---------------------------------------------------------------- decimal

decimal::decimal(std::string_view text) {
  if (auto why = codec::check_number(text)) {
    throw validation_error("", "invalid decimal '" + std::string(text) + "': " + *why);
  }
  text_ = std::string(text);
}

std::string decimal::canonical() const { return codec::canonical_number(text_); }

double decimal::to_double() const { return std::strtod(text_.c_str(), nullptr); }

int decimal::compare(const decimal& other) const {
  // Compare canonical forms: sign, then magnitude (digits * 10^exp).
  auto parse = [](const std::string& c, bool& neg, std::string& digits, long long& exp) {
    neg = !c.empty() && c[0] == '-';
    std::size_t start = neg ? 1 : 0;
    auto e = c.find('E');
    digits = c.substr(start, e == std::string::npos ? std::string::npos : e - start);
    exp = e == std::string::npos ? 0 : std::stoll(c.substr(e + 1));
  };
  std::string ca = canonical(), cb = other.canonical();
  if (ca == cb) return 0;
  bool na, nb;
  std::string da, db;
  long long ea, eb;
  parse(ca, na, da, ea);
  parse(cb, nb, db, eb);
  bool za = ca == "0", zb = cb == "0";
  int sa = za ? 0 : (na ? -1 : 1), sb = zb ? 0 : (nb ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  // same sign, both non-zero: compare magnitudes by the position of the leading digit, then digits
  long long ma = ea + static_cast<long long>(da.size()), mb = eb + static_cast<long long>(db.size());
  int mag;
  if (ma != mb) {
    mag = ma < mb ? -1 : 1;
  } else {
    std::size_t n = std::max(da.size(), db.size());
    da.resize(n, '0');
    db.resize(n, '0');
    mag = da < db ? -1 : (da > db ? 1 : 0);
  }
  return sa < 0 ? -mag : mag;
}

// ---------------------------------------------------------------- decimal arithmetic
//
// Exact: a value is sign, digits and the exponent of the last digit (the canonical form); results are computed
// on digit strings without any rounding, then checked against what DynamoDB stores (38 significant digits,
// magnitude 1E-130 .. 9.99...E+125). No Debian package does exact-or-error decimal arithmetic (mpdecimal is not
// in Debian 12; Boost.Multiprecision's decimal float rounds at its precision); numbers of 38 digits are small
// enough for schoolbook arithmetic (bench/bench_model.cpp: decimal_add, decimal_multiply).

namespace {
struct exact {
  bool negative = false;
  std::string digits;  // no leading or trailing zeros; empty for zero
  long long exp = 0;   // of the last digit
};

exact decompose_decimal(const decimal& d) {
  std::string c = d.canonical();
  exact x;
  if (c == "0") return x;
  std::size_t pos = 0;
  if (c[0] == '-') {
    x.negative = true;
    pos = 1;
  }
  auto e = c.find('E', pos);
  x.digits = c.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
  if (e != std::string::npos) x.exp = std::stoll(c.substr(e + 1));
  return x;
}

int compare_magnitude(const std::string& a, const std::string& b) {  // equal lengths, or leading zeros removed
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

std::string strip_leading(std::string s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}

std::string add_digits(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int s = carry;
    if (i < a.size()) s += a[a.size() - 1 - i] - '0';
    if (i < b.size()) s += b[b.size() - 1 - i] - '0';
    out += static_cast<char>('0' + s % 10);
    carry = s / 10;
  }
  return strip_leading(std::string(out.rbegin(), out.rend()));
}

std::string subtract_digits(const std::string& a, const std::string& b) {  // a >= b
  std::string out;
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    int s = (a[a.size() - 1 - i] - '0') - borrow - (i < b.size() ? b[b.size() - 1 - i] - '0' : 0);
    borrow = s < 0;
    out += static_cast<char>('0' + (s + 10) % 10);
  }
  return strip_leading(std::string(out.rbegin(), out.rend()));
}

std::string multiply_digits(const std::string& a, const std::string& b) {
  std::vector<int> r(a.size() + b.size(), 0);
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) r[i + j + 1] += (a[i] - '0') * (b[j] - '0');
  }
  for (std::size_t k = r.size(); k-- > 1;) {
    r[k - 1] += r[k] / 10;
    r[k] %= 10;
  }
  std::string out;
  for (int d : r) out += static_cast<char>('0' + d);
  return strip_leading(out);
}

[[noreturn]] void arithmetic_failed(const decimal& a, char op, const decimal& b, const std::string& why) {
  throw arithmetic_error("dy::decimal: " + a.text() + " " + op + " " + b.text() + ": " + why);
}

/// The decimal of an exact result, or arithmetic_error when DynamoDB cannot store it.
decimal make_decimal(exact x, const decimal& a, char op, const decimal& b) {
  x.digits = strip_leading(std::move(x.digits));
  if (x.digits.empty()) return decimal();
  while (x.digits.back() == '0') {
    x.digits.pop_back();
    ++x.exp;
  }
  if (x.digits.size() > 38) {
    arithmetic_failed(a, op, b,
                      "the exact result has " + std::to_string(x.digits.size()) +
                          " significant digits; DynamoDB keeps 38 (it would be rounded)");
  }
  const long long adjusted = x.exp + static_cast<long long>(x.digits.size()) - 1;
  if (adjusted > 125) arithmetic_failed(a, op, b, "the result is larger than DynamoDB's 9.99...E+125");
  if (adjusted < -130) arithmetic_failed(a, op, b, "the result is smaller in magnitude than DynamoDB's 1E-130");
  std::string text = x.negative ? "-" : "";
  const long long n = static_cast<long long>(x.digits.size());
  if (x.exp >= 0 && n + x.exp <= 38) {
    text += x.digits + std::string(static_cast<std::size_t>(x.exp), '0');
  } else if (x.exp < 0 && -x.exp < n) {
    text += x.digits.substr(0, static_cast<std::size_t>(n + x.exp)) + "." +
            x.digits.substr(static_cast<std::size_t>(n + x.exp));
  } else if (x.exp < 0 && -x.exp - n <= 6) {
    text += "0." + std::string(static_cast<std::size_t>(-x.exp - n), '0') + x.digits;
  } else {
    text += x.digits.substr(0, 1);
    if (n > 1) text += "." + x.digits.substr(1);
    text += "E" + std::to_string(adjusted);
  }
  return decimal(text);
}

exact add_exact(exact a, exact b) {
  if (a.digits.empty()) return b;
  if (b.digits.empty()) return a;
  const long long e = std::min(a.exp, b.exp);
  a.digits += std::string(static_cast<std::size_t>(a.exp - e), '0');
  b.digits += std::string(static_cast<std::size_t>(b.exp - e), '0');
  exact r;
  r.exp = e;
  if (a.negative == b.negative) {
    r.negative = a.negative;
    r.digits = add_digits(a.digits, b.digits);
  } else {
    int c = compare_magnitude(a.digits, b.digits);
    if (c == 0) return exact{};
    const exact& big = c > 0 ? a : b;
    const exact& small = c > 0 ? b : a;
    r.negative = big.negative;
    r.digits = subtract_digits(big.digits, small.digits);
  }
  return r;
}
}  // namespace

decimal operator+(const decimal& a, const decimal& b) {
  return make_decimal(add_exact(decompose_decimal(a), decompose_decimal(b)), a, '+', b);
}

decimal operator-(const decimal& a, const decimal& b) {
  exact nb = decompose_decimal(b);
  nb.negative = !nb.negative;
  return make_decimal(add_exact(decompose_decimal(a), std::move(nb)), a, '-', b);
}

decimal operator-(const decimal& a) {
  exact x = decompose_decimal(a);
  if (x.digits.empty()) return decimal();
  x.negative = !x.negative;
  return make_decimal(std::move(x), a, '-', a);
}

decimal operator*(const decimal& a, const decimal& b) {
  exact x = decompose_decimal(a), y = decompose_decimal(b);
  exact r;
  if (x.digits.empty() || y.digits.empty()) return decimal();
  r.negative = x.negative != y.negative;
  r.digits = multiply_digits(x.digits, y.digits);
  r.exp = x.exp + y.exp;
  return make_decimal(std::move(r), a, '*', b);
}

decimal operator/(const decimal& a, const decimal& b) {
  exact x = decompose_decimal(a), y = decompose_decimal(b);
  if (y.digits.empty()) arithmetic_failed(a, '/', b, "division by zero");
  if (x.digits.empty()) return decimal();
  // Long division of x.digits by y.digits, one quotient digit at a time, until the remainder is zero; a
  // quotient that needs more than 38 significant digits does not terminate within what DynamoDB stores.
  exact q;
  q.negative = x.negative != y.negative;
  q.exp = x.exp - y.exp;
  std::string remainder;
  std::size_t next = 0, significant = 0;
  for (;;) {
    if (next < x.digits.size()) {
      remainder += x.digits[next++];
    } else {
      if (remainder.empty()) break;
      remainder += '0';
      --q.exp;
    }
    remainder = strip_leading(remainder);
    int d = 0;
    while (compare_magnitude(remainder, y.digits) >= 0) {
      remainder = subtract_digits(remainder, y.digits);
      ++d;
    }
    q.digits += static_cast<char>('0' + d);
    if (d != 0 || significant != 0) ++significant;
    if (significant > 38 && !remainder.empty()) {
      arithmetic_failed(a, '/', b, "the quotient does not terminate within DynamoDB's 38 significant digits");
    }
  }
  // q.exp counted the digits appended after the dividend's last: the quotient's last digit is at q.exp
  return make_decimal(std::move(q), a, '/', b);
}

// ---------------------------------------------------------------- uuid

uuid uuid::v4() {
  uuid u;
  std::size_t got = 0;
  while (got < u.bytes_.size()) {
    ssize_t n = ::getrandom(u.bytes_.data() + got, u.bytes_.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw error("dynantic: getrandom() failed");
    }
    got += static_cast<std::size_t>(n);
  }
  u.bytes_[6] = static_cast<std::uint8_t>((u.bytes_[6] & 0x0f) | 0x40);  // version 4
  u.bytes_[8] = static_cast<std::uint8_t>((u.bytes_[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

std::optional<uuid> uuid::parse(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return std::nullopt;
  uuid u;
  std::size_t b = 0;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] == '-') {
      ++i;
      continue;
    }
    auto hexval = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hexval(t[i]), lo = hexval(t[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes_[b++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return u;
}

std::string uuid::to_string() const {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[bytes_[i] >> 4];
    s += hex[bytes_[i] & 15];
  }
  return s;
}

}  // namespace dynantic
