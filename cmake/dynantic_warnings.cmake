# Warning flags shared by the library, tests, benchmarks and examples.
function(dynantic_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(DYNANTIC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(DYNANTIC_SANITIZE)
    # a report is an error, not a line in the log
    target_compile_options(${target} PRIVATE -fsanitize=${DYNANTIC_SANITIZE} -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${DYNANTIC_SANITIZE})
  endif()
endfunction()
