// int8-weight GEMV with AVX-512 VNNI. The input row is quantised to int16 per block (so its
// rounding, ≤ max|x| / 65534 per value, is far below the weights' own), each 32 int8 weights are
// sign-extended to int16 in one instruction and vpdpwssd multiplies 32 pairs and adds them into
// 32-bit lanes: two instructions per 32 weights, where widening int8 to float took about ten. The
// int32 lanes are exact; each block's sums become float once, times the block's input scale.
#include "ScribaKernels.h"
#include <float.h>
#include <math.h>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VNNI__)
#include <immintrin.h>
#define SCRIBA_HAVE_VNNI 1
#else
#define SCRIBA_HAVE_VNNI 0
#endif

int scriba_int8_dot_available(void) { return SCRIBA_HAVE_VNNI; }

void scriba_quantize_activations(const float *x, int count, int block, int16_t *q, float *scales) {
    for (int start = 0, b = 0; start < count; start += block, b++) {
        float amax = 0;
        int nonFinite = 0;
        for (int c = 0; c < block; c++) {
            float a = fabsf(x[start + c]);
            nonFinite |= !(a <= FLT_MAX);
            amax = a > amax ? a : amax;
        }
        // In double: 32767 / amax overflows float for amax below ~1e-34.
        double inverse = amax > 0 ? 32767.0 / amax : 0;
        for (int c = 0; c < block; c++) {
            double v = nonFinite ? 0 : nearbyint(x[start + c] * inverse);
            v = v > 32767 ? 32767 : (v < -32767 ? -32767 : v);
            q[start + c] = (int16_t)v;
        }
        // A NaN or infinite input makes its block's scale NaN, so every output it feeds is NaN.
        scales[b] = nonFinite ? NAN : amax / 32767.0f;
    }
}

#if SCRIBA_HAVE_VNNI
// NR weight rows against one input row. Always inlined with NR constant, so the row loops unroll.
static inline __attribute__((always_inline)) void rows_dot(
    int NR, const int8_t *w, const float *w_scales, int cols, int group, int groups_per_row,
    const int16_t *qx, const float *x_scales, int block, int row, float out[4]) {
    __m512 total[4];
    for (int j = 0; j < NR; j++) total[j] = _mm512_setzero_ps();
    const int blocks_per_group = group / block;
    for (int g = 0, start = 0; start < cols; g++, start += group) {
        __m512 group_sum[4];
        for (int j = 0; j < NR; j++) group_sum[j] = _mm512_setzero_ps();
        for (int b = 0; b < blocks_per_group; b++) {
            const int offset = start + b * block;
            if (offset >= cols) break;
            __m512i dot[4];
            for (int j = 0; j < NR; j++) dot[j] = _mm512_setzero_si512();
            for (int c = 0; c < block; c += 32) {
                const __m512i xv = _mm512_loadu_si512((const void *)(qx + offset + c));
                // The rows two tiles ahead, a line per row per 64 weights: without this a thread
                // read 8 GB/s, with it 14 (the core's limit, as f32 rows reach). A prefetch past
                // the matrix's end is a no-op, not a fault.
                if (((offset + c) & 63) == 0)
                    for (int j = 0; j < NR; j++) _mm_prefetch((const char *)(w + (size_t)(row + j + 2 * NR) * cols + offset + c), _MM_HINT_T0);
                for (int j = 0; j < NR; j++) {
                    const __m256i wv = _mm256_loadu_si256((const void *)(w + (size_t)(row + j) * cols + offset + c));
                    dot[j] = _mm512_dpwssd_epi32(dot[j], _mm512_cvtepi8_epi16(wv), xv);
                }
            }
            const __m512 xs = _mm512_set1_ps(x_scales[offset / block]);
            for (int j = 0; j < NR; j++) group_sum[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot[j]), xs, group_sum[j]);
        }
        for (int j = 0; j < NR; j++)
            total[j] = _mm512_fmadd_ps(group_sum[j], _mm512_set1_ps(w_scales[(size_t)(row + j) * groups_per_row + g]), total[j]);
    }
    for (int j = 0; j < NR; j++) out[j] = _mm512_reduce_add_ps(total[j]);
}
#endif

void scriba_int8_gemv(const int8_t *w, const float *w_scales, int cols, int group, int groups_per_row,
                      const int16_t *qx, const float *x_scales, int block,
                      int inputs, const float *bias, float *y, int ldy, int row_start, int row_end) {
#if SCRIBA_HAVE_VNNI
    const int blocks_per_row = cols / block;
    int r = row_start;
    // Four rows share each input load; the input rows (a few at most) stay in L1.
    for (; r + 4 <= row_end; r += 4) {
        for (int i = 0; i < inputs; i++) {
            float out[4];
            rows_dot(4, w, w_scales, cols, group, groups_per_row, qx + (size_t)i * cols,
                     x_scales + (size_t)i * blocks_per_row, block, r, out);
            for (int j = 0; j < 4; j++) y[(size_t)i * ldy + r + j] = out[j] + (bias ? bias[r + j] : 0);
        }
    }
    for (; r < row_end; r++) {
        for (int i = 0; i < inputs; i++) {
            float out[4];
            rows_dot(1, w, w_scales, cols, group, groups_per_row, qx + (size_t)i * cols,
                     x_scales + (size_t)i * blocks_per_row, block, r, out);
            y[(size_t)i * ldy + r] = out[0] + (bias ? bias[r] : 0);
        }
    }
#else
    // Never called: Swift asks scriba_int8_dot_available() first. Stop rather than leave y unwritten.
    (void)w; (void)w_scales; (void)cols; (void)group; (void)groups_per_row; (void)qx; (void)x_scales;
    (void)block; (void)inputs; (void)bias; (void)y; (void)ldy; (void)row_start; (void)row_end;
    __builtin_trap();
#endif
}
