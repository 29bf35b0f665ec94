# Every external dependency, found from Debian 12's packages (see tools/setup.sh).

set(DRAWBRIDGE_LLVM_ROOT /usr/lib/llvm-19 CACHE PATH "Root of the LLVM 19 installation")
set(DRAWBRIDGE_CUDA_PATH /usr/local/cuda CACHE PATH "Root of the CUDA 13 toolkit")

find_package(LLVM REQUIRED CONFIG HINTS ${DRAWBRIDGE_LLVM_ROOT}/lib/cmake/llvm NO_DEFAULT_PATH)
if(NOT LLVM_VERSION_MAJOR EQUAL 19)
  message(FATAL_ERROR "LLVM 19 is required, found ${LLVM_PACKAGE_VERSION} (set DRAWBRIDGE_LLVM_ROOT)")
endif()
find_package(Clang REQUIRED CONFIG HINTS ${DRAWBRIDGE_LLVM_ROOT}/lib/cmake/clang NO_DEFAULT_PATH)
message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} at ${LLVM_INSTALL_PREFIX}")

# One shared libLLVM keeps links fast and the shim libraries small.
add_library(drawbridge_llvm INTERFACE)
target_include_directories(drawbridge_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
target_compile_definitions(drawbridge_llvm INTERFACE ${LLVM_DEFINITIONS})
target_link_libraries(drawbridge_llvm INTERFACE LLVM)

add_library(drawbridge_clang INTERFACE)
target_include_directories(drawbridge_clang SYSTEM INTERFACE ${CLANG_INCLUDE_DIRS})
target_link_libraries(drawbridge_clang INTERFACE clang-cpp drawbridge_llvm)

find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
# Debian's dnnl-config.cmake demands OpenCL development files for its GPU runtime, which the
# CPU engine never uses; the library and its header are all Drawbridge needs.
find_library(DNNL_LIBRARY dnnl REQUIRED)
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp REQUIRED)
add_library(dnnl::dnnl UNKNOWN IMPORTED)
set_target_properties(dnnl::dnnl PROPERTIES IMPORTED_LOCATION ${DNNL_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${DNNL_INCLUDE_DIR})
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

find_program(NVCC_EXECUTABLE nvcc HINTS ${DRAWBRIDGE_CUDA_PATH}/bin NO_DEFAULT_PATH REQUIRED)
find_program(PTXAS_EXECUTABLE ptxas HINTS ${DRAWBRIDGE_CUDA_PATH}/bin NO_DEFAULT_PATH REQUIRED)
set(DRAWBRIDGE_CUDA_INCLUDE_DIR ${DRAWBRIDGE_CUDA_PATH}/include)

find_program(HIPCC_EXECUTABLE hipcc)
if(NOT HIPCC_EXECUTABLE)
  message(FATAL_ERROR "hipcc not found: run tools/setup.sh (Debian's hipcc package).")
endif()

find_program(LIT_EXECUTABLE NAMES lit.py HINTS ${DRAWBRIDGE_LLVM_ROOT}/build/utils/lit NO_DEFAULT_PATH REQUIRED)
find_program(FILECHECK_EXECUTABLE FileCheck HINTS ${DRAWBRIDGE_LLVM_ROOT}/bin NO_DEFAULT_PATH REQUIRED)
