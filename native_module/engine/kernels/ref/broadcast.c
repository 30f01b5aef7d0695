#include "broadcast.h"
#include "tml_compiler.h"

TML_COLD bool tml_bcast_init(tml_bcast_t *bc, const int32_t *a_dims, int a_rank,
    const int32_t *b_dims, int b_rank, const int32_t *out_dims, int out_rank) {
    int rank = out_rank;
    if (a_rank > rank) {
        rank = a_rank;
    }
    if (b_rank > rank) {
        rank = b_rank;
    }
    // Loops are collected innermost first, then moved to the back of bc.
    int32_t shape[TML_BCAST_DIMS], sa[TML_BCAST_DIMS], sb[TML_BCAST_DIMS];
    int n = 0;
    int32_t acc_a = 1, acc_b = 1;
    for (int i = 1; i <= rank; i++) {
        int32_t da = i <= a_rank ? a_dims[a_rank - i] : 1;
        int32_t db = i <= b_rank ? b_dims[b_rank - i] : 1;
        int32_t dout = i <= out_rank ? out_dims[out_rank - i] : 1;
        if (da < 0 || db < 0 || dout < 0) {
            return false;
        }
        if ((da != dout && da != 1) || (db != dout && db != 1)) {
            return false;
        }
        if (dout == 1) {
            continue;  // a single iteration: no loop needed
        }
        int32_t stride_a = da == 1 ? 0 : acc_a;
        int32_t stride_b = db == 1 ? 0 : acc_b;
        // Fuse with the inner loop when this dimension continues its walk:
        // contiguous in both inputs, or broadcast in both.
        if (n > 0
            && stride_a == sa[n - 1] * shape[n - 1]
            && stride_b == sb[n - 1] * shape[n - 1]) {
            shape[n - 1] *= dout;
        } else {
            if (n == TML_BCAST_DIMS) {
                return false;
            }
            shape[n] = dout;
            sa[n] = stride_a;
            sb[n] = stride_b;
            n++;
        }
        acc_a *= da;
        acc_b *= db;
    }
    for (int d = 0; d < TML_BCAST_DIMS; d++) {
        int k = TML_BCAST_DIMS - 1 - d;  // loop k of bc takes collected loop d
        bc->shape[k] = d < n ? shape[d] : 1;
        bc->a_stride[k] = d < n ? sa[d] : 0;
        bc->b_stride[k] = d < n ? sb[d] : 0;
    }
    return true;
}

void tml_bcast_next_row(const tml_bcast_t *bc, tml_bcast_pos_t *pos) {
    for (int d = TML_BCAST_DIMS - 2; d >= 0; d--) {
        pos->a += bc->a_stride[d];
        pos->b += bc->b_stride[d];
        if (++pos->idx[d] < bc->shape[d]) {
            return;
        }
        pos->a -= bc->a_stride[d] * bc->shape[d];
        pos->b -= bc->b_stride[d] * bc->shape[d];
        pos->idx[d] = 0;
    }
}

void tml_bcast_each_row(const tml_bcast_t *bc, size_t elem, const void *args, const void *a,
    const void *b, void *out, tml_bcast_row_t row) {
    tml_bcast_pos_t pos = {{0}, 0, 0};
    const uint32_t rows = tml_bcast_rows(bc);
    const int32_t n = bc->shape[TML_BCAST_DIMS - 1];
    const int32_t sa = bc->a_stride[TML_BCAST_DIMS - 1];
    const int32_t sb = bc->b_stride[TML_BCAST_DIMS - 1];
    uint8_t *o = (uint8_t *)out;
    for (uint32_t r = 0; r < rows; r++) {
        row(args, (const uint8_t *)a + (size_t)pos.a * elem, sa, (const uint8_t *)b + (size_t)pos.b * elem,
            sb, o, n);
        o += (size_t)n * elem;
        tml_bcast_next_row(bc, &pos);
    }
}
