# The generated layer: wsdl2h output (generated/KareoServices.h, committed) -> soapcpp2 in the build tree
# -> the kareo_wire library (serializers, proxy and service classes in namespace kareo_wire).
set(KAREO_WIRE_DIR "${CMAKE_BINARY_DIR}/generated/kareo")

if(KAREO_WSDL)
  # Build against a user-supplied contract, e.g. the live ?singleWsdl saved to a file.
  get_filename_component(_kareo_wsdl "${KAREO_WSDL}" ABSOLUTE)
  set(KAREO_WIRE_HEADER "${CMAKE_BINARY_DIR}/generated/KareoServices.h")
  add_custom_command(
    OUTPUT "${KAREO_WIRE_HEADER}"
    COMMAND ${CMAKE_COMMAND} -DWSDL2H=${WSDL2H_PROGRAM} -DWSDL=${_kareo_wsdl}
            -DTYPEMAP=${PROJECT_SOURCE_DIR}/wsdl/typemap.dat -DOUTPUT=${KAREO_WIRE_HEADER}
            -DNORMALIZE=${PROJECT_SOURCE_DIR}/wsdl/normalize.py -DPYTHON=${Python3_EXECUTABLE}
            -P ${PROJECT_SOURCE_DIR}/cmake/RunWsdl2h.cmake
    DEPENDS "${_kareo_wsdl}" "${PROJECT_SOURCE_DIR}/wsdl/typemap.dat" "${PROJECT_SOURCE_DIR}/wsdl/normalize.py"
            "${PROJECT_SOURCE_DIR}/cmake/RunWsdl2h.cmake"
    COMMENT "wsdl2h: ${KAREO_WSDL}" VERBATIM)
  message(STATUS "Kareo: generating the wire layer from ${KAREO_WSDL}")
else()
  set(KAREO_WIRE_HEADER "${PROJECT_SOURCE_DIR}/generated/KareoServices.h")
endif()

set(_kareo_wire_sources
    "${KAREO_WIRE_DIR}/kareo_wireKareoServicesProxy.cpp"
    "${KAREO_WIRE_DIR}/kareo_wireKareoServicesService.cpp")
set(_kareo_wire_headers
    "${KAREO_WIRE_DIR}/kareo_wireH.h" "${KAREO_WIRE_DIR}/kareo_wireStub.h"
    "${KAREO_WIRE_DIR}/kareo_wireKareoServicesProxy.h" "${KAREO_WIRE_DIR}/kareo_wireKareoServicesService.h")
math(EXPR _last "${KAREO_WIRE_PARTS} - 1")
foreach(part RANGE 0 ${_last})
  list(APPEND _kareo_wire_sources "${KAREO_WIRE_DIR}/kareo_wire_part${part}.cpp")
endforeach()

add_custom_command(
  OUTPUT ${_kareo_wire_sources} ${_kareo_wire_headers}
  COMMAND ${CMAKE_COMMAND} -DSOAPCPP2=${SOAPCPP2_PROGRAM} -DHEADER=${KAREO_WIRE_HEADER} -DIMPORT_DIR=${GSOAP_IMPORT_DIR}
          -DOUTPUT_DIR=${KAREO_WIRE_DIR} -DPARTS=${KAREO_WIRE_PARTS} -P ${PROJECT_SOURCE_DIR}/cmake/RunSoapcpp2.cmake
  DEPENDS "${KAREO_WIRE_HEADER}" "${PROJECT_SOURCE_DIR}/cmake/RunSoapcpp2.cmake"
  COMMENT "soapcpp2: serializers, proxy and service for the KareoServices contract" VERBATIM)

