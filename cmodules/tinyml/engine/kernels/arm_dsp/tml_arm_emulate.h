// Plain-C models of the few DSP instructions the arm_dsp kernels use, so that their logic can be
// compiled and tested bit for bit on the host (TML_ARM_DSP_EMULATE, see tests/engine).
#ifndef TML_ARM_EMULATE_H
#define TML_ARM_EMULATE_H

#include <stdint.h>

static inline uint32_t tml_emu_pack(int32_t lo, int32_t hi) {
    return ((uint32_t)(uint16_t)lo) | ((uint32_t)(uint16_t)hi << 16);
}
static inline uint32_t __SXTB16(uint32_t x) {
    return tml_emu_pack((int8_t)x, (int8_t)(x >> 16));
}
static inline uint32_t tml_emu_ror(uint32_t x, uint32_t n) {
    return n ? (x >> n) | (x << (32 - n)) : x;
}
static inline uint32_t __SXTAB16(uint32_t a, uint32_t x) {
    return tml_emu_pack((int16_t)a + (int8_t)x, (int16_t)(a >> 16) + (int8_t)(x >> 16));
}
static inline uint32_t __SXTAB16_RORn(uint32_t a, uint32_t x, uint32_t n) {
    return __SXTAB16(a, tml_emu_ror(x, n));
}
static inline uint32_t __SMLAD(uint32_t x, uint32_t y, uint32_t acc) {
    return (uint32_t)((int32_t)acc + (int16_t)x * (int16_t)y + (int16_t)(x >> 16) * (int16_t)(y >> 16));
}
static inline int32_t tml_emu_ssat(int32_t x, int bits) {
    const int32_t hi = (int32_t)((1u << (bits - 1)) - 1u), lo = -hi - 1;
    return x < lo ? lo : (x > hi ? hi : x);
}
#define __SSAT(x, bits) tml_emu_ssat((x), (bits))

#endif
