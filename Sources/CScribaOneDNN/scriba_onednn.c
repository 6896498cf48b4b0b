// See include/scriba_onednn.h. One primitive per shape and kind, made on first use and kept (shapes
// repeat: an encoder layer's four products per chunk length). Each call makes its own memory objects,
// stream and scratchpad, so concurrent callers share nothing mutable.
//
// libdnnl is opened at first use (dlopen), not linked: its OpenMP runtime (libgomp) reads
// OMP_WAIT_POLICY once, when it loads, and its default lets idle threads spin for a while after
// every product — on the cores Scriba's own pool and OpenBLAS need next (measured: the aligner took
// 3.72 s instead of 2.70 s for 30 s of audio). So "passive" is set before loading, unless the user
// chose a policy. A binary built here also runs where libdnnl is missing: products then stay on BLAS.
#define _GNU_SOURCE
#include "scriba_onednn.h"
#include <oneapi/dnnl/dnnl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct scriba_matmul {
    int64_t m, k, n, ldc;
    int kind, accumulate, k_major;
    dnnl_primitive_t primitive;
    dnnl_primitive_desc_t description;
    dnnl_memory_desc_t a, w, c, scratchpad;
    const char *implementation;
};

// Beyond this many shapes new ones are made per call and freed (bounded memory for odd inputs).
#define CACHE_CAPACITY 1024
static scriba_matmul *cache[CACHE_CAPACITY];
static int cached = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static dnnl_status_t engine_status = dnnl_success;
static _Thread_local char last_error[256];
// Why libdnnl could not be loaded (written once, inside pthread_once, read by any thread).
static char load_error[256];
// Every oneDNN function used, resolved from the library at first use.
#define ONEDNN_FUNCTIONS(X) \
    X(dnnl_engine_create) \
    X(dnnl_memory_desc_init_by_tag) \
    X(dnnl_memory_desc_init_by_strides) \
    X(dnnl_matmul_desc_init) \
    X(dnnl_primitive_attr_create) \
    X(dnnl_primitive_attr_set_scratchpad_mode) \
    X(dnnl_post_ops_create) \
    X(dnnl_post_ops_append_sum) \
    X(dnnl_primitive_attr_set_post_ops) \
    X(dnnl_primitive_desc_create) \
    X(dnnl_primitive_desc_query_md) \
    X(dnnl_primitive_desc_query) \
    X(dnnl_primitive_create) \
    X(dnnl_primitive_desc_destroy) \
    X(dnnl_post_ops_destroy) \
    X(dnnl_primitive_attr_destroy) \
    X(dnnl_memory_create) \
    X(dnnl_memory_desc_get_size) \
    X(dnnl_stream_create) \
    X(dnnl_primitive_execute) \
    X(dnnl_stream_wait) \
    X(dnnl_stream_destroy) \
    X(dnnl_memory_destroy)
#define DECLARE(name) static __typeof__(&name) p_##name;
ONEDNN_FUNCTIONS(DECLARE)
#undef DECLARE

// omp_set_num_threads sets the calling thread's team size only, and Scriba calls in from many threads
// (Swift's cooperative pool among them), so each call applies the process-wide choice again.
typedef void (*omp_set_fn)(int);
static omp_set_fn omp_set;
static volatile int desired_threads = 0;

static void make_engine(void) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    void *library = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "cannot load libdnnl.so.2 (%s); install libdnnl2 or libdnnl-dev", dlerror());
        engine_status = dnnl_runtime_error;
        return;
    }
