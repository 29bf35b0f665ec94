// The benchmarks' peer: PoCL (Debian's pocl-opencl-icd, through the OpenCL ICD loader) running
// the OpenCL C versions of the bench kernels (kernels/bench.cl) on the same host memory.
#pragma once

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace drawbridge::backend::cpu::bench {

inline void checkCl(cl_int code, const char* what) {
  if (code != CL_SUCCESS) {
    std::fprintf(stderr, "OpenCL %s: error %d\n", what, code);
    std::exit(1);
  }
}

class PoclSession {
public:
  /// Builds kernels/bench.cl for PoCL's CPU device (the first platform whose name says PoCL).
  PoclSession() {
    cl_uint count = 0;
    checkCl(clGetPlatformIDs(0, nullptr, &count), "platforms");
    std::vector<cl_platform_id> platforms(count);
    checkCl(clGetPlatformIDs(count, platforms.data(), nullptr), "platforms");
    for (cl_platform_id platform : platforms) {
      char name[256] = {};
      clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof name, name, nullptr);
      if (std::string(name).find("Portable Computing Language") != std::string::npos ||
          std::string(name).find("PoCL") != std::string::npos)
        checkCl(clGetDeviceIDs(platform, CL_DEVICE_TYPE_CPU, 1, &device_, nullptr), "device");
    }
    if (!device_) {
      std::fprintf(stderr, "PoCL not found: install pocl-opencl-icd (tools/setup.sh)\n");
      std::exit(1);
    }
    cl_int error = CL_SUCCESS;
    context_ = clCreateContext(nullptr, 1, &device_, nullptr, nullptr, &error);
    checkCl(error, "context");
    queue_ = clCreateCommandQueue(context_, device_, 0, &error);
    checkCl(error, "queue");
    std::ifstream in(std::string(DRAWBRIDGE_BENCH_SOURCE_DIR) + "/kernels/bench.cl");
    std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const char* text = source.c_str();
    program_ = clCreateProgramWithSource(context_, 1, &text, nullptr, &error);
    checkCl(error, "program");
    if (clBuildProgram(program_, 1, &device_, "-cl-std=CL1.2", nullptr, nullptr) != CL_SUCCESS) {
      char log[16384] = {};
      clGetProgramBuildInfo(program_, device_, CL_PROGRAM_BUILD_LOG, sizeof log, log, nullptr);
      std::fprintf(stderr, "PoCL could not build bench.cl:\n%s\n", log);
      std::exit(1);
    }
  }
  PoclSession(const PoclSession&) = delete;
  PoclSession& operator=(const PoclSession&) = delete;
  ~PoclSession() {
    for (auto& [pointer, buffer] : buffers_)
      clReleaseMemObject(buffer);
    for (auto& [name, kernel] : kernels_)
      clReleaseKernel(kernel);
    clReleaseProgram(program_);
    clReleaseCommandQueue(queue_);
    clReleaseContext(context_);
  }

  /// The buffer over `bytes` of host memory at `pointer` (PoCL uses the memory in place).
  cl_mem buffer(const void* pointer, size_t bytes) {
    cl_mem& buffer = buffers_[pointer];
    if (!buffer) {
      cl_int error = CL_SUCCESS;
      buffer = clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, bytes,
                              const_cast<void*>(pointer), &error);
      checkCl(error, "buffer");
    }
    return buffer;
  }

  /// Runs kernel `name` over `global` work-items in groups of `local` and waits for it. The
  /// arguments are cl_mem buffers and plain values. PoCL compiles a kernel for each group size
  /// at its first launch: the callers time the best of several runs, never the first alone.
  template <typename... Args>
  void run(const char* name, std::vector<size_t> global, std::vector<size_t> local, Args... args) {
    cl_kernel& kernel = kernels_[name];
    cl_int error = CL_SUCCESS;
    if (!kernel)
      kernel = clCreateKernel(program_, name, &error);
    checkCl(error, name);
    cl_uint index = 0;
    (checkCl(clSetKernelArg(kernel, index++, sizeof(Args), &args), "argument"), ...);
    checkCl(clEnqueueNDRangeKernel(queue_, kernel, cl_uint(global.size()), nullptr, global.data(),
                                   local.data(), 0, nullptr, nullptr),
            name);
    checkCl(clFinish(queue_), "finish");
  }

private:
  cl_device_id device_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  cl_program program_ = nullptr;
  std::map<std::string, cl_kernel> kernels_;
  std::map<const void*, cl_mem> buffers_;
};

} // namespace drawbridge::backend::cpu::bench
