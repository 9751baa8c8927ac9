# One compile-fail case: compiling with DYNANTIC_FAIL=1 must fail with exactly one error, and that error must be
# dynantic's own message (the case's "// EXPECT:" regex). -DCXX=<compiler> -DINCLUDE=<include dir> -DCASE=<file>
# -DEXPECT=<regex>
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -DDYNANTIC_FAIL=1 -I${INCLUDE} ${CASE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(APPEND out "${err}")
string(REPLACE ";" "," out "${out}")  # a message's ';' would split the list below
string(REPLACE ";" "," EXPECT "${EXPECT}")
if(rc EQUAL 0)
  message(FATAL_ERROR "${CASE} compiled with DYNANTIC_FAIL=1: the misuse is not caught")
endif()
string(REGEX MATCHALL "error: [^\n]*" errors "${out}")
list(LENGTH errors n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "${CASE}: ${n} errors for one misuse (one misuse, one message):\n${out}")
endif()
if(NOT errors MATCHES "${EXPECT}")
  message(FATAL_ERROR "${CASE}: the error is not the expected one (${EXPECT}):\n${out}")
endif()
message(STATUS "one error, as expected: ${errors}")
