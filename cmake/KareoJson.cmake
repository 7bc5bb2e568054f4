# The JSON mapping of the contract types (include/kareo/json.hpp): the library Kareo::json (libkareo_json), apart
# from the core library so that Kareo::kareo does not need nlohmann-json. Built with KAREO_WITH_JSON (default ON).
# scripts/generate_json_mapping.py reads the annotated contract header (the one the wire layer is built from)
# and writes one to/from JSON function pair per contract type; src/json/json.cpp holds the hand-written helpers.
# Included from src/CMakeLists.txt after the kareo target is defined; the kareo tool and the examples that print
# JSON link Kareo::json.
find_package(nlohmann_json 3.2 CONFIG REQUIRED)

set(KAREO_JSON_PARTS 4)
set(KAREO_JSON_DIR "${CMAKE_BINARY_DIR}/generated/json")
set(_kareo_json_generated "${KAREO_JSON_DIR}/kareo_json_types.hpp" "${KAREO_JSON_DIR}/kareo_json_describe.cpp")
math(EXPR _kareo_json_last "${KAREO_JSON_PARTS} - 1")
foreach(part RANGE 0 ${_kareo_json_last})
  list(APPEND _kareo_json_generated "${KAREO_JSON_DIR}/kareo_json_part${part}.cpp")
endforeach()

add_custom_command(
  OUTPUT ${_kareo_json_generated}
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_json_mapping.py" "${KAREO_WIRE_HEADER}"
          "${KAREO_JSON_DIR}" ${KAREO_JSON_PARTS}
  DEPENDS "${KAREO_WIRE_HEADER}" "${PROJECT_SOURCE_DIR}/scripts/generate_json_mapping.py"
          "${PROJECT_SOURCE_DIR}/scripts/generate_value_kinds.py" "${PROJECT_SOURCE_DIR}/scripts/contract_tables.py"
  COMMENT "JSON mapping of the contract types" VERBATIM)

add_library(kareo_json "${PROJECT_SOURCE_DIR}/src/json/json.cpp" ${_kareo_json_generated})
add_library(Kareo::json ALIAS kareo_json)
set_target_properties(kareo_json PROPERTIES EXPORT_NAME json VERSION ${PROJECT_VERSION}
                                            SOVERSION ${PROJECT_VERSION_MAJOR})
target_compile_options(kareo_json PRIVATE ${KAREO_WARNINGS})
# The generated parts are large and simple: no debug information for them.
set_source_files_properties(${_kareo_json_generated} PROPERTIES COMPILE_OPTIONS "-g0")
target_include_directories(kareo_json PRIVATE "${KAREO_JSON_DIR}" "${PROJECT_SOURCE_DIR}/src")
target_link_libraries(kareo_json PUBLIC kareo nlohmann_json::nlohmann_json)
install(TARGETS kareo_json EXPORT KareoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development)
