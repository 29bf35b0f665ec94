// A library of two kernels, one Drawbridge cannot compile (pmevent, an instruction the PTX
// frontend refuses): tests/programs/libraries.cu loads it and runs the other.
extern "C" __global__ void negate(float* out, const float* in) {
  out[threadIdx.x] = -in[threadIdx.x];
}

extern "C" __global__ void pm_event(float* out) {
  asm volatile("pmevent 1;");
  out[threadIdx.x] = -1.0f;
}
