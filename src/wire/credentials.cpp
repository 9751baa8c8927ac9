// The default credential chain, in the AWS SDKs' order: environment, web identity, the shared config and
// credentials files (static keys, credential_process, role_arn through STS), the container endpoint (ECS, EKS Pod
// Identity), EC2 instance metadata (IMDSv2). Resolved at first use; temporary credentials are refreshed before
// they expire (refreshing_provider).
#include "wire/credentials.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/wait.h>

#include <simdjson.h>

#include <dynantic/error.hpp>

#include "wire/http_fetch.hpp"
#include "wire/sigv4.hpp"

namespace dynantic::detail {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

bool is_true(const std::string& v) {
  std::string l;
  for (char c : v) l += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return l == "true";
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string home_path(const char* rest) {
  std::string home = env("HOME");
  return home.empty() ? std::string() : home + rest;
}

std::string expand_home(std::string path) {
  if (path.starts_with("~/")) path = env("HOME") + path.substr(1);
  return path;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string url_encode(std::string_view s) {
  static const char* hex_digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex_digits[c >> 4];
      out += hex_digits[c & 15];
    }
  }
  return out;
}

// The text of <tag>...</tag> inside `xml` (after `from`), entities decoded; nothing when absent.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag, std::size_t from = 0) {
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  auto a = xml.find(open, from);
  if (a == std::string_view::npos) return std::nullopt;
  a += open.size();
  auto b = xml.find(close, a);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view raw = xml.substr(a, b - a);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    auto semi = raw.find(';', i);
    std::string_view ent = semi == std::string_view::npos ? std::string_view() : raw.substr(i, semi - i + 1);
    if (ent == "&amp;") out += '&';
    else if (ent == "&lt;") out += '<';
    else if (ent == "&gt;") out += '>';
    else if (ent == "&quot;") out += '"';
    else if (ent == "&apos;") out += '\'';
    else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

std::string sts_region() {
  std::string r = env("AWS_REGION");
  if (r.empty()) r = env("AWS_DEFAULT_REGION");
  if (r.empty()) r = profile_region();
  return r.empty() ? "us-east-1" : r;
}

std::string sts_endpoint(const std::string& region) {
  std::string e = env("AWS_ENDPOINT_URL_STS");
  if (e.empty()) e = env("AWS_ENDPOINT_URL");
  if (e.empty()) e = "https://sts." + region + ".amazonaws.com";
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

std::string authority_of(const std::string& url) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  return rest.substr(0, rest.find('/'));
}

std::string host_of_authority(const std::string& authority) {
  if (authority.starts_with('[')) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.rfind(':'));
}

// One STS query-API call; `source` signs it (nothing: unsigned, as AssumeRoleWithWebIdentity is).
credentials sts_call(const std::string& action, const std::string& form, const credentials* source) {
  const std::string region = sts_region();
  const std::string url = sts_endpoint(region);
  std::string body = "Action=" + action + "&Version=2011-06-15&" + form;
  std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
  if (source) {
    sigv4_signer signer(region, "sts");
    signing_request r;
    std::string host = authority_of(url);
    if (url.starts_with("https://") && host.ends_with(":443")) host.resize(host.size() - 4);
    if (url.starts_with("http://") && host.ends_with(":80")) host.resize(host.size() - 3);
    r.host = host;
    r.payload = body;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    signature s = signer.sign(r, *source, std::chrono::system_clock::now());
    headers.push_back("X-Amz-Date: " + s.amz_date);
    if (!source->session_token.empty()) headers.push_back("X-Amz-Security-Token: " + source->session_token);
    headers.push_back("Authorization: " + s.authorization);
  }
  fetch_result res;
  for (int attempt = 0; attempt < 3; ++attempt) {  // transient failures and 5xx, as the SDKs retry STS
    res = http_fetch("POST", url, headers, body, {std::chrono::milliseconds(5000), true});
    if (!res.error.empty() || res.status >= 500) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
      continue;
    }
    break;
  }
  if (!res.error.empty()) throw credentials_error("dynantic: STS " + action + " at " + url + ": " + res.error);
  if (res.status != 200) {
    std::string code = xml_text(res.body, "Code").value_or(""), message = xml_text(res.body, "Message").value_or("");
    throw credentials_error("dynantic: STS " + action + " at " + url + " failed: HTTP " + std::to_string(res.status) +
                            (code.empty() ? "" : " " + code) + (message.empty() ? "" : ": " + message));
  }
  return parse_sts_answer(res.body, "STS " + action + " at " + url);
}

