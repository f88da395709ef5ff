# tinyml user C module for cmake ports (esp32).
add_library(usermod_tinyml INTERFACE)

file(GLOB TINYML_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/*.c
    ${CMAKE_CURRENT_LIST_DIR}/engine/*.c
    ${CMAKE_CURRENT_LIST_DIR}/engine/ops/*.c
    ${CMAKE_CURRENT_LIST_DIR}/engine/kernels/*/*.c
    ${CMAKE_CURRENT_LIST_DIR}/dsp/*.c
)

target_sources(usermod_tinyml INTERFACE ${TINYML_SOURCES})
target_include_directories(usermod_tinyml INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${CMAKE_CURRENT_LIST_DIR}/engine
    ${CMAKE_CURRENT_LIST_DIR}/dsp
)

# ESP-NN hook (issue: fast kernels): when the esp-nn component is in the build, use its s8 kernels.
if(TARGET idf::esp-nn)
    target_compile_definitions(usermod_tinyml INTERFACE TML_USE_ESP_NN=1)
    target_link_libraries(usermod_tinyml INTERFACE idf::esp-nn)
endif()

target_link_libraries(usermod INTERFACE usermod_tinyml)
