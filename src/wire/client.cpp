#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <system_error>
#include <utility>

#include <dynantic/client.hpp>
#include <dynantic/error.hpp>

#include "wire/client_impl.hpp"
#include "wire/credentials.hpp"

namespace dynantic {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

class fixed_provider final : public credentials_provider {
 public:
  explicit fixed_provider(credentials c) : c_(std::move(c)) {}
  credentials get() override { return c_; }

 private:
  credentials c_;
};

class env_provider final : public credentials_provider {
 public:
  env_provider() : c_{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")} {}
  credentials get() override {
    if (c_.access_key_id.empty() || c_.secret_access_key.empty()) {
      throw credentials_error(
          "dynantic: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass "
          "client_options::credentials");
    }
    return c_;
  }

 private:
  credentials c_;
};

}  // namespace

namespace {
class stderr_sink final : public log_sink {
 public:
  void log(log_level level, std::string_view line) noexcept override {
    static constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR", "OFF"};
    try {
      std::string out = "dynantic ";
      out += names[static_cast<int>(level)];
      out += ' ';
      out += line;
      out += '\n';
      std::fwrite(out.data(), 1, out.size(), stderr);  // one write per line: lines of threads do not mix
    } catch (...) {
    }
  }
};
}  // namespace

std::shared_ptr<log_sink> stderr_log() { return std::make_shared<stderr_sink>(); }

std::shared_ptr<credentials_provider> static_credentials(credentials c) {
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw credentials_error("dynantic: credentials need both an access key id and a secret access key");
  }
  return std::make_shared<fixed_provider>(std::move(c));
}

std::shared_ptr<credentials_provider> environment_credentials() { return std::make_shared<env_provider>(); }

namespace {
// The default chain: resolved at the first get(), then the chosen source answers every call.
class chain_provider final : public credentials_provider {
 public:
  credentials get() override {
    if (auto* p = chosen_.load(std::memory_order_acquire)) return p->get();
    std::lock_guard lock(mu_);
    if (!owner_) owner_ = resolve();
    chosen_.store(owner_.get(), std::memory_order_release);
    return owner_->get();
  }

 private:
  static std::shared_ptr<credentials_provider> resolve() {
    std::string tried;
    auto attempt = [&](const char* name, const detail::source_result& r) {
      if (!r.provider) tried += std::string("\n  ") + name + ": " + r.skipped;
      return r.provider;
    };
    const std::string profile = detail::selected_profile();
    const bool named = !env("AWS_PROFILE").empty() || !env("AWS_DEFAULT_PROFILE").empty();
    if (auto p = attempt("environment", detail::environment_source())) return p;
    if (auto p = attempt("web identity", detail::web_identity_source())) return p;
    if (auto p = attempt(("profile '" + profile + "'").c_str(), detail::profile_source(profile, named))) return p;
    if (auto p = attempt("container", detail::container_source())) return p;
    if (auto p = attempt("instance metadata", detail::instance_metadata_source())) return p;
    throw credentials_error("dynantic: no credentials found (or pass client_options::credentials); tried, in order:" +
                            tried);
  }
  std::mutex mu_;
  std::shared_ptr<credentials_provider> owner_;
  std::atomic<credentials_provider*> chosen_{nullptr};
};

class profile_provider final : public credentials_provider {
 public:
  explicit profile_provider(std::string name) : name_(std::move(name)) {}
  credentials get() override {
    if (auto* p = chosen_.load(std::memory_order_acquire)) return p->get();
    std::lock_guard lock(mu_);
    if (!owner_) {
      auto r = detail::profile_source(name_, true);
      if (!r.provider) throw credentials_error("dynantic: profile '" + name_ + "' " + r.skipped);
      owner_ = r.provider;
    }
    chosen_.store(owner_.get(), std::memory_order_release);
    return owner_->get();
  }

 private:
  std::string name_;
  std::mutex mu_;
  std::shared_ptr<credentials_provider> owner_;
  std::atomic<credentials_provider*> chosen_{nullptr};
};
}  // namespace

std::shared_ptr<credentials_provider> default_credentials() { return std::make_shared<chain_provider>(); }

std::shared_ptr<credentials_provider> profile_credentials(std::string profile) {
  return std::make_shared<profile_provider>(std::move(profile));
}

namespace detail {

void resolve_retry(retry_options& r) {
  // A setting from the environment, else from the selected profile (its files read once, when first needed):
  // its value and where it was found (for messages).
  std::optional<std::optional<ini_section>> profile;
  auto retry_setting = [&](const char* variable, std::string_view key) -> std::pair<std::string, std::string> {
    if (std::string v = env(variable); !v.empty()) return {v, variable};
    if (!profile) profile = load_shared_files().profile(selected_profile());
    if (*profile) {
      if (auto f = (*profile)->find(key); f != (*profile)->end() && !f->second.empty()) {
        return {f->second, std::string(key) + " of the profile '" + selected_profile() + "' (AWS_CONFIG_FILE)"};
      }
    }
    return {};
  };
  if (r.max_attempts == 0) {
    auto [v, where] = retry_setting("AWS_MAX_ATTEMPTS", "max_attempts");
    r.max_attempts = 4;
    if (!v.empty()) {
      int n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1) {
        throw error("dynantic: " + where + " is '" + v + "': it must be a whole number of attempts, at least 1");
      }
      r.max_attempts = n;
    }
  }
  if (r.mode_from_environment && !r.adaptive) {
    auto [v, where] = retry_setting("AWS_RETRY_MODE", "retry_mode");
    if (v == "adaptive") {
      r.adaptive = true;
    } else if (!v.empty() && v != "standard" && v != "legacy") {
      throw error("dynantic: " + where + " is '" + v + "': it must be standard, adaptive or legacy");
    }
  }
}