std::string default_session_name() {
  return "dynantic-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

class fixed_source final : public credentials_provider {
 public:
  explicit fixed_source(credentials c) : c_(std::move(c)) {}
  credentials get() override { return c_; }

 private:
  credentials c_;
};

// The container endpoint's URL, or why it cannot be used.
std::string container_url(std::string& why_not) {
  std::string rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  if (!rel.empty()) return "http://169.254.170.2" + rel;
  std::string full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (full.empty()) return {};
  if (full.starts_with("https://")) return full;
  if (!full.starts_with("http://")) {
    why_not = "AWS_CONTAINER_CREDENTIALS_FULL_URI '" + full + "' is not an http or https URL";
    return {};
  }
  std::string host = host_of_authority(authority_of(full));
  bool allowed = host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "169.254.170.2" ||
                 host == "169.254.170.23" || host == "[fd00:ec2::23]";
  if (!allowed) {
    why_not = "AWS_CONTAINER_CREDENTIALS_FULL_URI '" + full +
              "': over http only loopback, 169.254.170.2, 169.254.170.23 and fd00:ec2::23 are allowed";
    return {};
  }
  return full;
}

credentials fetch_container(const std::string& url) {
  std::vector<std::string> headers;
  std::string file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  std::string token;
  if (!file.empty()) {  // re-read at every fetch: EKS Pod Identity rotates it
    auto t = read_file(file);
    if (!t) throw credentials_error("dynantic: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '" + file + "'");
    token = trim(*t);
  } else {
    token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    throw credentials_error("dynantic: the container authorization token holds a line break");
  }
  if (!token.empty()) headers.push_back("Authorization: " + token);
  fetch_result r;
  for (int attempt = 0; attempt < 3; ++attempt) {
    r = http_fetch("GET", url, headers, {}, {std::chrono::milliseconds(2000), false});
    if (r.error.empty() && r.status < 500) break;
  }
  if (!r.error.empty()) throw credentials_error("dynantic: container credentials at " + url + ": " + r.error);
  if (r.status != 200) {
    throw credentials_error("dynantic: container credentials at " + url + ": HTTP " + std::to_string(r.status) + " " +
                            r.body.substr(0, 200));
  }
  return credentials_from_json(r.body, "Token", "the container endpoint " + url);
}

std::string imds_endpoint() {
  std::string e = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (e.empty()) e = "http://169.254.169.254";
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

credentials fetch_imds() {
  const std::string base = imds_endpoint();
  const fetch_options o{std::chrono::milliseconds(1000), false};
  std::vector<std::string> headers;
  auto t = http_fetch("PUT", base + "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds: 21600"}, {}, o);
  if (!t.error.empty()) throw credentials_error("no answer from " + base + " (" + t.error + ")");
  if (t.status == 200) {
    headers.push_back("X-aws-ec2-metadata-token: " + trim(t.body));
  } else if ((t.status == 404 || t.status == 405) && !is_true(env("AWS_EC2_METADATA_V1_DISABLED"))) {
    // IMDSv1 only (no token endpoint): continue without a token
  } else {
    throw credentials_error("the IMDSv2 token request to " + base + " answered HTTP " + std::to_string(t.status));
  }
  const std::string path = base + "/latest/meta-data/iam/security-credentials/";
  auto role = http_fetch("GET", path, headers, {}, o);
  if (!role.error.empty()) throw credentials_error("no answer from " + path + " (" + role.error + ")");
  if (role.status == 404) throw credentials_error("the instance has no IAM role (" + path + " answered 404)");
  if (role.status != 200) throw credentials_error(path + " answered HTTP " + std::to_string(role.status));
  std::string name = trim(role.body.substr(0, role.body.find('\n')));
  if (name.empty()) throw credentials_error("the instance has no IAM role (" + path + " is empty)");
  auto c = http_fetch("GET", path + name, headers, {}, o);
  if (!c.error.empty()) throw credentials_error("no answer from " + path + name + " (" + c.error + ")");
  if (c.status != 200) throw credentials_error(path + name + " answered HTTP " + std::to_string(c.status));
  return credentials_from_json(c.body, "Token", "instance metadata " + path + name);
}

}  // namespace

// ---------------------------------------------------------------- time

