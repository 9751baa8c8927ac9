// libcurl transport: a pool of engines, each a multi handle with its own easy handles. A multi handle keeps
// its connection cache between runs, so connections stay alive across calls (keep-alive); concurrent
// callers take different engines.
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "buffers.hpp"
#include "wire/transport.hpp"

namespace dynantic::detail {
namespace {

struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  const std::string* body = nullptr;  // the request body, handed to libcurl by on_read
  std::size_t body_sent = 0;
  // the read timeout: when a byte last moved either way
  std::chrono::steady_clock::time_point last_progress{};
  curl_off_t progressed = 0;
  std::chrono::milliseconds read_timeout{0};
  bool stalled = false;
  std::size_t token = 0;
  http_response response;
  bool busy = false;
  bool configured = false;           // the options that never change are set
  const std::string* url = nullptr;  // the URL set on the handle
  char error_text[CURL_ERROR_SIZE] = {};
  // for telemetry: when the attempt started and when the answer's first byte came
  std::chrono::steady_clock::time_point started{},
      first_byte{};  // libcurl's detail of a failure ("SSL certificate problem: ...")
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<slot*>(user);
  s->response.body.append(data, size * n);
  return size * n;
}

std::size_t on_read(char* out, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<slot*>(user);
  std::size_t k = std::min(size * n, s->body->size() - s->body_sent);
  std::memcpy(out, s->body->data() + s->body_sent, k);
  s->body_sent += k;
  return k;
}

// libcurl sends a request again on its own when a reused connection dies before the answer, rewinding the body.
// Such a send is an attempt the retry policy did not count (and the first one may have been applied: a lost
// answer), so the body cannot be rewound once any of it went out: libcurl then fails the transfer
// (CURLE_SEND_FAIL_REWIND, a reset for the retry policy), which decides whether to send again.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* s = static_cast<slot*>(user);
  if (origin == SEEK_SET && offset == 0 && s->body_sent == 0) return CURL_SEEKFUNC_OK;
  return CURL_SEEKFUNC_CANTSEEK;
}

// Called by libcurl often while bytes move and about once a second while none do.
int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* s = static_cast<slot*>(user);
  auto now = std::chrono::steady_clock::now();
  if (dlnow + ulnow != s->progressed) {
    s->progressed = dlnow + ulnow;
    s->last_progress = now;
    return 0;
  }
  if (now - s->last_progress >= s->read_timeout) {
    s->stalled = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char a = line[i], b = name[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (a != b) return false;
  }
  return true;
}

