#pragma once
/// @file parallel_scan.hpp
/// The parallel scan behind scan<M>::parallel: a table's or index's segments scanned by a few threads (the
/// threads and locks stay in src/bulk/parallel_scan.cpp), each page decoded into the model on its thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <dynantic/query.hpp>

namespace dynantic {
namespace detail {
/// `segments` segments of `s`, at most `max_in_flight` at once (threads). For each page, `decode` runs on the
/// scanning thread and the function it returns is called one at a time. The first error stops the scan and is
/// rethrown. @throws validation_error for fewer than one segment
void parallel_scan(const read_spec& s, std::int32_t segments, std::size_t max_in_flight,
                   const std::function<std::function<void()>(const std::vector<answer_item>&)>& decode);
}  // namespace detail

template <class M>
void scan<M>::parallel(std::int32_t segments, const std::function<void(std::vector<result_t<M>>&&)>& sink,
                       std::size_t max_in_flight) const {
  const detail::read_spec& s = this->spec_;
  detail::parallel_scan(s, segments, max_in_flight, [&sink, &s](const std::vector<detail::answer_item>& raw) {
    auto items = std::make_shared<std::vector<result_t<M>>>();
    auto invalid = std::make_shared<std::vector<invalid_item>>();
    items->reserve(raw.size());
    // decoded on the scanning thread; invalid items are handed over with the page, one call at a time
    detail::invalid_handler keep;
    if (s.on_invalid) keep = [&invalid](invalid_item&& i) { invalid->push_back(std::move(i)); };
    for (const auto& it : raw) {
      if (auto m = detail::decode_answer<M>(it, s.target.table, keep)) items->push_back(std::move(*m));
    }
    return std::function<void()>([&sink, &s, items, invalid] {
      for (auto& i : *invalid) s.on_invalid(std::move(i));
      if (!items->empty()) sink(std::move(*items));
    });
  });
}

}  // namespace dynantic
