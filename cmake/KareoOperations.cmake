# The operation table (src/operations/operations.toml): scripts/generate_operations.py writes every per-operation
# list from it.
#   include/kareo/operations.hpp       public, committed: the Operation enumeration and KAREO_OPERATION_LIST
#                                      (`cmake --build build --target regenerate-operations` rewrites it; the test
#                                      operations.public_header_current fails when it is out of date)
#   include/kareo/queries.hpp          public, committed: the query of each list read (checked by the test
#                                      operations_queries_header_current, rewritten by regenerate-operations)
#   kareo_optable.hpp (build tree)     the table's facts as plain data, for the library, the fake server and the
#                                      kareo tool; generating it also checks the table against the contract
#   kareo_reads.hpp (build tree)       the list reads' member pointers (date pairs, rows), for the library
set(KAREO_OPERATION_TABLE "${PROJECT_SOURCE_DIR}/src/operations/operations.toml")
set(KAREO_OPTABLE_DIR "${CMAKE_BINARY_DIR}/generated/operations")
set(KAREO_OPTABLE_HEADER "${KAREO_OPTABLE_DIR}/kareo_optable.hpp")
add_custom_command(
  OUTPUT "${KAREO_OPTABLE_HEADER}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${KAREO_OPTABLE_DIR}"
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_operations.py" private
          "${KAREO_OPERATION_TABLE}" "${KAREO_OPTABLE_HEADER}" --stub "${KAREO_WIRE_DIR}/kareo_wireStub.h"
  DEPENDS "${KAREO_OPERATION_TABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_operations.py"
          "${PROJECT_SOURCE_DIR}/scripts/operation_table.py"
          "${KAREO_WIRE_DIR}/kareo_wireStub.h"
  COMMENT "Operation table: checking it against the contract, writing kareo_optable.hpp" VERBATIM)
set(KAREO_READS_HEADER "${KAREO_OPTABLE_DIR}/kareo_reads.hpp")
add_custom_command(
  OUTPUT "${KAREO_READS_HEADER}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${KAREO_OPTABLE_DIR}"
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_operations.py" reads
          "${KAREO_OPERATION_TABLE}" "${KAREO_READS_HEADER}"
  DEPENDS "${KAREO_OPERATION_TABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_operations.py"
          "${PROJECT_SOURCE_DIR}/scripts/operation_table.py"
  COMMENT "Operation table: writing kareo_reads.hpp" VERBATIM)
add_custom_target(kareo_optable DEPENDS "${KAREO_OPTABLE_HEADER}" "${KAREO_READS_HEADER}")

add_custom_target(regenerate-operations
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_operations.py" public
          "${KAREO_OPERATION_TABLE}" "${PROJECT_SOURCE_DIR}/include/kareo/operations.hpp"
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_operations.py" queries
          "${KAREO_OPERATION_TABLE}" "${PROJECT_SOURCE_DIR}/include/kareo/queries.hpp"
  COMMENT "Operation table -> include/kareo/operations.hpp, queries.hpp (review the diff)" VERBATIM)

# The kinds of the row types' text members (dates, UTC times, booleans, money): scripts/generate_value_kinds.py
# classifies them by rules written once and writes include/kareo/value_fields.hpp (public, committed; the test
# values_fields_header_current fails when it is out of date; this target rewrites it).
add_custom_target(regenerate-value-kinds
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/scripts/generate_value_kinds.py"
          "${KAREO_WIRE_DIR}/kareo_wireStub.h" "${PROJECT_SOURCE_DIR}/include/kareo/value_fields.hpp"
  COMMENT "Row member kinds -> include/kareo/value_fields.hpp (review the diff)" VERBATIM)
