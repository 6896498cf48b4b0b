// A small C face over oneDNN's matmul (Debian 12: libdnnl-dev, oneDNN 2.6, OpenMP threads) for
// Scriba's many-row matrix products: y[M×N] (+)= x[M×K] · W[N×K]ᵀ with W in PyTorch's [out, in]
// layout, used in place (no packed copy: the decode GEMV reads the same bytes). Built only when
// Package.swift finds oneDNN's headers; the library itself is opened at run time. Swift reaches it
// through ScribaTensor's `OneDNN`.
#ifndef SCRIBA_ONEDNN_H
#define SCRIBA_ONEDNN_H
#include <stdint.h>

typedef enum {
    /// bf16 x · bf16 W → f32.
    SCRIBA_MATMUL_BF16 = 0,
    /// s8 x · s8 W → f32 (exact int32 sums; the caller applies the scales).
    SCRIBA_MATMUL_S8 = 1,
} scriba_matmul_kind;

/// A compiled matmul for one shape, cached and shared; never freed while the process lives.
typedef struct scriba_matmul scriba_matmul;

/// The matmul for m×k×n with output row stride ldc; `accumulate` adds onto the output instead of
/// overwriting it; `k_major` takes w as [k×n] row-major instead of [n×k] (a convolution's im2col
/// columns). NULL when oneDNN cannot make it (then `scriba_onednn_last_error` says why).
scriba_matmul *scriba_matmul_get(int64_t m, int64_t k, int64_t n, int64_t ldc, scriba_matmul_kind kind, int accumulate, int k_major);

/// Runs it: a [m×k] row-major, w [n×k] (or [k×n]) row-major, c [m rows, stride ldc] f32. Returns 0 on success.
int scriba_matmul_run(const scriba_matmul *matmul, const void *a, const void *w, float *c);

/// The implementation oneDNN chose (e.g. "brg:avx512_core_bf16").
const char *scriba_matmul_implementation(const scriba_matmul *matmul);

/// Loads libdnnl (once; thread-safe). 1 when its matmul can be used, else 0 and
/// `scriba_onednn_last_error` says why.
int scriba_onednn_load(void);

/// The last error's message (thread-local).
const char *scriba_onednn_last_error(void);

/// Sets the OpenMP team size oneDNN's products use from now on.
void scriba_onednn_set_threads(int threads);

#endif
