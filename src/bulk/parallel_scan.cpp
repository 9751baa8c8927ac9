// The parallel scan (include/dynantic/bulk/parallel_scan.hpp): segments scanned by a few threads, each page
// decoded on its thread and handed over one at a time.
#include <dynantic/bulk/parallel_scan.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "wire/meters.hpp"

namespace dynantic::detail {

void parallel_scan(const read_spec& s, std::int32_t segments, std::size_t max_in_flight,
                   const std::function<std::function<void()>(const std::vector<answer_item>&)>& decode) {
  if (segments < 1) throw validation_error("segments", "a parallel scan needs at least one segment");
  std::atomic<std::int32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::exception_ptr first_error;
  const auto meters = meters_of_this_thread();  // the caller's capacity meters count the workers' calls
  auto worker = [&] {
    carried_meters carried(meters);
    try {
      for (;;) {
        std::int32_t seg = next++;
        if (seg >= segments || failed) return;
        read_spec one = s;
        one.segment = seg;
        one.total_segments = segments;
        one.limit.reset();
        auto req = make_page_request(one);
        std::optional<item> start;
        do {
          auto raw = fetch_items(req, s.target.key_names, start, std::nullopt);
          auto deliver = decode(raw.items);  // decoded on this thread
          {
            std::lock_guard lock(mu);  // handed over one page at a time
            deliver();
          }
          start = std::move(raw.next);
        } while (start && !failed);
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(max_in_flight, static_cast<std::size_t>(segments)));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace dynantic::detail
