# Entry point for cmake ports (esp32, rp2): USER_C_MODULES=<repo>/cmodules/micropython.cmake
include(${CMAKE_CURRENT_LIST_DIR}/tinyml/micropython.cmake)