std::string header_value(std::string_view line, std::size_t name_len) {
  line.remove_prefix(name_len + 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  return std::string(line);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<slot*>(user);
  std::string_view line(data, size * n);
  if (s->first_byte == std::chrono::steady_clock::time_point{}) s->first_byte = std::chrono::steady_clock::now();
  if (line.starts_with("HTTP/")) {  // a new response (e.g. after 100-continue): reset what we kept
    s->response.request_id.clear();
    s->response.crc32.clear();
    s->response.retry_after.reset();
  } else if (header_is(line, "x-amz-retry-after")) {
    // milliseconds; anything else (negative, not a number, absurdly large) is ignored, as botocore does
    auto v = header_value(line, 17);
    char* end = nullptr;
    long long ms = std::strtoll(v.c_str(), &end, 10);
    if (!v.empty() && end && *end == '\0' && ms >= 0 && ms < 86'400'000) {
      s->response.retry_after = std::chrono::milliseconds(ms);
    }
  } else if (header_is(line, "x-amzn-requestid")) {
    s->response.request_id = header_value(line, 16);
  } else if (header_is(line, "x-amz-crc32")) {
    s->response.crc32 = header_value(line, 11);
  } else if (header_is(line, "content-length")) {
    auto v = header_value(line, 14);
    std::size_t len = std::strtoull(v.c_str(), nullptr, 10);
    // from the reused buffers, with room for the JSON parser's padding (no copy before parsing)
    if (len < (64u << 20) && s->response.body.capacity() < len + 64) {
      recycle_buffer(std::move(s->response.body));
      s->response.body = take_buffer(len + 64);
    }
  }
  return size * n;
}

net_failure map_curl(CURLcode c) {
  switch (c) {
    case CURLE_OK: return net_failure::none;
    case CURLE_OPERATION_TIMEDOUT: return net_failure::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST: return net_failure::connect;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_FAIL_REWIND: return net_failure::reset;  // the connection died after the body was sent
    case CURLE_PARTIAL_FILE: return net_failure::truncated;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH: return net_failure::tls;
    default: return net_failure::other;
  }
}

// The answer of a finished transfer (or how it failed); frees the slot.
http_response collect(slot& s, CURLcode rc) {
  http_response r = std::move(s.response);
  s.response = {};
  if (rc == CURLE_OK) {
    curl_easy_getinfo(s.easy, CURLINFO_RESPONSE_CODE, &r.status);
    // (libcurl's STARTTRANSFER_TIME marks the start of a POST's upload, not the answer's first byte)
    auto now = std::chrono::steady_clock::now();
    if (s.first_byte != std::chrono::steady_clock::time_point{}) {
      r.time_to_first_byte = std::chrono::duration_cast<std::chrono::microseconds>(s.first_byte - s.started);
    }
    r.duration = std::chrono::duration_cast<std::chrono::microseconds>(now - s.started);
  } else {
    r.failure = map_curl(rc);
    r.failure_message = curl_easy_strerror(rc);
    if (s.error_text[0] != '\0') r.failure_message += std::string(": ") + s.error_text;
    if (rc == CURLE_ABORTED_BY_CALLBACK && s.stalled) {
      r.failure = net_failure::timeout;
      r.failure_message = "no data moved for " + std::to_string(s.read_timeout.count()) + " ms (read timeout)";
    }
  }
  curl_slist_free_all(s.headers);
  s.headers = nullptr;
  s.busy = false;
  return r;
}

// The easy handles of one multi handle, reused across requests (each keeps its DNS cache; the multi handle keeps
// the connections).
class slot_pool {
 public:
  explicit slot_pool(const client_options& o) : opts_(o), multi_(curl_multi_init()) {
    if (!multi_) throw std::runtime_error("curl_multi_init failed");
  }
  ~slot_pool() {
    for (auto& s : slots_) {
      if (s->busy) curl_multi_remove_handle(multi_, s->easy);
      if (s->easy) curl_easy_cleanup(s->easy);
      if (s->headers) curl_slist_free_all(s->headers);
    }
    curl_multi_cleanup(multi_);
  }
  slot_pool(const slot_pool&) = delete;
  slot_pool& operator=(const slot_pool&) = delete;

 protected:
  slot& free_slot() {
    if (!free_.empty()) {
      slot* s = free_.back();
      free_.pop_back();
      return *s;
    }
    auto s = std::make_unique<slot>();
    s->easy = curl_easy_init();
    if (!s->easy) throw std::runtime_error("curl_easy_init failed");
    slots_.push_back(std::move(s));
    return *slots_.back();
  }
  std::vector<slot*> busy_slots() {
    std::vector<slot*> out;
    for (auto& s : slots_) {
      if (s->busy) out.push_back(s.get());
    }
    return out;
  }
  // Takes a slot that free_slot() handed out but next() did not use.
  void unused(slot& s) { free_.push_back(&s); }

  // The finished transfers: their answers go to `src`. @return how many.
  std::size_t harvest(request_source& src) {
    std::size_t n = 0;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      slot* s = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&s));
      CURLcode rc = msg->data.result;
      curl_multi_remove_handle(multi_, msg->easy_handle);
      http_response r = collect(*s, rc);
      free_.push_back(s);
      --in_flight_;
      ++n;
      src.complete(s->token, std::move(r), std::chrono::steady_clock::now());
    }
    return n;
  }

  // Starts what `src` has due at `now`, up to max_in_flight on the wire.
  void start_due(request_source& src, std::size_t max_in_flight, steady_time now) {
    while (in_flight_ < max_in_flight) {
      slot& s = free_slot();
      http_request req;
      if (!src.next(now, s.token, req)) {
        unused(s);
        break;
      }
      start(s, req);
      ++in_flight_;
    }
  }

  void start(slot& s, const http_request& req) {
    CURL* e = s.easy;
    // The options that never change are set once per handle: curl_easy_reset() before each request would also
    // free the handle's buffers, which the next request then allocates (and faults in) again.
    if (!s.configured) configure(s);
    s.busy = true;
    s.started = std::chrono::steady_clock::now();
    s.first_byte = {};
    s.response = {};
    for (const auto& h : req.headers) s.headers = curl_slist_append(s.headers, h.c_str());
    if (s.url != req.url) {
      curl_easy_setopt(e, CURLOPT_URL, req.url->c_str());
      s.url = req.url;
    }
    s.body = req.body;
    s.body_sent = 0;
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body->size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s.headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));  // 0: none
    s.last_progress = std::chrono::steady_clock::now();
    s.progressed = 0;
    s.stalled = false;
    s.error_text[0] = '\0';
    curl_multi_add_handle(multi_, e);
  }

  void configure(slot& s) {
    CURL* e = s.easy;
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, &s);
    curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(e, CURLOPT_SEEKDATA, &s);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &s);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts_.connect_timeout.count()));
    s.read_timeout = opts_.read_timeout;
    if (s.read_timeout.count() > 0) {  // libcurl's LOW_SPEED_* averages over 5 s: a stall is watched here instead
      curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt(e, CURLOPT_XFERINFODATA, &s);
      curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    }
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s.error_text);
    if (!opts_.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, opts_.ca_bundle.c_str());
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, opts_.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, opts_.verify_tls ? 2L : 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    // the smallest upload buffer libcurl takes (its default is 64 KB per transfer in flight)
    curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
    s.configured = true;
  }

  const client_options& opts_;
  CURLM* multi_;
  std::size_t in_flight_ = 0;

 private:
  std::vector<std::unique_ptr<slot>> slots_;
  std::vector<slot*> free_;
};

