// The default client and scoped clients (the rest of table<M> forwards to the layers below).
#include <dynantic/table.hpp>

#include <mutex>

#include <dynantic/error.hpp>

namespace dynantic {
namespace {
std::mutex default_mu;
std::optional<client> default_instance;
thread_local std::vector<client> scoped_stack;
}  // namespace

void set_default_client(client c) {
  std::lock_guard lock(default_mu);
  default_instance = std::move(c);
}

client default_client() {
  std::lock_guard lock(default_mu);
  if (!default_instance) default_instance.emplace();
  return *default_instance;
}

scoped_client::scoped_client(client c) { scoped_stack.push_back(std::move(c)); }
scoped_client::~scoped_client() { scoped_stack.pop_back(); }

client current_client() {
  if (!scoped_stack.empty()) return scoped_stack.back();
  return default_client();
}

}  // namespace dynantic
