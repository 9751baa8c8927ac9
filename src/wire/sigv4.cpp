#include "wire/sigv4.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <initializer_list>

#include <dynantic/error.hpp>

#include <openssl/evp.h>

namespace dynantic::detail {

std::string hex(std::string_view raw) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(raw.size() * 2, '\0');
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto c = static_cast<unsigned char>(raw[i]);
    out[2 * i] = digits[c >> 4];
    out[2 * i + 1] = digits[c & 15];
  }
  return out;
}

namespace {
// OpenSSL 3 looks an algorithm up on every EVP_sha256()/HMAC() one-shot call (a few µs with locks); fetch
// SHA-256 once and keep one digest context per thread.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
}
struct sha256_ctx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~sha256_ctx() { EVP_MD_CTX_free(ctx); }
};
EVP_MD_CTX* thread_ctx() {
  thread_local sha256_ctx c;
  return c.ctx;
}
using digest = std::array<unsigned char, 32>;
digest sha256_parts(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = thread_ctx();
  digest out{};
  unsigned int len = 0;
  if (!sha256_md() || EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1) throw error("dynantic: SHA-256 unavailable");
  for (auto p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  return out;
}
}  // namespace

std::string sha256_hex(std::string_view data) {
  digest d = sha256_parts({data});
  return hex({reinterpret_cast<const char*>(d.data()), d.size()});
}

// HMAC-SHA-256 (RFC 2104) over the cached digest.
std::string hmac_sha256(std::string_view key, std::string_view data) {
  constexpr std::size_t block = 64;
  std::array<char, block> k{};
  if (key.size() > block) {
    digest d = sha256_parts({key});
    std::copy(d.begin(), d.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), k.begin());
  }
  std::array<char, block> ipad{}, opad{};
  for (std::size_t i = 0; i < block; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  digest inner = sha256_parts({{ipad.data(), block}, data});
  digest outer = sha256_parts({{opad.data(), block}, {reinterpret_cast<const char*>(inner.data()), inner.size()}});
  return {reinterpret_cast<const char*>(outer.data()), outer.size()};
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

namespace {
std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
  return r;
}
// botocore: ' '.join(value.split()) -- trims and collapses runs of whitespace.
std::string trim_collapse(std::string_view v) {
  std::string r;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !r.empty();
      continue;
    }
    if (space) r += ' ';
    space = false;
    r += c;
  }
  return r;
}
std::string canonical_query(std::string_view q) {
  if (q.empty()) return {};
  std::vector<std::pair<std::string_view, std::string_view>> params;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto part = q.substr(0, amp);
    auto eq = part.find('=');
    params.emplace_back(part.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out.append(k);
    out += '=';
    out.append(v);
  }
  return out;
}
}  // namespace

signature sigv4_signer::sign(const signing_request& r, const credentials& c,
                             std::chrono::system_clock::time_point when) {
  signature s;
  s.amz_date = amz_date(when);
  std::string day = s.amz_date.substr(0, 8);

  std::vector<std::pair<std::string, std::string>> hs;
  hs.reserve(r.headers.size() + 3);
  hs.emplace_back("host", trim_collapse(r.host));
  hs.emplace_back("x-amz-date", s.amz_date);
  if (!c.session_token.empty()) hs.emplace_back("x-amz-security-token", c.session_token);
  for (const auto& [k, v] : r.headers) hs.emplace_back(lower(k), trim_collapse(v));
  std::stable_sort(hs.begin(), hs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  std::string canonical_headers, signed_headers;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    if (i > 0 && hs[i].first == hs[i - 1].first) {  // repeated header: values joined by ','
      canonical_headers.back() = ',';
      canonical_headers += hs[i].second;
      canonical_headers += '\n';
      continue;
    }
    canonical_headers += hs[i].first;
    canonical_headers += ':';
    canonical_headers += hs[i].second;
    canonical_headers += '\n';
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += hs[i].first;
  }

  s.canonical_request.reserve(256 + canonical_headers.size());
  s.canonical_request.append(r.method).append("\n");
  s.canonical_request.append(r.path.empty() ? std::string_view("/") : r.path).append("\n");
  s.canonical_request.append(canonical_query(r.query)).append("\n");
  s.canonical_request.append(canonical_headers).append("\n");
  s.canonical_request.append(signed_headers).append("\n");
  s.canonical_request.append(sha256_hex(r.payload));

  std::string scope = day + "/" + region_ + "/" + service_ + "/aws4_request";
  s.string_to_sign = "AWS4-HMAC-SHA256\n" + s.amz_date + "\n" + scope + "\n" + sha256_hex(s.canonical_request);

  std::string key;
  {
    std::lock_guard lock(mu_);
    if (cached_day_ != day || cached_secret_ != c.secret_access_key) {
      std::string k = hmac_sha256("AWS4" + c.secret_access_key, day);
      k = hmac_sha256(k, region_);
      k = hmac_sha256(k, service_);
      cached_key_ = hmac_sha256(k, "aws4_request");
      cached_day_ = day;
      cached_secret_ = c.secret_access_key;
    }
    key = cached_key_;
  }
  s.authorization = "AWS4-HMAC-SHA256 Credential=" + c.access_key_id + "/" + scope +
                    ", SignedHeaders=" + signed_headers + ", Signature=" + hex(hmac_sha256(key, s.string_to_sign));
  return s;
}

}  // namespace dynantic::detail