# The code above lives in namespace kareo_wire and so is compiled WITH_NOGLOBAL; the gSOAP runtime still calls
# the global SOAP Header/Fault handlers (soap_getheader, soap_putfault, ...). soapcpp2 -penv over an empty header
# writes exactly those (envC.cpp); src/transport/env.cpp compiles them together with the fallback namespace table.
set(_kareo_env_source "${KAREO_WIRE_DIR}/env/envC.cpp")
add_custom_command(
  OUTPUT "${_kareo_env_source}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${KAREO_WIRE_DIR}/env"
  COMMAND ${CMAKE_COMMAND} -E echo "// The SOAP Header and Fault of the global gSOAP callbacks: defaults only." > "${KAREO_WIRE_DIR}/env/env.h"
  COMMAND "${SOAPCPP2_PROGRAM}" -1 -x -w -L -penv -d "${KAREO_WIRE_DIR}/env" -I "${GSOAP_IMPORT_DIR}" "${KAREO_WIRE_DIR}/env/env.h"
  COMMENT "soapcpp2: global SOAP Header and Fault handlers" VERBATIM)
set_source_files_properties("${PROJECT_SOURCE_DIR}/src/transport/env.cpp" PROPERTIES OBJECT_DEPENDS "${_kareo_env_source}"
                            INCLUDE_DIRECTORIES "${KAREO_WIRE_DIR}/env")

add_library(kareo_wire ${_kareo_wire_sources} ${_kareo_wire_headers} "${PROJECT_SOURCE_DIR}/src/transport/env.cpp")
add_library(Kareo::kareo_wire ALIAS kareo_wire)
set_target_properties(kareo_wire PROPERTIES OUTPUT_NAME kareo_wire EXPORT_NAME kareo_wire)
# Compiled with exactly the gSOAP runtime's macros (the layout of struct soap depends on them), without -O3,
# and included as a system header so warnings stay about hand-written code.
target_compile_options(kareo_wire PRIVATE ${GSOAP_CFLAGS_OTHER} -w)
# No debug information for 110k lines of serializers: it triples compile time and memory.
option(KAREO_WIRE_DEBUG_INFO "Compile the generated serializers with debug information" OFF)
if(NOT KAREO_WIRE_DEBUG_INFO)
  target_compile_options(kareo_wire PRIVATE -g0)
endif()
# In a sanitizer build the serializers keep AddressSanitizer (the parser's memory accesses are what it checks) but
# not UndefinedBehaviorSanitizer, which doubles their compile time and checks gSOAP's code, not ours.
if(KAREO_SANITIZE MATCHES "undefined")
  target_compile_options(kareo_wire PRIVATE -fno-sanitize=undefined)
endif()
target_compile_definitions(kareo_wire PUBLIC WITH_IPV6 WITH_OPENSSL WITH_GZIP WITH_DOM)
target_include_directories(kareo_wire SYSTEM PUBLIC
  $<BUILD_INTERFACE:${KAREO_WIRE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/kareo/wire>)
# The gSOAP runtime calls the global handlers in env.cpp, but it comes after a static libkareo_wire.a on the
# link line, so nothing would pull env.cpp.o out of the archive: ask the linker for one of its symbols.
target_link_options(kareo_wire INTERFACE "LINKER:--undefined=soap_delelement")
target_link_libraries(kareo_wire PUBLIC PkgConfig::GSOAP OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
install(TARGETS kareo_wire EXPORT KareoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development)
install(FILES ${_kareo_wire_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kareo/wire COMPONENT development)

# cmake --build build --target regenerate: rewrite generated/KareoServices.h from wsdl/ (review the diff).
add_custom_target(regenerate
  COMMAND ${CMAKE_COMMAND} -DWSDL2H=${WSDL2H_PROGRAM} -DWSDL=${PROJECT_SOURCE_DIR}/wsdl/KareoServices.wsdl
          -DTYPEMAP=${PROJECT_SOURCE_DIR}/wsdl/typemap.dat -DOUTPUT=${PROJECT_SOURCE_DIR}/generated/KareoServices.h
          -P ${PROJECT_SOURCE_DIR}/cmake/RunWsdl2h.cmake
  COMMENT "wsdl2h: wsdl/KareoServices.wsdl -> generated/KareoServices.h" VERBATIM)