// Runs one request_source to its end on the calling thread.
class engine : slot_pool {
 public:
  explicit engine(const client_options& o) : slot_pool(o) {}

  void run(request_source& src, std::size_t max_in_flight) {
    max_in_flight = std::max<std::size_t>(1, max_in_flight);
    for (;;) {
      auto now = std::chrono::steady_clock::now();
      start_due(src, max_in_flight, now);
      if (in_flight_ == 0) {
        if (src.done()) return;
        auto due = src.next_due();
        if (!due) return;  // nothing in flight, nothing waiting: the source is stuck; don't spin
        std::this_thread::sleep_until(std::min(*due, now + std::chrono::milliseconds(200)));
        continue;
      }
      int running = 0;
      curl_multi_perform(multi_, &running);
      if (harvest(src) > 0) continue;
      int wait_ms = 100;
      if (in_flight_ < max_in_flight) {
        if (auto due = src.next_due()) {
          auto ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(*due - std::chrono::steady_clock::now()).count();
          wait_ms = static_cast<int>(std::clamp<long long>(ms, 0, 100));
        }
      }
      curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
    }
  }
};

// The client's non-blocking engine: one multi handle driven through libcurl's socket interface. The sockets
// libcurl wants watched are kept in an epoll set, together with an eventfd that wake() writes; that one
// descriptor is what an application's event loop watches (fd()), with libcurl's timer as timeout().
class async_session final : public transport_session, slot_pool {
 public:
  explicit async_session(const client_options& o) : slot_pool(o) {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    wakefd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epfd_ < 0 || wakefd_ < 0) throw std::runtime_error("dynantic: epoll/eventfd unavailable");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wakefd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  }
  ~async_session() override {
    ::close(wakefd_);
    ::close(epfd_);
  }

  void step(request_source& src, std::size_t max_in_flight, std::chrono::milliseconds wait) override {
    max_in_flight = std::max<std::size_t>(1, max_in_flight);
    auto now = std::chrono::steady_clock::now();
    start_due(src, max_in_flight, now);
    auto until = now + wait;
    if (timer_) until = std::min(until, *timer_);
    if (in_flight_ < max_in_flight) {
      if (auto due = src.next_due()) until = std::min(until, *due);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    if (until > now && ms == 0) ms = 1;  // don't spin through the last millisecond
    epoll_event events[64];
    int n = epoll_wait(epfd_, events, 64, static_cast<int>(std::clamp<long long>(ms, 0, 60'000)));
    int running = 0;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wakefd_) {
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(wakefd_, &v, sizeof v);
        continue;
      }
      int mask = 0;
      if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
      curl_multi_socket_action(multi_, fd, mask, &running);
    }
    if (timer_ && *timer_ <= std::chrono::steady_clock::now()) {
      timer_.reset();
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    harvest(src);
  }

  bool abort(std::size_t token) override {
    for (slot* s : busy_slots()) {
      if (s->token != token) continue;
      curl_multi_remove_handle(multi_, s->easy);
      collect(*s, CURLE_ABORTED_BY_CALLBACK);
      unused(*s);
      --in_flight_;
      return true;
    }
    return false;
  }

  std::size_t in_flight() const override { return in_flight_; }
  int fd() const override { return epfd_; }
  std::optional<std::chrono::milliseconds> timeout() override {
    if (!timer_) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*timer_ - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }
  void wake() override {
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(wakefd_, &one, sizeof one);
  }

 private:
  static int on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) {
    auto* self = static_cast<async_session*>(user);
    epoll_event ev{};
    ev.data.fd = fd;
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(self->epfd_, EPOLL_CTL_DEL, fd, &ev);  // fails harmlessly when the socket is already closed
      return 0;
    }
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    if (epoll_ctl(self->epfd_, EPOLL_CTL_MOD, fd, &ev) != 0) epoll_ctl(self->epfd_, EPOLL_CTL_ADD, fd, &ev);
    return 0;
  }
  static int on_timer(CURLM*, long ms, void* user) {
    auto* self = static_cast<async_session*>(user);
    if (ms < 0) {
      self->timer_.reset();
    } else {
      self->timer_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    }
    return 0;
  }

  int epfd_ = -1, wakefd_ = -1;
  std::optional<steady_time> timer_;
};

class curl_transport final : public transport {
 public:
  explicit curl_transport(const client_options& o) : opts_(o) { static curl_global g; }
  steady_time now() override { return std::chrono::steady_clock::now(); }

  std::unique_ptr<transport_session> open_session() override { return std::make_unique<async_session>(opts_); }

  void run(request_source& src, std::size_t max_in_flight) override {
    std::unique_ptr<engine> e;
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        e = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!e) e = std::make_unique<engine>(opts_);
    e->run(src, max_in_flight);  // on exception the engine is dropped, closing its connections
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(e));
  }

 private:
  client_options opts_;
  std::mutex mu_;
  std::vector<std::unique_ptr<engine>> idle_;
};

}  // namespace

std::unique_ptr<transport> make_curl_transport(const client_options& o) { return std::make_unique<curl_transport>(o); }

}  // namespace dynantic::detail
