# Script mode: run wsdl2h over a WSDL with the project's type map and write a reproducible header.
#
#   cmake -DWSDL2H=... -DWSDL=... -DTYPEMAP=... -DOUTPUT=... [-DNORMALIZE=... -DPYTHON=...] -P RunWsdl2h.cmake
#
# With NORMALIZE set, the WSDL is first rewritten by wsdl/normalize.py (a live ?singleWsdl document or the
# service's multi-document contract both work). The time stamp and the input paths wsdl2h writes into its
# banner are replaced by fixed text, so the same contract always produces the same bytes.
foreach(var WSDL2H WSDL TYPEMAP OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RunWsdl2h.cmake needs -D${var}=...")
  endif()
endforeach()

get_filename_component(out_dir "${OUTPUT}" DIRECTORY)
set(work "${OUTPUT}.work")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")

set(input "${WSDL}")
if(DEFINED NORMALIZE AND NOT NORMALIZE STREQUAL "")
  execute_process(COMMAND "${PYTHON}" "${NORMALIZE}" "${WSDL}" -o "${work}/KareoServices.wsdl"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "normalize.py could not read ${WSDL}")
  endif()
  set(input "${work}/KareoServices.wsdl")
else()
  configure_file("${WSDL}" "${work}/KareoServices.wsdl" COPYONLY)
  set(input "${work}/KareoServices.wsdl")
endif()
configure_file("${TYPEMAP}" "${work}/typemap.dat" COPYONLY)

execute_process(COMMAND "${WSDL2H}" -c++17 -P -t typemap.dat -o KareoServices.h KareoServices.wsdl
                WORKING_DIRECTORY "${work}" RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
if(NOT rc EQUAL 0 OR NOT EXISTS "${work}/KareoServices.h")
  message(FATAL_ERROR "wsdl2h failed on ${WSDL}:\n${log}")
endif()
if(log MATCHES "[Ee]rror")
  message(FATAL_ERROR "wsdl2h reported errors on ${WSDL}:\n${log}")
endif()

file(READ "${work}/KareoServices.h" text)
string(REGEX REPLACE "\n   [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:]+ GMT\n" "\n" text "${text}")
file(WRITE "${OUTPUT}.tmp" "${text}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE_RECURSE "${work}")
