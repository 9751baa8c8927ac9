#include <dynantic/error.hpp>

#include <utility>

namespace dynantic {
namespace {
std::string summarize(const std::vector<validation_issue>& issues) {
  std::string s = std::to_string(issues.size());
  s += issues.size() == 1 ? " validation error" : " validation errors";
  const char* sep = ": ";
  for (const auto& i : issues) {
    s += sep;
    sep = "; ";
    if (!i.path.empty()) {
      s += '\'';
      s += i.path;
      s += "': ";
    }
    s += i.message;
  }
  return s;
}

/// A key for a message: `pk "u-1", sk 42` (strings quoted with control characters escaped; binary as its size).
std::string describe_key(const item& key) {
  std::string s;
  for (const auto& [name, v] : key) {
    if (!s.empty()) s += ", ";
    s += name;
    s += ' ';
    if (v.is_string()) {
      s += '"';
      for (unsigned char ch : v.as_string()) {
        if (ch == '"' || ch == '\\') {
          s += '\\';
          s += static_cast<char>(ch);
        } else if (ch < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          s += "\\x";
          s += hex[ch >> 4];
          s += hex[ch & 15];
        } else {
          s += static_cast<char>(ch);
        }
      }
      s += '"';
    } else if (v.is_number()) {
      s += v.as_number_text();
    } else if (v.is_binary()) {
      s += "<" + std::to_string(v.as_binary().size()) + " bytes>";
    } else {
      s += "<" + std::string(type_tag(v.type())) + ">";
    }
  }
  return s;
}

std::string describe(const service_error::details& d) {
  std::string s = d.code.empty() ? std::string("service error") : d.code;
  if (!d.message.empty()) s += ": " + d.message;
  s += " (HTTP " + std::to_string(d.http_status);
  if (!d.request_id.empty()) s += ", request id " + d.request_id;
  if (!d.endpoint.empty()) s += ", endpoint " + d.endpoint;
  if (d.attempts > 1) s += ", " + std::to_string(d.attempts) + " attempts";
  s += ')';
  return s;
}
}  // namespace

validation_error::validation_error(std::vector<validation_issue> issues)
    : error(summarize(issues)), issues_(std::move(issues)) {}

validation_error::validation_error(std::string path, std::string message)
    : validation_error(std::vector<validation_issue>{{std::move(path), std::move(message)}}) {}

validation_error::validation_error(const validation_error& e, std::string table, item key)
    : error("table '" + table + "', stored item with key " + describe_key(key) + ": " + summarize(e.issues())),
      issues_(e.issues()),
      table_(std::move(table)),
      key_(std::move(key)) {}

transport_error::transport_error(kind k, std::string message, int attempts)
    : error(message + (attempts > 1 ? " (" + std::to_string(attempts) + " attempts)" : std::string())),
      kind_(k),
      attempts_(attempts) {}

request_timeout::request_timeout(std::string message, int attempts)
    : transport_error(kind::timeout, std::move(message), attempts) {}

tls_error::tls_error(std::string message, int attempts) : transport_error(kind::tls, std::move(message), attempts) {}

service_error::service_error(details d) : error(describe(d)), d_(std::move(d)) {}
service_error::service_error(details d, const std::string& context)
    : error(context + ": " + describe(d)), d_(std::move(d)) {}

conditional_check_failed::conditional_check_failed(details d, std::optional<item> old)
    : service_error(std::move(d)), old_(std::move(old)) {}
conditional_check_failed::conditional_check_failed(details d, std::optional<item> old, const std::string& context)
    : service_error(std::move(d), context), old_(std::move(old)) {}

item_not_found::item_not_found(const conditional_check_failed& e, std::string table, item key)
    : conditional_check_failed(e.info(), std::nullopt,
                               "table '" + table + "': no item has the key " + describe_key(key) +
                                   " (update() changes existing items; upsert() creates them)"),
      table_(std::move(table)),
      key_(std::move(key)) {}

namespace {
// "table 't', stored item with key pk "a": <what>" (the library's own "dynantic: " prefix moves to the front).
std::string in_stored_item(const std::string& table, const item& key, std::string_view what) {
  constexpr std::string_view prefix = "dynantic: ";
  bool ours = what.substr(0, prefix.size()) == prefix;
  if (ours) what.remove_prefix(prefix.size());
  return std::string(ours ? prefix : std::string_view()) + "table '" + table + "', stored item with key " +
         describe_key(key) + ": " + std::string(what);
}
}  // namespace

unknown_discriminator::unknown_discriminator(const unknown_discriminator& e, std::string table, item key)
    : error(in_stored_item(table, key, e.what())),
      tag_(e.tag_),
      item_(e.item_),
      table_(std::move(table)),
      key_(std::move(key)) {}

wrong_subtype::wrong_subtype(const wrong_subtype& e, std::string table, item key)
    : error(in_stored_item(table, key, e.what())),
      expected_(e.expected_),
      found_(e.found_),
      item_(e.item_),
      table_(std::move(table)),
      key_(std::move(key)) {}

transaction_canceled::transaction_canceled(details d, std::vector<cancellation_reason> reasons)
    : service_error(std::move(d)), reasons_(std::move(reasons)) {}

}  // namespace dynantic
