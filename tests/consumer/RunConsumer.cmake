# Script mode; see CMakeLists.txt beside this file.
file(REMOVE_RECURSE "${WORK}")
set(prefix "${WORK}/prefix")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "${what}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install into ${prefix}" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(f include/kareo/kareo.hpp lib/cmake/Kareo/KareoConfig.cmake lib/cmake/Kareo/KareoConfigVersion.cmake
          lib/pkgconfig/kareo.pc)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "the installed package lacks ${f}")
  endif()
endforeach()

# 1. CMake: find_package(Kareo CONFIG REQUIRED), link Kareo::kareo.
run("configure consumer (find_package)" ${CMAKE_COMMAND} -S "${PROJECT_DIR}" -B "${WORK}/cmake-build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX}")
run("build consumer (find_package)" ${CMAKE_COMMAND} --build "${WORK}/cmake-build")
run("run consumer (find_package)" "${WORK}/cmake-build/kareo_consumer")
if(NOT last_output MATCHES "kareo [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "the consumer printed an unexpected line:\n${last_output}")
endif()
run("run the consumer's test with Kareo::mocks" "${WORK}/cmake-build/kareo_consumer_mock_test")

# 2. pkg-config: the compiler line comes from kareo.pc alone.
set(ENV{PKG_CONFIG_PATH} "${prefix}/lib/pkgconfig")
execute_process(COMMAND pkg-config --cflags --libs kareo OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config does not find kareo.pc in ${prefix}/lib/pkgconfig")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run("build consumer (pkg-config)" "${CXX}" "${PROJECT_DIR}/main.cpp" -o "${WORK}/kareo_consumer_pc" ${flags})
run("run consumer (pkg-config)" "${WORK}/kareo_consumer_pc")
if(NOT last_output MATCHES "kareo [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "the pkg-config consumer printed an unexpected line:\n${last_output}")
endif()
