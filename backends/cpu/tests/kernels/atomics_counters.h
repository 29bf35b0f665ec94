// The counters the atomics kernel updates; shared by the kernel and the test that checks them.
#pragma once

struct Counters {
  int i32;
  unsigned u32max;
  float f32;
  float f32max;
  unsigned long long u64;
  double f64;
  int i32min;
  unsigned wrap;
};
