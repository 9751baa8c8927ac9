#pragma once
// AWS Signature Version 4, as botocore computes it: canonical request over the lower-cased, trimmed,
// sorted headers; the signing key is derived once per (secret, day, region, service) and cached.
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dynantic/client.hpp>

namespace dynantic::detail {

struct signing_request {
  std::string_view method = "POST";
  std::string_view host;        // exactly the Host header sent, port included when not default
  std::string_view path = "/";  // already URI-encoded
  std::string_view query;       // raw query string without '?', may be empty
  /// Headers to sign besides host, x-amz-date and x-amz-security-token (added by the signer).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload;
};

struct signature {
  std::string amz_date;           // X-Amz-Date value, e.g. 20150830T123600Z
  std::string authorization;      // Authorization value
  std::string canonical_request;  // for tests and debugging
  std::string string_to_sign;
};

class sigv4_signer {
 public:
  sigv4_signer(std::string region, std::string service) : region_(std::move(region)), service_(std::move(service)) {}
  signature sign(const signing_request& r, const credentials& c, std::chrono::system_clock::time_point when);

 private:
  std::string region_, service_;
  std::mutex mu_;
  std::string cached_day_, cached_secret_, cached_key_;
};

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hex(std::string_view raw);
std::string amz_date(std::chrono::system_clock::time_point t);  // yyyymmddThhmmssZ

}  // namespace dynantic::detail
