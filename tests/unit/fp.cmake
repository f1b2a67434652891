# Soft-float unit tests: differential against the host SSE/FMA3 unit plus hand-written cases.
include(GoogleTest)
add_executable(fp_tests
  ${CMAKE_CURRENT_LIST_DIR}/fp_host_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fp_cases_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fp_wide_test.cpp)
target_link_libraries(fp_tests PRIVATE vessel_fp GTest::gtest_main)
gtest_discover_tests(fp_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
