# Opcode parameter table and FillOpcode (rapid::rapi::fill_opcode).
# Included from the rapi layer's CMakeLists.txt; expects rapid_util.
# opcode_table.cpp is generated (and committed): scripts/gen-opcode-table.py.
add_library(rapid_opcode STATIC
  ${CMAKE_CURRENT_LIST_DIR}/opcode_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/param_types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/opcode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/python_ipaddress.cpp
)
target_include_directories(rapid_opcode PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(rapid_opcode PUBLIC rapid_util)
