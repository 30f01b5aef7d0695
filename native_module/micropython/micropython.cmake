# User C module for CMake-based MicroPython ports (esp32, rp2).
# Pass USER_C_MODULES=<repo>/native_module/micropython/micropython.cmake.

add_library(usermod_tinyml INTERFACE)

get_filename_component(TINYML_ENGINE_DIR ${CMAKE_CURRENT_LIST_DIR}/../engine ABSOLUTE)

file(GLOB TINYML_MOD_SRC ${CMAKE_CURRENT_LIST_DIR}/*.c ${CMAKE_CURRENT_LIST_DIR}/../dsp/*.c)
file(GLOB_RECURSE TINYML_ENGINE_SRC CONFIGURE_DEPENDS ${TINYML_ENGINE_DIR}/*.c)

target_sources(usermod_tinyml INTERFACE ${TINYML_MOD_SRC} ${TINYML_ENGINE_SRC})

# The kernels (the hot loops) at -O2 inside -Os firmware, as micropython.mk does.
file(GLOB_RECURSE TINYML_KERNEL_SRC CONFIGURE_DEPENDS ${TINYML_ENGINE_DIR}/kernels/*.c)
set_source_files_properties(${TINYML_KERNEL_SRC} PROPERTIES COMPILE_OPTIONS -O2)

target_include_directories(usermod_tinyml INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${TINYML_ENGINE_DIR}
)

# A firmware with only some ops, as micropython.mk: TINYML_OPS, TINYML_OP_NAMES.
if(TINYML_OPS)
    target_compile_definitions(usermod_tinyml INTERFACE TML_OPS_LIST="${TINYML_OPS}")
endif()
if(DEFINED TINYML_OP_NAMES)
    target_compile_definitions(usermod_tinyml INTERFACE TML_BUILTIN_NAMES=${TINYML_OP_NAMES})
endif()

# No fused multiply-add (Xtensa and Cortex-M have it): float32 results must match the host's.
target_compile_options(usermod_tinyml INTERFACE -ffp-contract=off)

target_link_libraries(usermod INTERFACE usermod_tinyml)
