// C kernels for what Swift cannot express: CPU instructions without a portable SIMD form.
// The int8-weight dot products (AVX-512 VNNI's vpdpwssd) and a cache prefetch hint. Swift calls them through
// ScribaTensor's GEMV; see QuantizedInputGEMV.swift there.
#ifndef SCRIBA_KERNELS_H
#define SCRIBA_KERNELS_H
#include <stdint.h>

// 1 when this build has the int8 dot-product kernel (compiled for a CPU with AVX-512 VNNI).
int scriba_int8_dot_available(void);

// Quantises `count` floats (a multiple of `block`) to int16, symmetric, one scale per `block`
// values: q = round-half-even(x · 32767 / max|x|) in [-32767, 32767], scale = max|x| / 32767 (0 for
// an all-zero block; NaN, with q = 0, for a block holding a NaN or an infinity).
void scriba_quantize_activations(const float *x, int count, int block, int16_t *q, float *scales);

// y[i * ldy + r] = Σ_c W[r, c] · X[i, c] (+ bias[r]) for rows [row_start, row_end) and `inputs`
// input rows, W int8 with one float scale per `group` columns (scales: rows × groups_per_row),
// X given quantised by scriba_quantize_activations with `block` columns per scale. cols must be a
// multiple of block, group a multiple of block, block a multiple of 32. Each (input, row) result
// is computed by the same instruction sequence whatever the row range or input count.
void scriba_int8_gemv(const int8_t *w, const float *w_scales, int cols, int group, int groups_per_row,
                      const int16_t *qx, const float *x_scales, int block,
                      int inputs, const float *bias, float *y, int ldy, int row_start, int row_end);

// Asks for the cache line at `address` ahead of its use (a hint: never faults). Swift inlines it.
static inline void scriba_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