std::optional<wall_time> parse_utc_timestamp(std::string_view s) {
  auto num = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (!num(0, 4, y) || s.size() < 19 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) ||
      s[16] != ':' || !num(17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  std::string_view zone = s.substr(i);
  if (zone != "Z" && zone != "z" && zone != "+00:00" && zone != "+0000") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // a real day (no 31 February), and a year the clock can hold (system_clock counts nanoseconds: 1678 to 2262)
  if (!std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                   std::chrono::day(static_cast<unsigned>(d)))
           .ok() ||
      y < 1970 || y > 2200) {
    return std::nullopt;
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return wall_time(std::chrono::seconds(days * 86400 + h * 3600 + mi * 60 + sec));
}

// ---------------------------------------------------------------- what the sources answer

credentials credentials_from_json(const std::string& body, std::string_view token_key, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(body).get_object().get(o) != simdjson::SUCCESS) {
    throw credentials_error("dynantic: " + source + " answered with something that is not a JSON object");
  }
  auto str = [&](std::string_view key) {
    std::string_view v;
    return o[key].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  credentials c{str("AccessKeyId"), str("SecretAccessKey"), str(token_key)};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    std::string code = str("Code"), message = str("Message");
    throw credentials_error("dynantic: " + source + " gave no AccessKeyId/SecretAccessKey" +
                            (code.empty() ? "" : " (" + code + (message.empty() ? "" : ": " + message) + ")"));
  }
  if (std::string e = str("Expiration"); !e.empty()) {
    c.expiration = parse_utc_timestamp(e);
    if (!c.expiration) throw credentials_error("dynantic: " + source + " gave an unreadable Expiration '" + e + "'");
  }
  return c;
}

credentials parse_process_output(const std::string& out, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  std::int64_t version = 0;
  if (parser.parse(out).get_object().get(o) != simdjson::SUCCESS || o["Version"].get_int64().get(version) ||
      version != 1) {
    throw credentials_error("dynantic: " + source + " did not print a Version 1 JSON object");
  }
  return credentials_from_json(out, "SessionToken", source);
}

credentials parse_sts_answer(const std::string& body, const std::string& source) {
  auto at = body.find("<Credentials>");
  credentials c;
  if (at != std::string::npos) {
    c.access_key_id = xml_text(body, "AccessKeyId", at).value_or("");
    c.secret_access_key = xml_text(body, "SecretAccessKey", at).value_or("");
    c.session_token = xml_text(body, "SessionToken", at).value_or("");
    if (auto e = xml_text(body, "Expiration", at)) {
      c.expiration = parse_utc_timestamp(*e);
      if (!c.expiration) throw credentials_error("dynantic: " + source + " gave an unreadable Expiration '" + *e + "'");
    }
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw credentials_error("dynantic: " + source + " answered without credentials");
  }
  return c;
}

// ---------------------------------------------------------------- shared files

ini_file parse_ini(std::string_view text) {
  ini_file out;
  ini_section* current = nullptr;
  std::string last_key;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    std::string t = trim(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;
    if (t.front() == '[') {
      auto close = t.find(']');
      if (close == std::string::npos) continue;
      std::string name = trim(std::string_view(t).substr(1, close - 1));
      current = name.empty() ? nullptr : &out[name];  // "[]" names no profile: its lines are skipped
      continue;
    }
    if (!current || indented) continue;  // a sub-setting of the key above (s3 = ...)
    auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string value = trim(std::string_view(t).substr(eq + 1));
    if (auto hash = value.find(" #"); hash != std::string::npos) value = trim(std::string_view(value).substr(0, hash));
    if (auto semi = value.find(" ;"); semi != std::string::npos) value = trim(std::string_view(value).substr(0, semi));
    std::string key = trim(std::string_view(t).substr(0, eq));
    if (key.empty()) continue;  // "= value" sets nothing (found by fuzz/credentials.cpp)
    (*current)[key] = value;
  }
  return out;
}

std::optional<ini_section> shared_files::profile(const std::string& name) const {
  std::optional<ini_section> out;
  auto c = config.find(name == "default" ? std::string("default") : "profile " + name);
  if (c == config.end() && name == "default") c = config.find("profile default");
  if (c != config.end()) out = c->second;
  if (auto k = credentials.find(name); k != credentials.end()) {
    if (!out) out.emplace();
    for (const auto& [key, value] : k->second) (*out)[key] = value;  // the credentials file wins
  }
  return out;
}

shared_files load_shared_files() {
  shared_files f;
  f.credentials_path = expand_home(env("AWS_SHARED_CREDENTIALS_FILE"));
  if (f.credentials_path.empty()) f.credentials_path = home_path("/.aws/credentials");
  f.config_path = expand_home(env("AWS_CONFIG_FILE"));
  if (f.config_path.empty()) f.config_path = home_path("/.aws/config");
  if (auto t = read_file(f.credentials_path)) f.credentials = parse_ini(*t);
  if (auto t = read_file(f.config_path)) f.config = parse_ini(*t);
  return f;
}

