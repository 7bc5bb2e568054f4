# Script mode; see CMakeLists.txt beside this file.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
if(EXISTS "${REFERENCE}/KareoServices.wsdl")
  set(wsdl "${WORK}/KareoServices-single.wsdl")
  execute_process(COMMAND ${PYTHON} ${SOURCE_DIR}/tests/contract/make_single_wsdl.py ${REFERENCE} ${wsdl}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not write a single-document contract from ${REFERENCE}")
  endif()
else()
  message("the reference contract is absent; building from wsdl/KareoServices.wsdl given as a user file")
  set(wsdl "${SOURCE_DIR}/wsdl/KareoServices.wsdl")
endif()
# Unoptimised and without debug information: this build only has to show that the library builds from the file
# and that the header it generates is ours, and it compiles much faster that way.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK}/build -G ${GENERATOR} -DKAREO_WSDL=${wsdl}
                        -DKAREO_BUILD_TESTS=OFF -DKAREO_BUILD_EXAMPLES=OFF -DKAREO_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=None
                        -DKAREO_BUILD_TESTING=OFF -DKAREO_BUILD_DOCS=OFF
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure with KAREO_WSDL failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/build --target kareo
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build with KAREO_WSDL failed:\n${out}")
endif()
file(SHA256 "${WORK}/build/generated/KareoServices.h" built)
file(SHA256 "${SOURCE_DIR}/generated/KareoServices.h" kept)
if(NOT built STREQUAL kept)
  message(FATAL_ERROR "the header generated from ${wsdl} differs from generated/KareoServices.h")
endif()
message("built the library from ${wsdl}; its generated header equals generated/KareoServices.h")
