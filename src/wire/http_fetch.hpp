#pragma once
// One blocking HTTP request on its own libcurl handle, for the credential sources (STS, the container
// endpoint, instance metadata): small answers, rare calls, their own short timeouts.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace dynantic::detail {

struct fetch_result {
  long status = 0;  // 0 when no answer came
  std::string body;
  std::string error;  // why no answer came (connect, timeout, ...); empty when one did
};

struct fetch_options {
  std::chrono::milliseconds timeout{1000};  // connect and whole request
  bool use_proxy = true;                    // metadata endpoints are link-local: never through a proxy
};

/// `method` GET, PUT or POST; `headers` as "Name: value". Never throws for network failures.
fetch_result http_fetch(std::string_view method, const std::string& url, const std::vector<std::string>& headers,
                        const std::string& body, const fetch_options& o);

}  // namespace dynantic::detail