void resolve_region_endpoint(client_options& o) {
  const bool streams = o.api == api::streams;
  if (o.endpoint.empty()) o.endpoint = env(streams ? "AWS_ENDPOINT_URL_DYNAMODB_STREAMS" : "AWS_ENDPOINT_URL_DYNAMODB");
  if (o.endpoint.empty()) o.endpoint = env("AWS_ENDPOINT_URL");
  if (o.region.empty()) o.region = env("AWS_REGION");
  if (o.region.empty()) o.region = env("AWS_DEFAULT_REGION");
  if (o.region.empty()) o.region = profile_region();
  if (o.region.empty()) {
    if (o.endpoint.empty()) {
      throw error(
          "dynantic: no AWS region: set client_options::region, AWS_REGION, AWS_DEFAULT_REGION or region in the "
          "profile (~/.aws/config)");
    }
    o.region = "us-east-1";
  }
  if (o.endpoint.empty()) {
    o.endpoint = (streams ? "https://streams.dynamodb." : "https://dynamodb.") + o.region + ".amazonaws.com";
  }
  while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
  resolve_retry(o.retry);
  if (o.ca_bundle.empty()) o.ca_bundle = env("AWS_CA_BUNDLE");
  if (!o.ca_bundle.empty() && !std::ifstream(o.ca_bundle)) {
    throw error("dynantic: cannot read the CA bundle '" + o.ca_bundle +
                "' (client_options::ca_bundle or AWS_CA_BUNDLE)");
  }
}

namespace {
// The Host header curl sends for this URL: the authority, without a port equal to the scheme's default.
std::string host_of(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw error("dynantic: endpoint '" + url + "' is not a URL (http://host:port)");
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") throw error("dynantic: endpoint '" + url + "' must be http or https");
  std::string authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    std::string port = authority.substr(colon + 1);
    if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) authority.resize(colon);
  }
  return authority;
}
}  // namespace

client_impl::client_impl(client_options o, std::unique_ptr<transport> t)
    : options_(std::move(o)),
      signer_((resolve_region_endpoint(options_), options_.region), "dynamodb"),
      quota_(options_.retry),
      transport_(std::move(t)) {
  url_ = options_.endpoint + "/";
  host_ = host_of(options_.endpoint);
  if (options_.credentials) {
    creds_ = static_credentials(*options_.credentials);
  } else if (options_.credentials_source) {
    creds_ = options_.credentials_source;
  } else {
    creds_ = default_credentials();
  }
  if (options_.retry.max_attempts < 1) options_.retry.max_attempts = 1;
  if (!transport_) transport_ = make_curl_transport(options_);
  limiter_ = std::make_unique<adaptive_limiter>(transport_->now());
}

credentials client_impl::current_credentials() { return creds_->get(); }

double client_impl::random01() {
  if (options_.retry.random) return options_.retry.random();
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

std::vector<std::string> client_impl::signed_headers(std::string_view operation, const std::string& body) {
  std::string target = options_.api == api::streams ? "DynamoDBStreams_20120810." : "DynamoDB_20120810.";
  target += operation;
  signing_request r;
  r.host = host_;
  r.payload = body;
  r.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", target}};
  credentials c = current_credentials();
  auto when = options_.wall_clock ? options_.wall_clock() : std::chrono::system_clock::now();
  signature s = signer_.sign(r, c, when);
  std::vector<std::string> h;
  h.reserve(8);
  h.push_back("Content-Type: application/x-amz-json-1.0");
  h.push_back("X-Amz-Target: " + target);
  h.push_back("X-Amz-Date: " + s.amz_date);
  if (!c.session_token.empty()) h.push_back("X-Amz-Security-Token: " + c.session_token);
  h.push_back("Authorization: " + s.authorization);
  h.push_back("User-Agent: dynantic/0.1.0");
  h.push_back("Expect:");  // no 100-continue round trip for large bodies
  return h;
}

}  // namespace detail

client::client() : client(client_options{}) {}

client::client(client_options options) : impl_(std::make_shared<detail::client_impl>(std::move(options), nullptr)) {}

const std::string& client::region() const noexcept { return impl_->region(); }
const std::string& client::endpoint() const noexcept { return impl_->endpoint(); }
consumed_capacity client::consumed_capacity() const { return impl_->consumed(); }
std::optional<double> client::adaptive_send_rate() const {
  if (!impl_->options().retry.adaptive || !impl_->limiter().enabled()) return std::nullopt;
  return impl_->limiter().fill_rate();
}

}  // namespace dynantic
