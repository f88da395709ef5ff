#include <math.h>
#include "tml_fft.h"

int tml_rfft_size_ok(uint32_t n) {
    return n >= TML_FFT_MIN && n <= TML_FFT_MAX && (n & (n - 1)) == 0;
}

tml_dsp_status_t tml_rfft_init(tml_rfft_t *plan, uint32_t n, float *table, uint32_t table_len) {
    if (!tml_rfft_size_ok(n)) {
        return TML_DSP_BAD_SIZE;
    }
    if (table_len < tml_rfft_table_len(n)) {
        return TML_DSP_SMALL_BUFFER;
    }
    plan->n = n;
    plan->twiddle = table;
    for (uint32_t k = 0; k < n / 2; k++) {
        float a = 6.28318530717958648f * ((float)k / (float)n);
        table[2 * k] = cosf(a);
        table[2 * k + 1] = -sinf(a);
    }
    // Exact values where they are known, so pure tones land on clean bins.
    table[n / 4 * 2] = 0.0f;
    table[n / 4 * 2 + 1] = -1.0f;
    return TML_DSP_OK;
}

// In-place radix-2 decimation-in-time FFT of m complex values (interleaved re, im).
// Twiddle for stage length len, index j: table entry j * (2m / len).
static void complex_fft(float *z, uint32_t m, const float *tw) {
    // Bit-reversal permutation.
    for (uint32_t i = 1, j = 0; i < m; i++) {
        uint32_t bit = m >> 1;
        for (; j & bit; bit >>= 1) {
            j ^= bit;
        }
        j |= bit;
        if (i < j) {
            float tr = z[2 * i], ti = z[2 * i + 1];
            z[2 * i] = z[2 * j];
            z[2 * i + 1] = z[2 * j + 1];
            z[2 * j] = tr;
            z[2 * j + 1] = ti;
        }
    }
    // First stage has twiddle 1: plain sums and differences.
    for (uint32_t i = 0; i < m; i += 2) {
        float ar = z[2 * i], ai = z[2 * i + 1];
        float br = z[2 * i + 2], bi = z[2 * i + 3];
        z[2 * i] = ar + br;
        z[2 * i + 1] = ai + bi;
        z[2 * i + 2] = ar - br;
        z[2 * i + 3] = ai - bi;
    }
    for (uint32_t len = 4; len <= m; len <<= 1) {
        uint32_t half = len >> 1;
        uint32_t step = (2 * m / len) * 2;  // float stride into the twiddle table
        for (uint32_t j = 0; j < half; j++) {
            float wr = tw[j * step], wi = tw[j * step + 1];
            for (uint32_t i = j; i < m; i += len) {
                float *a = &z[2 * i];
                float *b = &z[2 * (i + half)];
                float tr = wr * b[0] - wi * b[1];
                float ti = wr * b[1] + wi * b[0];
                b[0] = a[0] - tr;
                b[1] = a[1] - ti;
                a[0] += tr;
                a[1] += ti;
            }
        }
    }
}

void tml_rfft_packed(const tml_rfft_t *plan, float *buf) {
    const uint32_t m = plan->n / 2;
    const float *tw = plan->twiddle;
    complex_fft(buf, m, tw);

    // Split the half-size transform Z into X: X[k] = E[k] - j*W^k*O[k], with
    // E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2; bins k and m-k share the work.
    float z0r = buf[0], z0i = buf[1];
    buf[0] = z0r + z0i;
    buf[1] = z0r - z0i;
    for (uint32_t k = 1; k < m / 2; k++) {
        float *a = &buf[2 * k];
        float *b = &buf[2 * (m - k)];
        float er = 0.5f * (a[0] + b[0]), ei = 0.5f * (a[1] - b[1]);
        float or_ = 0.5f * (a[0] - b[0]), oi = 0.5f * (a[1] + b[1]);
        float c = tw[2 * k], s = tw[2 * k + 1];
        float t1 = c * oi + s * or_;
        float t2 = c * or_ - s * oi;
        a[0] = er + t1;
        a[1] = ei - t2;
        b[0] = er - t1;
        b[1] = -ei - t2;
    }
    // Bin m/2 pairs with itself: X[m/2] = conj Z[m/2].
    buf[m + 1] = -buf[m + 1];
}

void tml_rfft_power(const tml_rfft_t *plan, const float *packed, float *out) {
    const uint32_t m = plan->n / 2;
    out[0] = packed[0] * packed[0];
    out[m] = packed[1] * packed[1];
    for (uint32_t k = 1; k < m; k++) {
        float re = packed[2 * k], im = packed[2 * k + 1];
        out[k] = re * re + im * im;
    }
}

void tml_rfft_magnitude(const tml_rfft_t *plan, const float *packed, float *out) {
    const uint32_t m = plan->n / 2;
    out[0] = fabsf(packed[0]);
    out[m] = fabsf(packed[1]);
    for (uint32_t k = 1; k < m; k++) {
        float re = packed[2 * k], im = packed[2 * k + 1];
        out[k] = sqrtf(re * re + im * im);
    }
}

void tml_rfft_unpack(const tml_rfft_t *plan, float *packed, float *out) {
    const uint32_t n = plan->n;
    float nyq = packed[1];
    // Bins 1..n/2-1 already sit at their final place; only X[0].im and X[n/2] move.
    if (out != packed) {
        for (uint32_t i = 2; i < n; i++) {
            out[i] = packed[i];
        }
        out[0] = packed[0];
    }
    out[1] = 0.0f;
    out[n] = nyq;
    out[n + 1] = 0.0f;
}