std::string selected_profile() {
  std::string p = env("AWS_PROFILE");
  if (p.empty()) p = env("AWS_DEFAULT_PROFILE");
  return p.empty() ? "default" : p;
}

std::string profile_region() {
  auto files = load_shared_files();
  auto p = files.profile(selected_profile());
  if (!p) return {};
  auto r = p->find("region");
  return r == p->end() ? std::string() : r->second;
}

// ---------------------------------------------------------------- refreshing

refreshing_provider::refreshing_provider(fetch_fn fetch, std::chrono::seconds advisory, std::chrono::seconds mandatory,
                                         std::function<wall_time()> now)
    : fetch_(std::move(fetch)), advisory_(advisory), mandatory_(mandatory), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::system_clock::now(); };
}

bool refreshing_provider::within(const credentials& c, std::chrono::seconds window, wall_time now) const {
  return c.expiration && *c.expiration - now <= window;
}

credentials refreshing_provider::fetch_locked() {
  credentials c = fetch_();
  ++fetches_;
  std::lock_guard lock(mu_);
  current_ = c;
  have_ = true;
  return c;
}

credentials refreshing_provider::get() {
  const wall_time now = now_();
  std::unique_lock lock(mu_);
  if (have_ && !within(current_, advisory_, now)) return current_;
  if (have_ && !within(current_, mandatory_, now)) {
    // advisory window: one caller refreshes, the others keep the current credentials
    std::unique_lock refresh(refresh_mu_, std::try_to_lock);
    if (!refresh) return current_;
    credentials keep = current_;
    lock.unlock();
    try {
      return fetch_locked();
    } catch (const std::exception&) {
      return keep;  // still valid for a while: a later call tries again
    }
  }
  lock.unlock();
  // mandatory window (or nothing yet): every caller waits for one refresh
  std::lock_guard refresh(refresh_mu_);
  {
    std::lock_guard again(mu_);
    if (have_ && !within(current_, mandatory_, now_())) return current_;  // refreshed while this one waited
  }
  return fetch_locked();
}

// ---------------------------------------------------------------- sources

source_result environment_source() {
  std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) return {nullptr, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"};
  if (id.empty() || secret.empty()) {
    throw credentials_error(std::string("dynantic: ") + (id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                            " is not set while " + (id.empty() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                            " is");
  }
  return {std::make_shared<fixed_source>(credentials{id, secret, env("AWS_SESSION_TOKEN")}), {}};
}

source_result web_identity_source() {
  std::string file = env("AWS_WEB_IDENTITY_TOKEN_FILE"), role = env("AWS_ROLE_ARN");
  if (file.empty() || role.empty()) return {nullptr, "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set"};
  std::string session = env("AWS_ROLE_SESSION_NAME");
  if (session.empty()) session = default_session_name();
  return {std::make_shared<refreshing_provider>(
              [role, session, file] { return assume_role_with_web_identity(role, session, file); }),
          {}};
}

namespace {
// The provider of a profile's settings; `seen` guards against source_profile cycles.
std::shared_ptr<credentials_provider> profile_provider(const shared_files& files, const std::string& name,
                                                       std::vector<std::string>& seen) {
  for (const auto& s : seen) {
    if (s == name) throw credentials_error("dynantic: profile '" + name + "' is its own source_profile (a cycle)");
  }
  seen.push_back(name);
  auto p = files.profile(name);
  if (!p) {
    throw credentials_error("dynantic: profile '" + name + "' is in neither " + files.credentials_path + " nor " +
                            files.config_path);
  }
  auto get = [&](const char* key) {
    auto f = p->find(key);
    return f == p->end() ? std::string() : f->second;
  };
  if (std::string role = get("role_arn"); !role.empty()) {
    std::string session = get("role_session_name");
    if (session.empty()) session = default_session_name();
    std::string external = get("external_id");
    if (std::string token_file = get("web_identity_token_file"); !token_file.empty()) {
      token_file = expand_home(token_file);
      return std::make_shared<refreshing_provider>(
          [role, session, token_file] { return assume_role_with_web_identity(role, session, token_file); });
    }
    std::shared_ptr<credentials_provider> source;
    if (std::string sp = get("source_profile"); !sp.empty()) {
      if (sp == name) {  // a profile may hold its own keys and assume a role with them
        auto id = get("aws_access_key_id"), secret = get("aws_secret_access_key");
        if (id.empty() || secret.empty()) {
          throw credentials_error("dynantic: profile '" + name + "' is its own source_profile but has no keys");
        }
        source = std::make_shared<fixed_source>(credentials{id, secret, get("aws_session_token")});
      } else {
        source = profile_provider(files, sp, seen);
      }
    } else if (std::string cs = get("credential_source"); !cs.empty()) {
      source_result r = cs == "Environment"           ? environment_source()
                        : cs == "Ec2InstanceMetadata" ? instance_metadata_source()
                        : cs == "EcsContainer"        ? container_source()
                                                      : source_result{nullptr, "unknown"};
      if (!r.provider) {
        throw credentials_error("dynantic: profile '" + name + "': credential_source " + cs +
                                " gives no credentials (" + r.skipped + ")");
      }
      source = r.provider;
    } else {
      throw credentials_error("dynantic: profile '" + name +
                              "' has role_arn but neither source_profile, credential_source nor "
                              "web_identity_token_file");
    }
    return std::make_shared<refreshing_provider>(
        [source, role, session, external] { return assume_role(source->get(), role, session, external); });
  }
  std::string id = get("aws_access_key_id"), secret = get("aws_secret_access_key");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty()) {
      throw credentials_error("dynantic: profile '" + name + "' has only one of aws_access_key_id and " +
                              "aws_secret_access_key");
    }
    return std::make_shared<fixed_source>(credentials{id, secret, get("aws_session_token")});
  }
  if (std::string cmd = get("credential_process"); !cmd.empty()) {
    return std::make_shared<refreshing_provider>([cmd] { return run_credential_process(cmd); });
  }
  return nullptr;
}
}  // namespace

