// A bounds-checked reader for flatbuffers, over bytes used in place (flash, ROMFS, a bytearray).
// The bytes may be unaligned, so every scalar is read with byte loads (little-endian). Every
// offset, vtable and vector length is checked before it is followed; a failure returns
// TML_ERR_MALFORMED and leaves the offending byte offset in fb->bad_offset.
#ifndef TML_FLATBUFFER_H
#define TML_FLATBUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "tml_op.h"

typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t bad_offset;  // where the last check failed
} tml_fb_t;

// A table: its position and its (checked) vtable.
typedef struct {
    uint32_t pos;
    uint32_t vtable;
    uint16_t vtable_size;
    uint16_t table_size;
} tml_fb_table_t;

// A vector: position of element 0 and the element count (length already checked).
typedef struct {
    uint32_t pos;
    uint32_t count;
} tml_fb_vec_t;

static inline uint16_t tml_load_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t tml_load_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t tml_load_u64(const uint8_t *p) {
    return (uint64_t)tml_load_u32(p) | ((uint64_t)tml_load_u32(p + 4) << 32);
}
float tml_load_f32(const uint8_t *p);

tml_status_t tml_fb_init(tml_fb_t *fb, const uint8_t *buf, size_t len);
tml_status_t tml_fb_root(tml_fb_t *fb, tml_fb_table_t *root);
tml_status_t tml_fb_table_at(tml_fb_t *fb, uint32_t pos, tml_fb_table_t *t);

// Position of a scalar field of `size` bytes, or 0 when absent (0 is never a valid field
// position: the root offset lives there). Malformed: returns 0 and sets *status.
uint32_t tml_fb_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, int size, tml_status_t *status);
uint32_t tml_fb_u32_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, uint32_t dflt, tml_status_t *status);
int32_t tml_fb_int_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, int size, int32_t dflt,
    tml_status_t *status);  // sign-extends 1/2/4-byte fields
uint64_t tml_fb_u64_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, uint64_t dflt, tml_status_t *status);
float tml_fb_f32_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, float dflt, tml_status_t *status);

// Sub-table / vector fields. Return TML_OK; *present says whether the field exists.
tml_status_t tml_fb_table_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, tml_fb_table_t *out, int *present);
tml_status_t tml_fb_vec_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, uint32_t elem_size,
    tml_fb_vec_t *out, int *present);
// Element i of a vector of tables.
tml_status_t tml_fb_vec_table(tml_fb_t *fb, const tml_fb_vec_t *v, uint32_t i, tml_fb_table_t *out);

#endif
