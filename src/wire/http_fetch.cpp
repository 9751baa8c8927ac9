// One blocking HTTP request (see http_fetch.hpp).
#include "wire/http_fetch.hpp"

#include <memory>

#include <curl/curl.h>

namespace dynantic::detail {
namespace {
std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
}  // namespace

fetch_result http_fetch(std::string_view method, const std::string& url, const std::vector<std::string>& headers,
                        const std::string& body, const fetch_options& o) {
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  fetch_result r;
  if (!curl_ready) {
    r.error = "libcurl did not initialize";
    return r;
  }
  std::unique_ptr<CURL, void (*)(CURL*)> easy(curl_easy_init(), curl_easy_cleanup);
  if (!easy) {
    r.error = "cannot create a libcurl handle";
    return r;
  }
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> hold(list, curl_slist_free_all);
  CURL* e = easy.get();
  std::string m(method);
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  if (m == "POST" || m == "PUT") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  if (m != "GET" && m != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  if (!o.use_proxy) curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  CURLcode rc = curl_easy_perform(e);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
    r.body.clear();
    return r;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

}  // namespace dynantic::detail
