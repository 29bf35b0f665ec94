# Helpers for tests that sit beside the code they test.
enable_testing()
include(GoogleTest)

# Every test has a time limit (ctest has none by default), so a hang fails that one test with
# ctest's "Timeout" instead of holding up the whole run until CI gives up on it. Unit tests take
# seconds; every add_test names DRAWBRIDGE_DEFAULT_TEST_TIMEOUT or a limit of its own.
set(DRAWBRIDGE_UNIT_TEST_TIMEOUT 300)
set(DRAWBRIDGE_DEFAULT_TEST_TIMEOUT 900)

# drawbridge_add_gtest(NAME SOURCES... LIBS ...)
function(drawbridge_add_gtest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS unit TIMEOUT ${DRAWBRIDGE_UNIT_TEST_TIMEOUT})
endfunction()

# drawbridge_nvcc_binary(TARGET OUTPUT SOURCES... FLAGS ... [DEPENDS headers...] [STATIC_RUNTIME])
# Builds a real nvcc 13 executable at build time; tests read what nvcc produced. DEPENDS names
# headers (relative to the current source directory, or absolute ones generated in the build
# tree) whose changes must rebuild it. Programs use
# the shared CUDA runtime (what Drawbridge replaces) unless STATIC_RUNTIME asks for nvcc's default.
function(drawbridge_nvcc_binary target)
  cmake_parse_arguments(ARG "STATIC_RUNTIME" "OUTPUT" "SOURCES;FLAGS;DEPENDS" ${ARGN})
  set(runtime shared)
  if(ARG_STATIC_RUNTIME)
    set(runtime static)
  endif()
  set(sources)
  foreach(s ${ARG_SOURCES})
    list(APPEND sources ${CMAKE_CURRENT_SOURCE_DIR}/${s})
  endforeach()
  set(headers)
  foreach(h ${ARG_DEPENDS})
    if(IS_ABSOLUTE ${h}) # a generated header
      list(APPEND headers ${h})
    else()
      list(APPEND headers ${CMAKE_CURRENT_SOURCE_DIR}/${h})
    endif()
  endforeach()
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${NVCC_EXECUTABLE} -cudart ${runtime} ${ARG_FLAGS} ${sources} -o ${ARG_OUTPUT}
      # NVIDIA's libraries (cuBLAS) resolve without ld.so.conf; LD_LIBRARY_PATH, which
      # `drawbridge run` sets, still comes first, so Drawbridge's shims replace them.
      -Xlinker -rpath=${DRAWBRIDGE_CUDA_PATH}/lib64
    DEPENDS ${sources} ${headers}
    COMMENT "nvcc ${target}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${ARG_OUTPUT})
endfunction()

# drawbridge_add_lit_suite(NAME DIRECTORY DEPENDS targets...)
# Runs a lit/FileCheck suite; its lit.cfg.py loads tools/lit/common.cfg.py.
function(drawbridge_add_lit_suite name)
  cmake_parse_arguments(ARG "" "DIRECTORY" "DEPENDS" ${ARGN})
  add_test(NAME ${name}
    COMMAND ${Python3_EXECUTABLE} ${LIT_EXECUTABLE} -sv
      --param drawbridge_build_dir=${CMAKE_BINARY_DIR}
      --param drawbridge_source_dir=${CMAKE_SOURCE_DIR}
      --param filecheck=${FILECHECK_EXECUTABLE}
      --param llvm_bin_dir=${LLVM_TOOLS_BINARY_DIR}
      --param nvcc=${NVCC_EXECUTABLE}
      --param ptxas=${PTXAS_EXECUTABLE}
      ${ARG_DIRECTORY})
  set_tests_properties(${name} PROPERTIES LABELS lit TIMEOUT ${DRAWBRIDGE_DEFAULT_TEST_TIMEOUT})
endfunction()

# The instruction-level golden suite (frontend/ptx/tests/golden): its generator, whose output
# the PTX frontend's driver and the CPU backend's NVVM IR test both build on.
set(DRAWBRIDGE_GOLDEN_DIR ${PROJECT_SOURCE_DIR}/frontend/ptx/tests/golden)
set(DRAWBRIDGE_GOLDEN_GENERATOR ${DRAWBRIDGE_GOLDEN_DIR}/generate.py
  ${DRAWBRIDGE_GOLDEN_DIR}/forms.py ${DRAWBRIDGE_GOLDEN_DIR}/softfloat.py
  ${DRAWBRIDGE_GOLDEN_DIR}/tensorcore.py ${DRAWBRIDGE_GOLDEN_DIR}/conversions.py
  ${DRAWBRIDGE_GOLDEN_DIR}/variants.py ${DRAWBRIDGE_GOLDEN_DIR}/grammar.py)

