#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string_view>

#include <simdjson.h>
#include <zlib.h>

#include "wire/sigv4.hpp"

namespace dynantic::testing {
namespace {

// Reads until "\r\n\r\n" and the body (Content-Length or chunked). Returns false on EOF/error/timeout.
struct message {
  std::string head;  // start line + headers, without the final blank line
  std::string body;
};

enum class read_status { data, timeout, closed };

read_status read_some(int fd, std::string& buf, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  int ready = ::poll(&p, 1, timeout_ms);
  if (ready == 0) return read_status::timeout;
  if (ready < 0) return read_status::closed;
  char tmp[65536];
  ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0) return read_status::closed;
  buf.append(tmp, static_cast<std::size_t>(n));
  return read_status::data;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string header(const std::string& head, const std::string& name) {
  std::string l = lower(head);
  auto pos = l.find("\r\n" + name + ":");
  if (pos == std::string::npos) return {};
  pos += name.size() + 3;
  auto end = head.find("\r\n", pos);
  std::string v = head.substr(pos, end - pos);
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
  return v;
}

// One whole message from the front of `buf`, removed from it; false (buf untouched) while it is incomplete.
// `bad`: the message can never be read (a head over 1 MB, a body over 64 MB).
bool take_message(std::string& buf, message& m, bool& bad) {
  std::size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos) {
    bad = buf.size() > (1u << 20);
    return false;
  }
  std::string head = buf.substr(0, end), body;
  std::size_t pos = end + 4;
  if (lower(header(head, "transfer-encoding")) == "chunked") {
    for (;;) {
      std::size_t eol = buf.find("\r\n", pos);
      if (eol == std::string::npos) return false;
      std::size_t size = std::stoul(buf.substr(pos, eol - pos), nullptr, 16);
      if (buf.size() < eol + 2 + size + 2) return false;
      body.append(buf, eol + 2, size);
      pos = eol + 2 + size + 2;
      if (size == 0) break;
    }
  } else {
    std::string cl = header(head, "content-length");
    std::size_t len = cl.empty() ? 0 : std::stoul(cl);
    if (len > (64u << 20)) {
      bad = true;
      return false;
    }
    if (buf.size() < pos + len) return false;
    body = buf.substr(pos, len);
    pos += len;
  }
  m.head = std::move(head);
  m.body = std::move(body);
  buf.erase(0, pos);
  return true;
}

// Reads until a whole message is in `buf` (Content-Length or chunked). A wait of `timeout_ms` without data ends
// it with `timeout`, keeping what arrived: the caller may wait again (a client that pauses mid-request).
read_status read_message(int fd, std::string& buf, message& m, int timeout_ms) {
  for (;;) {
    bool bad = false;
    if (take_message(buf, m, bad)) return read_status::data;
    if (bad) return read_status::closed;
    if (auto r = read_some(fd, buf, timeout_ms); r != read_status::data) return r;
  }
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void hard_close(int fd) {
  linger l{1, 0};  // RST instead of FIN
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

std::string error_answer(int status, const char* reason, const char* type) {
  std::string body = std::string("{\"__type\":\"com.amazonaws.dynamodb.v20120810#") + type +
                     "\",\"message\":\"injected by the test proxy\"}";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: injected\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Rebuilds the answer with a Content-Length (drops Transfer-Encoding).
std::string rebuild(const message& m, std::size_t declared_length) {
  std::string out;
  std::size_t pos = 0;
  while (pos < m.head.size()) {
    auto eol = m.head.find("\r\n", pos);
    if (eol == std::string::npos) eol = m.head.size();
    std::string line = m.head.substr(pos, eol - pos);
    std::string l = lower(line);
    if (!l.starts_with("content-length:") && !l.starts_with("transfer-encoding:")) out += line + "\r\n";
    pos = eol + 2;
  }
  out += "Content-Length: " + std::to_string(declared_length) + "\r\n\r\n";
  return out;
}

int connect_to(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &a.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

fault parse_fault(const std::string& n) {
  if (n == "ok" || n == "none") return fault::none;
  if (n == "throttle") return fault::throttle;
  if (n == "500") return fault::error500;
  if (n == "503") return fault::error503;
  if (n == "reset") return fault::reset;
  if (n == "lost") return fault::lost_answer;
  if (n == "truncate") return fault::truncate;
  if (n == "corrupt") return fault::corrupt;
  throw std::invalid_argument("unknown fault '" + n + "'");
}

bool split_endpoint(const std::string& url, std::string& host, int& port) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return false;
  host = rest.substr(0, colon);
  port = std::stoi(rest.substr(colon + 1));
  return true;
}

fault_proxy::fault_proxy(fault_proxy_options o) : o_(std::move(o)), script_(o_.script), gen_(o_.seed) {
  if (o_.secret_key.empty()) {
    if (const char* s = std::getenv("AWS_SECRET_ACCESS_KEY")) o_.secret_key = s;
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
  a.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 1024) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("fault_proxy: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

fault_proxy::~fault_proxy() {
  stop();
  wait();
}

void fault_proxy::stop() { stop_ = true; }

void fault_proxy::wait() {
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& w : workers_) w.thread.join();
  workers_.clear();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void fault_proxy::set_script(std::vector<fault> script) {
  std::lock_guard lock(mu_);
  script_ = std::move(script);
  script_pos_ = 0;
}

fault fault_proxy::next_fault() {
  fault f = fault::none;
  {
    std::lock_guard lock(mu_);
    if (script_pos_ < script_.size()) {
      f = script_[script_pos_++];
    } else {
      std::uniform_real_distribution<double> u(0, 1);
      double x = u(gen_);
      if ((x -= o_.throttle_rate) < 0) f = fault::throttle;
      else if ((x -= o_.error500_rate) < 0) f = fault::error500;
      else if ((x -= o_.error503_rate) < 0) f = fault::error503;
      else if ((x -= o_.reset_rate) < 0) f = fault::reset;
      else if ((x -= o_.lost_answer_rate) < 0) f = fault::lost_answer;
    }
  }
  ++injected_[static_cast<std::size_t>(f)];
  return f;
}

bool fault_proxy::chance(double p) {
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0, 1)(gen_) < p;
}

namespace {
std::string with_length(const std::string& head_without_length, std::size_t n) {
  return head_without_length + "Content-Length: " + std::to_string(n) + "\r\n\r\n";
}

// Signs `head` (request line and headers, each line ending in CRLF) again for `body` with the client's date,
// scope and signed headers: what a proxy that edits a request must do for AWS to accept it.
std::string resign(const std::string& head, const std::string& body, const std::string& secret) {
  std::string auth = header(head, "authorization");
  const std::string algo = "AWS4-HMAC-SHA256 ";
  if (secret.empty() || !auth.starts_with(algo)) return head;
  auto field = [&](const std::string& name) {
    auto pos = auth.find(name + "=");
    if (pos == std::string::npos) return std::string{};
    pos += name.size() + 1;
    return auth.substr(pos, auth.find(',', pos) - pos);
  };
  std::string cred = field("Credential"), signed_list = field("SignedHeaders");
  std::vector<std::string> scope;
  for (std::size_t pos = 0;;) {
    auto slash = cred.find('/', pos);
    scope.push_back(cred.substr(pos, slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  std::string date = header(head, "x-amz-date");
  std::tm tm{};
  if (scope.size() != 5 || date.size() != 16 || !::strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return head;
  detail::signing_request r;
  std::string host = header(head, "host");
  r.host = host;
  r.payload = body;
  for (std::size_t pos = 0; pos <= signed_list.size();) {
    auto semi = signed_list.find(';', pos);
    if (semi == std::string::npos) semi = signed_list.size();
    std::string name = signed_list.substr(pos, semi - pos);
    if (name != "host" && name != "x-amz-date" && name != "x-amz-security-token") {
      r.headers.emplace_back(name, header(head, name));
    }
    pos = semi + 1;
  }
  credentials c{scope[0], secret, header(head, "x-amz-security-token"), std::nullopt};
  detail::sigv4_signer signer(scope[2], scope[3]);
  auto sig = signer.sign(r, c, std::chrono::system_clock::from_time_t(::timegm(&tm)));
  std::string out;
  for (std::size_t pos = 0; pos < head.size();) {
    auto eol = head.find("\r\n", pos);
    if (eol == std::string::npos) eol = head.size();
    std::string line = head.substr(pos, eol - pos);
    out += lower(line).starts_with("authorization:") ? "Authorization: " + sig.authorization : line;
    out += "\r\n";
    pos = eol + 2;
  }
  return out;
}
}  // namespace

bool fault_proxy::partial_batch(int fd, int& up, std::string& up_in, const std::string& head, const std::string& body,
                                bool is_write) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return false;
  // Split every table's requests (or keys) into forwarded and withheld.
  std::string forward = R"({"RequestItems":{)", withheld;
  bool any_forward = false, any_withheld = false;
  for (auto table : doc["RequestItems"].get_object()) {
    std::string fwd_list, held_list, extra;
    simdjson::dom::array list;
    if (is_write) {
      list = table.value.get_array();
    } else {
      list = table.value["Keys"].get_array();
      for (auto f : table.value.get_object()) {  // ConsistentRead, ProjectionExpression, ... go with both parts
        if (f.key != "Keys") extra += ",\"" + std::string(f.key) + "\":" + simdjson::to_string(f.value);
      }
    }
    for (auto e : list) {
      bool hold = chance(o_.unprocessed_rate);
      withheld_ += hold;
      std::string& to = hold ? held_list : fwd_list;
      if (!to.empty()) to += ',';
      to += simdjson::to_string(e);
    }
    std::string key = "\"" + std::string(table.key) + "\":";
    auto wrap = [&](const std::string& l) { return is_write ? "[" + l + "]" : R"({"Keys":[)" + l + "]" + extra + "}"; };
    if (!fwd_list.empty()) {
      forward += (any_forward ? "," : "") + key + wrap(fwd_list);
      any_forward = true;
    }
    if (!held_list.empty()) {
      withheld += (any_withheld ? "," : "") + key + wrap(held_list);
      any_withheld = true;
    }
  }
  forward += "}}";
  const char* unprocessed_key = is_write ? "UnprocessedItems" : "UnprocessedKeys";
  std::string answer_body;
  std::string answer_head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: partial\r\n";
  if (any_forward) {
    // Rebuild the request with the forwarded part only.
    std::string h;
    std::size_t pos = 0;
    while (pos < head.size()) {
      auto eol = head.find("\r\n", pos);
      if (eol == std::string::npos) eol = head.size();
      std::string line = head.substr(pos, eol - pos);
      std::string l = lower(line);
      if (!l.starts_with("content-length:") && !l.starts_with("transfer-encoding:")) h += line + "\r\n";
      pos = eol + 2;
    }
    message ans;
    if (up < 0) up = connect_to(o_.upstream_host, o_.upstream_port);
    h = resign(h, forward, o_.secret_key);
    if (up < 0 || !send_all(up, with_length(h, forward.size()) + forward) ||
        read_message(up, up_in, ans, 30000) != read_status::data) {
      return false;
    }
    ++forwarded_;
    if (header(ans.head, "content-type").empty() || ans.head.find(" 200 ") == std::string::npos) {
      // an error from the server: relay it as it is
      send_all(fd, rebuild(ans, ans.body.size()) + ans.body);
      return true;
    }
    // Merge: the server's answer (with its own unprocessed part, normally empty) plus what we withheld.
    simdjson::dom::parser p2;
    simdjson::dom::element got;
    if (p2.parse(ans.body).get(got) != simdjson::SUCCESS) return false;
    answer_body = "{";
    bool first = true;
    for (auto f : got.get_object()) {
      if (std::string_view(f.key) == unprocessed_key) continue;
      answer_body += (first ? "" : ",") + ("\"" + std::string(f.key) + "\":") + simdjson::to_string(f.value);
      first = false;
    }
    std::string merged;
    simdjson::dom::object server_left;
    if (got[unprocessed_key].get_object().get(server_left) == simdjson::SUCCESS) {
      for (auto f : server_left) {
        merged += (merged.empty() ? "" : ",") + ("\"" + std::string(f.key) + "\":") + simdjson::to_string(f.value);
      }
    }
    if (any_withheld) merged += (merged.empty() ? "" : ",") + withheld;
    answer_body += std::string(first ? "" : ",") + "\"" + unprocessed_key + "\":{" + merged + "}}";
  } else {
    answer_body = is_write ? R"({"UnprocessedItems":{)" + withheld + "}}"
                           : R"({"Responses":{},"UnprocessedKeys":{)" + withheld + "}}";
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(answer_body.data()), static_cast<uInt>(answer_body.size()));
  answer_head += "x-amz-crc32: " + std::to_string(crc) + "\r\n";
  return send_all(fd, with_length(answer_head, answer_body.size()) + answer_body);
}

void fault_proxy::accept_loop() {
  // max_lifetime counts from the last activity (a connection or a request), not from the start: a long test on
  // a slow machine keeps its proxy; a proxy nobody uses goes away.
  auto deadline = std::chrono::steady_clock::now() + o_.max_lifetime;
  std::uint64_t seen = 0;
  while (!stop_ && std::chrono::steady_clock::now() < deadline && requests_ < o_.max_requests) {
    if (requests_ != seen) {
      seen = requests_;
      deadline = std::chrono::steady_clock::now() + o_.max_lifetime;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    deadline = std::chrono::steady_clock::now() + o_.max_lifetime;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Reap finished connections; at most 1,024 open at once (bounded; the async engine keeps 256 by default).
    for (std::size_t i = 0; i < workers_.size();) {
      if (workers_[i].done->load()) {
        workers_[i].thread.join();
        workers_[i] = std::move(workers_.back());
        workers_.pop_back();
      } else {
        ++i;
      }
    }
    if (workers_.size() >= 1024) {
      ::close(fd);
      continue;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back({std::thread([this, fd, done] {
                          serve(fd);
                          *done = true;
                        }),
                        done});
  }
  stop_ = true;
}

void fault_proxy::serve(int fd) {
  std::string in, up_in;
  int up = -1;
  std::chrono::steady_clock::time_point stalled_since{};  // when a partial request stopped arriving
  bool stalled = false;
  while (!stop_) {
    message req;
    // Waits in steps of 100 ms to notice stop(). An idle keep-alive connection waits for its next request; a client
    // that pauses mid-request (a loaded machine) is waited for up to 60 s.
    read_status got = read_message(fd, in, req, 100);
    if (got == read_status::closed) break;
    if (got == read_status::timeout) {
      if (in.empty()) {
        stalled = false;
        continue;
      }
      auto now = std::chrono::steady_clock::now();
      if (!stalled) {
        stalled = true;
        stalled_since = now;
      }
      if (now - stalled_since > std::chrono::seconds(60)) break;
      continue;
    }
    stalled = false;
    ++requests_;
    fault f = next_fault();
    if (f == fault::throttle) {
      if (!send_all(fd, error_answer(400, "Bad Request", "ProvisionedThroughputExceededException"))) break;
      continue;
    }
    if (f == fault::error500) {
      if (!send_all(fd, error_answer(500, "Internal Server Error", "InternalServerError"))) break;
      continue;
    }
    if (f == fault::error503) {
      if (!send_all(fd, error_answer(503, "Service Unavailable", "ServiceUnavailable"))) break;
      continue;
    }
    if (f == fault::reset) {
      hard_close(fd);
      fd = -1;
      break;
    }
    if (f == fault::none && o_.unprocessed_rate > 0) {
      std::string target = header(req.head, "x-amz-target");
      bool write = target.ends_with(".BatchWriteItem"), get = target.ends_with(".BatchGetItem");
      if (write || get) {
        if (!partial_batch(fd, up, up_in, req.head, req.body, write)) break;
        continue;
      }
    }
    // forward
    if (up < 0) up = connect_to(o_.upstream_host, o_.upstream_port);
    if (up < 0) break;
    std::string head = req.head;
    std::string out = rebuild(message{head, {}}, req.body.size()) + req.body;
    message ans;
    if (!send_all(up, out) || read_message(up, up_in, ans, 30000) != read_status::data) {
      ::close(up);
      up = -1;
      break;
    }
    ++forwarded_;
    if (f == fault::lost_answer) {
      hard_close(fd);
      fd = -1;
      break;
    }
    if (f == fault::truncate) {
      send_all(fd, rebuild(ans, ans.body.size()) + ans.body.substr(0, ans.body.size() / 2));
      ::shutdown(fd, SHUT_RDWR);
      break;
    }
    if (f == fault::corrupt && !ans.body.empty()) {
      ans.body[ans.body.size() / 2] = ans.body[ans.body.size() / 2] == ' ' ? '\t' : ' ';
    }
    if (!send_all(fd, rebuild(ans, ans.body.size()) + ans.body)) break;
  }
  if (up >= 0) ::close(up);
  if (fd >= 0) ::close(fd);
}

}  // namespace dynantic::testing
