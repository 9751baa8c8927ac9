#include "buffers.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

namespace dynantic::detail {
namespace {

constexpr std::size_t min_kept = 4 << 10;   // smaller ones cost less to allocate than to pool
constexpr std::size_t max_kept = 32 << 20;  // larger ones are rare: not worth holding
constexpr std::size_t max_buffers = 32;     // enough for a full pipeline of requests and their answers

struct buffer_pool {
  std::mutex mutex;
  std::vector<std::string> kept;
};

buffer_pool& pool() {
  static auto* p = new buffer_pool;  // never destroyed: buffers may come back during static destruction
  return *p;
}

}  // namespace

std::string take_buffer(std::size_t capacity) {
  std::string out;
  if (capacity >= min_kept && capacity <= max_kept) {
    auto& p = pool();
    std::lock_guard lock(p.mutex);
    // the smallest kept buffer that is large enough, else the largest (grown below)
    auto fitting = p.kept.end(), largest = p.kept.end();
    for (auto it = p.kept.begin(); it != p.kept.end(); ++it) {
      if (it->capacity() >= capacity && (fitting == p.kept.end() || it->capacity() < fitting->capacity())) fitting = it;
      if (largest == p.kept.end() || it->capacity() > largest->capacity()) largest = it;
    }
    auto best = fitting != p.kept.end() ? fitting : largest;
    if (best != p.kept.end()) {
      out = std::move(*best);
      *best = std::move(p.kept.back());
      p.kept.pop_back();
    }
  }
  out.clear();
  // grown with room to spare: answers of one kind vary a little in size, and each regrowth is fresh memory
  if (out.capacity() < capacity) out.reserve(capacity >= min_kept ? capacity + capacity / 8 : capacity);
  return out;
}

void recycle_buffer(std::string&& buffer) noexcept {
  if (buffer.capacity() < min_kept || buffer.capacity() > max_kept) return;
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  if (p.kept.size() < max_buffers) {
    p.kept.push_back(std::move(buffer));
    return;
  }
  // full: keep the larger buffers
  auto smallest = std::min_element(p.kept.begin(), p.kept.end(), [](const std::string& a, const std::string& b) {
    return a.capacity() < b.capacity();
  });
  if (smallest->capacity() < buffer.capacity()) std::swap(*smallest, buffer);
}

std::size_t kept_buffers() noexcept {
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  return p.kept.size();
}

void drop_kept_buffers() noexcept {
  std::vector<std::string> gone;
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  gone.swap(p.kept);
}

}  // namespace dynantic::detail
