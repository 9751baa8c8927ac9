#pragma once
// The credential sources behind default_credentials() (see client.hpp), and what they share: the shared config
// and credentials files, ISO-8601 expirations, and the refresh of temporary credentials.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <dynantic/client.hpp>

namespace dynantic::detail {

using wall_time = std::chrono::system_clock::time_point;

/// "2026-12-05T10:00:00Z" (fractions and "+00:00" accepted). Nothing for other texts.
std::optional<wall_time> parse_utc_timestamp(std::string_view text);

// ---------------------------------------------------------------- what the sources answer (@throws credentials_error)

/// Credentials from a JSON object of string members (the container endpoint, instance metadata): AccessKeyId,
/// SecretAccessKey, `token_key` ("Token" or "SessionToken"), Expiration. `source` names it in errors.
credentials credentials_from_json(const std::string& body, std::string_view token_key, const std::string& source);
/// A credential_process's output: a Version 1 JSON object.
credentials parse_process_output(const std::string& out, const std::string& source);
/// STS AssumeRole / AssumeRoleWithWebIdentity's XML answer (HTTP 200).
credentials parse_sts_answer(const std::string& body, const std::string& source);

// ---------------------------------------------------------------- shared config and credentials files

using ini_section = std::map<std::string, std::string, std::less<>>;
using ini_file = std::map<std::string, ini_section, std::less<>>;
/// The sections of an AWS config or credentials file: `[name]`, `key = value`, `#`/`;` comments; indented lines
/// (sub-settings such as `s3 =` blocks) belong to the key above them and are skipped.
ini_file parse_ini(std::string_view text);

struct shared_files {
  std::string credentials_path, config_path;  // AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/...
  ini_file credentials, config;               // empty when a file is absent
  /// The settings of `profile`: the credentials file's `[profile]` over the config file's `[profile profile]`
  /// (`[default]` for the default profile). Nothing when neither file has the profile.
  std::optional<ini_section> profile(const std::string& name) const;
};
shared_files load_shared_files();
/// AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
std::string selected_profile();
/// `region` of the selected profile in the config file; empty when none.
std::string profile_region();

// ---------------------------------------------------------------- refreshing temporary credentials

/// Temporary credentials, fetched again before they expire, as botocore does: within `advisory` of the
/// expiration one caller refreshes while the others keep the current ones (a failed advisory refresh keeps
/// them too); within `mandatory` every caller waits for the refresh. Never two refreshes at once.
/// Credentials without an expiration are fetched once.
class refreshing_provider final : public credentials_provider {
 public:
  using fetch_fn = std::function<credentials()>;
  explicit refreshing_provider(fetch_fn fetch, std::chrono::seconds advisory = std::chrono::minutes(15),
                               std::chrono::seconds mandatory = std::chrono::minutes(10),
                               std::function<wall_time()> now = {});
  credentials get() override;
  /// Fetches made so far (tests).
  int fetches() const { return fetches_; }

 private:
  bool within(const credentials& c, std::chrono::seconds window, wall_time now) const;
  credentials fetch_locked();
  fetch_fn fetch_;
  std::chrono::seconds advisory_, mandatory_;
  std::function<wall_time()> now_;
  std::mutex mu_;          // guards current_ and have_
  std::mutex refresh_mu_;  // one refresh at a time
  credentials current_{};
  bool have_ = false;
  std::atomic<int> fetches_{0};
};

// ---------------------------------------------------------------- the sources

/// The result of asking a source: a provider, or why the source does not apply (`skipped`).
struct source_result {
  std::shared_ptr<credentials_provider> provider;
  std::string skipped;
};

source_result environment_source();
source_result web_identity_source();
source_result profile_source(const std::string& profile, bool named_explicitly);
source_result container_source();
source_result instance_metadata_source();

/// The credentials a `credential_process` prints (Version 1 JSON). @throws credentials_error
credentials run_credential_process(const std::string& command);
/// STS AssumeRole signed with `source`. @throws credentials_error
credentials assume_role(const credentials& source, const std::string& role_arn, const std::string& session_name,
                        const std::string& external_id);
/// STS AssumeRoleWithWebIdentity (unsigned) with the token read from `token_file` at each call.
/// @throws credentials_error
credentials assume_role_with_web_identity(const std::string& role_arn, const std::string& session_name,
                                          const std::string& token_file);

}  // namespace dynantic::detail
