# Unit tests of the opcode table, the parameter type checks and fill_opcode.
# Included from tests/unit's CMakeLists.txt; expects rapid_opcode and GTest.
find_package(GTest REQUIRED)
include(GoogleTest)
add_executable(opcode_tests
  ${CMAKE_CURRENT_LIST_DIR}/opcode_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/param_types_test.cpp
)
# The tests use the rapi layer's private headers (param_types.h,
# opcode_table.h) and the vectors recorded from the real Ganeti code.
target_include_directories(opcode_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../src/rapi)
target_compile_definitions(opcode_tests PRIVATE
  RAPID_OPCODE_VECTORS="${CMAKE_CURRENT_LIST_DIR}/data/opcode_vectors.json")
target_link_libraries(opcode_tests PRIVATE rapid_opcode GTest::gtest_main)
gtest_discover_tests(opcode_tests)