#define RESOLVE(name) \
    if (!(p_##name = (__typeof__(p_##name))dlsym(library, #name))) { \
        snprintf(load_error, sizeof load_error, "libdnnl.so.2 has no %s; oneDNN 2.x is needed", #name); \
        engine_status = dnnl_runtime_error; \
        return; \
    }
    ONEDNN_FUNCTIONS(RESOLVE)
#undef RESOLVE
    // libgomp came with libdnnl.
    omp_set = (omp_set_fn)dlsym(library, "omp_set_num_threads");
    engine_status = p_dnnl_engine_create(&engine, dnnl_cpu, 0);
    if (engine_status != dnnl_success) snprintf(load_error, sizeof load_error, "oneDNN CPU engine failed (status %d)", (int)engine_status);
}

int scriba_onednn_load(void) {
    pthread_once(&engine_once, make_engine);
    return engine_status == dnnl_success;
}

const char *scriba_onednn_last_error(void) { return last_error[0] ? last_error : load_error; }

static int fail(const char *what, dnnl_status_t status) {
    snprintf(last_error, sizeof last_error, "oneDNN %s failed (status %d)", what, (int)status);
    return (int)status;
}

#define CHECK(call, what) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { fail(what, s_); goto failed; } } while (0)

static scriba_matmul *make(int64_t m, int64_t k, int64_t n, int64_t ldc, scriba_matmul_kind kind, int accumulate, int k_major) {
    scriba_matmul *mm = calloc(1, sizeof *mm);
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    if (!mm) { snprintf(last_error, sizeof last_error, "out of memory"); return NULL; }
    mm->m = m; mm->k = k; mm->n = n; mm->ldc = ldc; mm->kind = kind; mm->accumulate = accumulate; mm->k_major = k_major;
    dnnl_data_type_t type = kind == SCRIBA_MATMUL_S8 ? dnnl_s8 : dnnl_bf16;
    dnnl_dims_t a_dims = {m, k}, w_dims = {k, n}, c_dims = {m, n}, c_strides = {ldc, 1};
    CHECK(p_dnnl_memory_desc_init_by_tag(&mm->a, 2, a_dims, type, dnnl_ab), "source description");
    // W is [n][k] row-major, i.e. the k×n matrix oneDNN multiplies by, stored column-major ("ba");
    // k-major W is that k×n matrix row-major ("ab").
    CHECK(p_dnnl_memory_desc_init_by_tag(&mm->w, 2, w_dims, type, k_major ? dnnl_ab : dnnl_ba), "weights description");
    CHECK(p_dnnl_memory_desc_init_by_strides(&mm->c, 2, c_dims, dnnl_f32, c_strides), "output description");
    dnnl_matmul_desc_t desc;
    CHECK(p_dnnl_matmul_desc_init(&desc, &mm->a, &mm->w, NULL, &mm->c), "matmul description");
    CHECK(p_dnnl_primitive_attr_create(&attr), "attributes");
    CHECK(p_dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode");
    if (accumulate) {
        CHECK(p_dnnl_post_ops_create(&post_ops), "post-ops");
        CHECK(p_dnnl_post_ops_append_sum(post_ops, 1.0f), "sum post-op");
        CHECK(p_dnnl_primitive_attr_set_post_ops(attr, post_ops), "post-ops");
    }
    CHECK(p_dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL), "matmul primitive description");
    const dnnl_memory_desc_t *scratchpad = p_dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    mm->scratchpad = *scratchpad;
    p_dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &mm->implementation);
    CHECK(p_dnnl_primitive_create(&mm->primitive, pd), "matmul primitive");
    mm->description = pd;  // kept: it owns the implementation name
    if (post_ops) p_dnnl_post_ops_destroy(post_ops);
    p_dnnl_primitive_attr_destroy(attr);
    return mm;
failed:
    if (pd) p_dnnl_primitive_desc_destroy(pd);
    if (post_ops) p_dnnl_post_ops_destroy(post_ops);
    if (attr) p_dnnl_primitive_attr_destroy(attr);
    free(mm);
    return NULL;
}

scriba_matmul *scriba_matmul_get(int64_t m, int64_t k, int64_t n, int64_t ldc, scriba_matmul_kind kind, int accumulate, int k_major) {
    if (!scriba_onednn_load()) return NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < cached; i++) {
        scriba_matmul *mm = cache[i];
        if (mm->m == m && mm->k == k && mm->n == n && mm->ldc == ldc && mm->kind == (int)kind && mm->accumulate == accumulate
            && mm->k_major == k_major) {
            pthread_mutex_unlock(&lock);
            return mm;
        }
    }
    scriba_matmul *mm = make(m, k, n, ldc, kind, accumulate, k_major);
    if (mm && cached < CACHE_CAPACITY) cache[cached++] = mm;
    pthread_mutex_unlock(&lock);
    return mm;
}

const char *scriba_matmul_implementation(const scriba_matmul *mm) { return mm->implementation; }

int scriba_matmul_run(const scriba_matmul *mm, const void *a, const void *w, float *c) {
    dnnl_memory_t a_mem = NULL, w_mem = NULL, c_mem = NULL, pad_mem = NULL;
    dnnl_stream_t stream = NULL;
    void *pad = NULL;
    int status = 0;
    dnnl_exec_arg_t args[4];
    int count = 0;
    CHECK(p_dnnl_memory_create(&a_mem, &mm->a, engine, (void *)a), "source memory");
    CHECK(p_dnnl_memory_create(&w_mem, &mm->w, engine, (void *)w), "weights memory");
    CHECK(p_dnnl_memory_create(&c_mem, &mm->c, engine, c), "output memory");
    args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, a_mem};
    args[count++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, w_mem};
    args[count++] = (dnnl_exec_arg_t){DNNL_ARG_DST, c_mem};
    size_t pad_size = p_dnnl_memory_desc_get_size(&mm->scratchpad);
    if (pad_size > 0) {
        if (posix_memalign(&pad, 64, pad_size) != 0) { snprintf(last_error, sizeof last_error, "out of memory"); status = -1; goto done; }
        CHECK(p_dnnl_memory_create(&pad_mem, &mm->scratchpad, engine, pad), "scratchpad memory");
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, pad_mem};
    }
    if (desired_threads > 0 && omp_set) omp_set(desired_threads);
    CHECK(p_dnnl_stream_create(&stream, engine, dnnl_stream_default_flags), "stream");
    CHECK(p_dnnl_primitive_execute(mm->primitive, stream, count, args), "matmul");
    CHECK(p_dnnl_stream_wait(stream), "stream wait");
    goto done;
failed:
    status = -1;
done:
    if (stream) p_dnnl_stream_destroy(stream);
    if (a_mem) p_dnnl_memory_destroy(a_mem);
    if (w_mem) p_dnnl_memory_destroy(w_mem);
    if (c_mem) p_dnnl_memory_destroy(c_mem);
    if (pad_mem) p_dnnl_memory_destroy(pad_mem);
    free(pad);
    return status;
}

void scriba_onednn_set_threads(int threads) {
    scriba_onednn_load();
    if (threads > 0) desired_threads = threads;
}
