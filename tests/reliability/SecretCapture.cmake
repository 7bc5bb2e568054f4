# The secrets scan's capture object (see capture/secret_capture.hpp), included by tests/CMakeLists.txt before
# any test folder so that kareo_add_gtest can link it into every test executable. It wraps __cxa_throw with the
# GNU linker's --wrap, which sees the throws of the test code and of the static libraries it links.
if(NOT TARGET kareo_secret_capture)
  add_library(kareo_secret_capture OBJECT "${CMAKE_CURRENT_LIST_DIR}/capture/secret_capture.cpp")
  target_include_directories(kareo_secret_capture PUBLIC "${CMAKE_CURRENT_LIST_DIR}/capture"
                                                         "${PROJECT_SOURCE_DIR}/include")
  target_link_libraries(kareo_secret_capture PUBLIC GTest::gtest)
  target_compile_options(kareo_secret_capture PRIVATE ${KAREO_WARNINGS})
  set(KAREO_SECRET_SCAN_DIR "${CMAKE_BINARY_DIR}/secret-scan" CACHE PATH
      "Where every test executable writes its secrets-scan summary (overridden by the environment variable)")
  target_compile_definitions(kareo_secret_capture PRIVATE KAREO_SECRET_SCAN_DEFAULT_DIR="${KAREO_SECRET_SCAN_DIR}")
  # The throws, and every CallEvent handed to a sink (kareo::detail::deliver_event, src/client/client.cpp).
  target_link_options(kareo_secret_capture INTERFACE "LINKER:--wrap=__cxa_throw"
                      "LINKER:--wrap=_ZN5kareo6detail13deliver_eventERKSt8functionIFvRKNS_9CallEventEEES4_NS_9WireTraceE")
endif()
