// Integer and sub-byte mma.sync shapes through inline PTX (quantized inference's matrix
// products), in a module of their own: their scalar emulation is large to compile.
// Integer mma shapes: each lane passes its A, B and C fragment registers and gets D's back.
#define INT_MMA(NAME, FORM, A_REGS, B_REGS, C_REGS, ...)                                           \
  extern "C" __global__ void NAME(const unsigned* a, const unsigned* b, const int* c, int* d) {    \
    unsigned l = threadIdx.x;                                                                      \
    unsigned ra[4] = {}, rb[2] = {};                                                               \
    int rd[4] = {};                                                                                \
    for (int i = 0; i < A_REGS; ++i)                                                               \
      ra[i] = a[4 * l + i];                                                                        \
    for (int i = 0; i < B_REGS; ++i)                                                               \
      rb[i] = b[2 * l + i];                                                                        \
    for (int i = 0; i < C_REGS; ++i)                                                               \
      rd[i] = c[4 * l + i];                                                                        \
    asm volatile("mma.sync.aligned." FORM " " __VA_ARGS__);                                        \
    for (int i = 0; i < C_REGS; ++i)                                                               \
      d[4 * l + i] = rd[i];                                                                        \
  }
#define OPERANDS_M16_A4                                                                            \
  "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};" : "+r"(rd[0]),                           \
                                                            "+r"(rd[1]),                           \
                                                            "+r"(rd[2]),                           \
                                                            "+r"(rd[3])                            \
      : "r"(ra[0]), "r"(ra[1]), "r"(ra[2]), "r"(ra[3]), "r"(rb[0]), "r"(rb[1])
#define OPERANDS_M16_A2                                                                            \
  "{%0,%1,%2,%3}, {%4,%5}, {%6}, {%0,%1,%2,%3};" : "+r"(rd[0]),                                    \
                                                   "+r"(rd[1]),                                    \
                                                   "+r"(rd[2]),                                    \
                                                   "+r"(rd[3])                                     \
      : "r"(ra[0]), "r"(ra[1]), "r"(rb[0])
#define OPERANDS_M8                                                                                \
  "{%0,%1}, {%2}, {%3}, {%0,%1};" : "+r"(rd[0]), "+r"(rd[1]) : "r"(ra[0]), "r"(rb[0])
INT_MMA(mma_m16n8k32_s8_u8, "m16n8k32.row.col.s32.s8.u8.s32", 4, 2, 4, OPERANDS_M16_A4)
INT_MMA(mma_m16n8k16_u8_sat, "m16n8k16.row.col.satfinite.s32.u8.u8.s32", 2, 1, 4, OPERANDS_M16_A2)
INT_MMA(mma_m16n8k64_s4, "m16n8k64.row.col.s32.s4.s4.s32", 4, 2, 4, OPERANDS_M16_A4)
INT_MMA(mma_m8n8k16_s8, "m8n8k16.row.col.s32.s8.s8.s32", 1, 1, 2, OPERANDS_M8)
INT_MMA(mma_m8n8k128_b1_xor, "m8n8k128.row.col.s32.b1.b1.s32.xor.popc", 1, 1, 2, OPERANDS_M8)
