// Addresses in initializers and indirect calls: device pointers, function-pointer tables,
// virtual functions, and initialized __constant__ arrays.
__device__ int gValue = 3;
__device__ int* gPointer = &gValue;
__constant__ float gWeights[4] = {0.5f, 1.5f, -2.0f, 4.0f};

__device__ int plusOne(int a) {
  return a + 1;
}
__device__ int twice(int a) {
  return a * 2;
}
typedef int (*UnaryFn)(int);
__device__ UnaryFn gTable[2] = {plusOne, twice};

struct Shape {
  __device__ virtual float area() const = 0;
};
struct Square : Shape {
  float side;
  __device__ explicit Square(float s) : side(s) {}
  __device__ float area() const override { return side * side; }
};
struct Circle : Shape {
  float radius;
  __device__ explicit Circle(float r) : radius(r) {}
  __device__ float area() const override { return 3.14159f * radius * radius; }
};

__global__ void dispatch(int* out, float* areas, int which) {
  int i = threadIdx.x;
  out[i] = gTable[which & 1](*gPointer + i);
  Square square(gWeights[i & 3]);
  Circle circle(gWeights[(i + 1) & 3]);
  const Shape* shape = (i & 1) ? static_cast<const Shape*>(&square) : &circle;
  areas[i] = shape->area();
}
