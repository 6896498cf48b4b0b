// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Only Linux uses this target.
#include <cblas.h>
// Lets Scriba pick the thread count at run time (see BLAS.setThreads).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// The kernel family OpenBLAS picked at load time ("SkylakeX", "Haswell", "Prescott", ...).
char *openblas_get_corename(void);
