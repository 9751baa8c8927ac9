# ctest: no file includes a header of a higher layer (DESIGN.md §4, HACKING.md "Layers").
cmake_minimum_required(VERSION 3.25)
# -DROOT=<project root>
# Layer 0 holds the vocabulary every layer speaks: the value type (attribute_value, item) and the error types.
set(layer_rules
  # path prefix (relative to the root)        layer
  "include/dynantic/value/attribute_value.hpp" 0
  "include/dynantic/error.hpp"                 0
  "src/error.cpp"                              0
  "src/buffers.hpp"                            0
  "src/buffers.cpp"                            0
  "include/dynantic/client.hpp"                1
  "include/dynantic/async.hpp"                 1
  "src/wire/"                                  1
  "include/dynantic/value/"                    2
  "src/value/"                                 2
  "include/dynantic/model/"                    3
  "include/dynantic/detail/ddb_json.hpp"           3
  "src/model/"                                 3
  "include/dynantic/expr/"                     4
  "src/expr/"                                  4
  "include/dynantic/ops/"                      5
  "include/dynantic/query.hpp"                 5
  "src/ops/"                                   5
  "src/query.cpp"                              5
  "include/dynantic/bulk/"                     6
  "src/bulk/"                                  6
  "include/dynantic/table.hpp"                 7
  "include/dynantic/dynantic.hpp"              7
  "src/table.cpp"                              7
  "include/dynantic/testing/"                  8
  "src/testing/"                               8)

# Includes still against the layers, each with the reason it is left (empty when there is none).
set(known_exceptions "")

# layer_of(<relative path> <out var>): the layer of the longest matching prefix; -1 when none matches.
function(layer_of path out)
  set(best -1)
  set(best_len 0)
  list(LENGTH layer_rules n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    list(GET layer_rules ${i} prefix)
    math(EXPR j "${i} + 1")
    list(GET layer_rules ${j} layer)
    string(LENGTH "${prefix}" len)
    string(SUBSTRING "${path}" 0 ${len} head)
    if(head STREQUAL prefix AND len GREATER best_len)
      set(best ${layer})
      set(best_len ${len})
    endif()
  endforeach()
  set(${out} ${best} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/include/dynantic/*.hpp ${ROOT}/src/*.hpp ${ROOT}/src/*.cpp)
set(problems "")
set(checked 0)
foreach(f ${files})
  layer_of(${f} own)
  if(own EQUAL -1)
    string(APPEND problems "\n  ${f}: no layer assigned (add it to tests/check_layers.cmake)")
    continue()
  endif()
  file(STRINGS ${ROOT}/${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line ${lines})
    if(line MATCHES "#[ \t]*include[ \t]*<(dynantic/[^>]+)>")
      set(target "include/${CMAKE_MATCH_1}")
    elseif(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
      set(target "src/${CMAKE_MATCH_1}")
    else()
      continue()
    endif()
    layer_of(${target} theirs)
    math(EXPR checked "${checked} + 1")
    if(theirs GREATER own AND NOT "${f}|${target}" IN_LIST known_exceptions)
      string(APPEND problems "\n  ${f} (layer ${own}) includes ${target} (layer ${theirs})")
    endif()
  endforeach()
endforeach()
if(problems)
  message(FATAL_ERROR "includes against the layers:${problems}")
endif()
list(LENGTH files n)
message(STATUS "${n} files, ${checked} includes of the project's own headers, none against the layers")
