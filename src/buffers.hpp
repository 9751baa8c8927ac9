#pragma once
// Reuse of large buffers (request and response bodies) across requests: a buffer handed back is given to the
// next request that needs one, so steady-state work writes into memory the process has already touched
// instead of fresh pages from the system (each first touch of a page is a page fault, expensive on virtual
// machines). Thread-safe; keeps a few buffers of bounded size, frees the rest.
#include <cstddef>
#include <string>

namespace dynantic::detail {

/// An empty string with at least `capacity` bytes reserved: a kept buffer when one is large enough.
std::string take_buffer(std::size_t capacity);

/// Hands a buffer back for reuse (its contents are dropped). Small and huge buffers are just freed.
void recycle_buffer(std::string&& buffer) noexcept;

/// How many buffers are kept now, and frees them all (tests; a program that wants its memory back).
std::size_t kept_buffers() noexcept;
void drop_kept_buffers() noexcept;

}  // namespace dynantic::detail
