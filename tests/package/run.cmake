# ctest driver: install the built library into a scratch prefix, build tests/package against it, run it.
# -DBUILD_DIR=<dynantic build> -DSOURCE_DIR=<tests/package> -DWORK_DIR=<scratch> [-DKIT=ON: the test kit too]
file(REMOVE_RECURSE ${WORK_DIR})
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
     -DCMAKE_BUILD_TYPE=Release)
step(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step(${WORK_DIR}/build/consumer)
# The test kit, when this build has it (-DKIT=ON): found as a component, built into a test program and run.
if(KIT)
  step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/kit -B ${WORK_DIR}/kit -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
       -DCMAKE_BUILD_TYPE=Release)
  step(${CMAKE_COMMAND} --build ${WORK_DIR}/kit)
  step(${WORK_DIR}/kit/kit_consumer)
endif()
