# ctest: no public header includes curl, OpenSSL, simdjson or zlib (they stay inside the library).
# -DINCLUDE_DIR=<project>/include
file(GLOB_RECURSE headers ${INCLUDE_DIR}/*.hpp)
if(NOT headers)
  message(FATAL_ERROR "no headers found under ${INCLUDE_DIR}")
endif()
foreach(h ${headers})
  file(STRINGS ${h} hits REGEX "#[ \t]*include[ \t]*[<\"](curl|openssl|simdjson|zlib)")
  if(hits)
    message(FATAL_ERROR "${h} includes a third-party header: ${hits}")
  endif()
endforeach()
list(LENGTH headers n)
message(STATUS "${n} public headers, none includes curl, OpenSSL, simdjson or zlib")
