# The throwaway PostgreSQL server of the test suite (scripts/pg-cluster.sh), as the CTest fixture `postgres`.
#
# A test that needs the server requires the fixture: ctest starts the cluster before the first such test and
# stops it after the last one, also when only some tests are selected (-R). The test finds the server's libpq
# URI in the file named by the environment variable KAREO_TEST_POSTGRES_URI_FILE (tests/support/postgres.hpp
# reads it); a test that cannot get it fails, it does not skip.
#
#   kareo_requires_postgres(<test>...)   for tests added with add_test()
#   kareo_add_gtest(... POSTGRES)        for GoogleTest executables (tests/CMakeLists.txt)
set(KAREO_POSTGRES_STATE_DIR "${CMAKE_BINARY_DIR}/postgres")
set(KAREO_POSTGRES_URI_FILE "${KAREO_POSTGRES_STATE_DIR}/uri")

function(kareo_requires_postgres)
  foreach(test IN LISTS ARGN)
    set_property(TEST ${test} APPEND PROPERTY FIXTURES_REQUIRED postgres)
    set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT "KAREO_TEST_POSTGRES_URI_FILE=${KAREO_POSTGRES_URI_FILE}")
  endforeach()
endfunction()
