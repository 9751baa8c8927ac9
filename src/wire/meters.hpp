#pragma once
// Capacity meters (client.hpp) carried to the threads the library starts for a piece of work (a parallel scan's
// workers, a batch writer's pump): what the work's calls consume on those threads counts in the meters that were
// alive on the thread that started it.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <dynantic/client.hpp>

namespace dynantic::detail {

/// What one capacity_meter has summed. Shared with the threads the meter was carried to, so that a call ending
/// there after the meter is gone adds to memory that still exists (and that nobody reads any more).
struct meter_sums {
  mutable std::mutex mu;
  consumed_capacity sum;
  std::map<std::pair<std::string, std::string>, item_collection_size> collections;
};

/// The meters alive on the calling thread, outermost first.
std::vector<std::shared_ptr<meter_sums>> meters_of_this_thread();

/// While alive, the calls of the current thread count in `meters` too (besides the meters of its own).
class carried_meters {
 public:
  explicit carried_meters(const std::vector<std::shared_ptr<meter_sums>>& meters);
  ~carried_meters();
  carried_meters(const carried_meters&) = delete;
  carried_meters& operator=(const carried_meters&) = delete;

 private:
  std::size_t count_;
};

}  // namespace dynantic::detail
