// Streaming PDM -> PCM decimator: CIC (sinc^N) decimation by R, a DC-blocking high-pass, int16 out.
// Plain C99: no MicroPython, no malloc; all state lives in tml_pdm_t, so a stream split into any
// chunks (of whole 16-bit words) gives exactly the samples of one call.
//
// Input bit order: what an I2S peripheral in standard RX mode (16-bit slots) delivers when its bit
// clock drives the PDM mic: little-endian 16-bit words in memory, each received MSB first. So
// within word k (bytes src[2k], src[2k+1]) the first PDM sample is bit 7 of src[2k+1] and the last
// is bit 0 of src[2k]. A 1 bit is +1, a 0 bit is -1.
//
// Filter: CIC of order N (2..5), decimation R (a power of two, 8..128, R^N <= 2^30), differential
// delay 1: H(f) = [sin(pi f R / fi) / (R sin(pi f / fi))]^N, fi = input bit rate. Integrators run
// at the bit rate in uint32 modular arithmetic (exact: the comb output is the true value in
// 0..R^N), 8 bits at a time with per-byte tables; combs run at the output rate. The output is
// normalised to full scale 2^24 (Q24), then y[n] = x[n] - x[n-1] + y[n-1] - (y[n-1] >> hpf)
// (one-pole DC blocker, -3 dB near fo / (2 pi 2^hpf): 2.5 Hz for fo 16 kHz, hpf 10; hpf 0 = off),
// then out = sat16(y >> (9 - gain)). Shifts of negative values are floor shifts.
// For R 64, N 5 at fo = 16 kHz: passband droop -0.28 dB at 1 kHz, -1.1 dB at 2 kHz, -4.6 dB at
// 4 kHz, -14.6 dB at 7 kHz; nulls (aliasing rejection) at multiples of fo.
#ifndef TML_PDM_H
#define TML_PDM_H

#include <stddef.h>
#include <stdint.h>
#include "tml_dsp_status.h"

#define TML_PDM_MAX_ORDER 5

typedef struct {
    uint32_t integ[TML_PDM_MAX_ORDER];      // integrator states (modular)
    uint32_t comb[TML_PDM_MAX_ORDER];       // comb delays (modular)
    int32_t hp_x, hp_y;                     // DC blocker: previous input and output (Q24)
    uint32_t ones;                          // 1 bits seen by the last tml_pdm_decode
    uint32_t abs_sum;                       // sum |out| of the last tml_pdm_decode
    uint16_t lut[TML_PDM_MAX_ORDER][256];   // per-byte contribution of 8 bits to each integrator
    uint32_t half_gain;                     // R^N / 2
    uint16_t bytes_per_out;                 // R / 8
    uint16_t phase;                         // bytes of the current output already integrated
    uint8_t order, hpf, gain, norm_shift;   // norm_shift: log2(R^N / 2) - 24 (signed, see .c)
    int8_t norm_left;                       // 1: normalise by a left shift
} tml_pdm_t;

// decimation: R; order: N; hpf: 0 (off) or 4..15; gain: 0..9 bits of digital gain (saturating).
tml_dsp_status_t tml_pdm_init(tml_pdm_t *p, uint32_t decimation, uint32_t order, uint32_t hpf, uint32_t gain);
// Forget the stream (filters back to zero history).
void tml_pdm_reset(tml_pdm_t *p);
// Output samples that nbytes more input would give from the current state.
uint32_t tml_pdm_outputs(const tml_pdm_t *p, size_t nbytes);
// Decode nbytes (even: whole 16-bit words) into dst (room for tml_pdm_outputs(p, nbytes) samples).
// Returns the number of samples written.
uint32_t tml_pdm_decode(tml_pdm_t *p, const uint8_t *src, size_t nbytes, int16_t *dst);

#endif