source_result profile_source(const std::string& profile, bool named_explicitly) {
  auto files = load_shared_files();
  if (!files.profile(profile)) {
    std::string where = "not in " + files.credentials_path + " or " + files.config_path;
    if (named_explicitly) throw credentials_error("dynantic: profile '" + profile + "' (AWS_PROFILE) is " + where);
    return {nullptr, where};
  }
  std::vector<std::string> seen;
  auto p = profile_provider(files, profile, seen);
  if (!p) return {nullptr, "has no credentials (keys, credential_process or role_arn)"};
  return {p, {}};
}

source_result container_source() {
  std::string why_not;
  std::string url = container_url(why_not);
  if (!why_not.empty()) throw credentials_error("dynantic: " + why_not);
  if (url.empty()) {
    return {nullptr, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"};
  }
  return {std::make_shared<refreshing_provider>([url] { return fetch_container(url); }), {}};
}

source_result instance_metadata_source() {
  if (is_true(env("AWS_EC2_METADATA_DISABLED"))) return {nullptr, "AWS_EC2_METADATA_DISABLED is true"};
  // Asked now (the chain asks only when every earlier source was skipped): an answer means this is the source.
  credentials first;
  try {
    first = fetch_imds();
  } catch (const credentials_error& e) {
    return {nullptr, e.what()};
  }
  auto p = std::make_shared<refreshing_provider>([first, used = std::make_shared<bool>(false)]() mutable {
    if (!*used) {  // the credentials fetched while probing, then fresh ones
      *used = true;
      return first;
    }
    try {
      return fetch_imds();
    } catch (const credentials_error& e) {
      throw credentials_error(std::string("dynantic: instance metadata: ") + e.what());
    }
  });
  return {p, {}};
}

credentials run_credential_process(const std::string& command) {
  std::FILE* f = ::popen(command.c_str(), "r");
  if (!f) throw credentials_error("dynantic: credential_process '" + command + "' could not be started");
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int status = ::pclose(f);
  if (status != 0) {
    throw credentials_error("dynantic: credential_process '" + command + "' failed (exit status " +
                            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) + ")");
  }
  return parse_process_output(out, "credential_process '" + command + "'");
}

credentials assume_role(const credentials& source, const std::string& role_arn, const std::string& session_name,
                        const std::string& external_id) {
  std::string form = "RoleArn=" + url_encode(role_arn) + "&RoleSessionName=" + url_encode(session_name);
  if (!external_id.empty()) form += "&ExternalId=" + url_encode(external_id);
  return sts_call("AssumeRole", form, &source);
}

credentials assume_role_with_web_identity(const std::string& role_arn, const std::string& session_name,
                                          const std::string& token_file) {
  auto token = read_file(token_file);
  if (!token) throw credentials_error("dynantic: cannot read the web identity token file '" + token_file + "'");
  std::string form = "RoleArn=" + url_encode(role_arn) + "&RoleSessionName=" + url_encode(session_name) +
                     "&WebIdentityToken=" + url_encode(trim(*token));
  return sts_call("AssumeRoleWithWebIdentity", form, nullptr);
}

}  // namespace dynantic::detail
