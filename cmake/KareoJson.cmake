# The JSON mapping of the contract types (include/kareo/json.hpp), part of libkareo.
# scripts/generate_json_mapping.py reads the annotated contract header (the one the wire layer is built from)
# and writes one to/from JSON function pair per contract type; src/json/json.cpp holds the hand-written helpers.
# Included from src/CMakeLists.txt after the kareo target is defined.
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
  COMMENT "JSON mapping of the contract types" VERBATIM)

target_sources(kareo PRIVATE "${PROJECT_SOURCE_DIR}/src/json/json.cpp" ${_kareo_json_generated})
# The generated parts are large and simple: no debug information for them.
set_source_files_properties(${_kareo_json_generated} PROPERTIES COMPILE_OPTIONS "-g0")
target_include_directories(kareo PRIVATE "${KAREO_JSON_DIR}" "${PROJECT_SOURCE_DIR}/src")
target_link_libraries(kareo PUBLIC nlohmann_json::nlohmann_json)
