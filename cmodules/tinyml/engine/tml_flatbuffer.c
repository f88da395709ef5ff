// Bounds-checked flatbuffer access; see tml_flatbuffer.h.
#include "tml_flatbuffer.h"

#include <string.h>

float tml_load_f32(const uint8_t *p) {
    uint32_t bits = tml_load_u32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static tml_status_t bad(tml_fb_t *fb, uint32_t offset) {
    fb->bad_offset = offset;
    return TML_ERR_MALFORMED;
}

// [pos, pos + size) lies inside the buffer (64-bit sums: no wrap-around).
static int inside(const tml_fb_t *fb, uint64_t pos, uint64_t size) {
    return pos + size <= fb->len;
}

tml_status_t tml_fb_init(tml_fb_t *fb, const uint8_t *buf, size_t len) {
    fb->buf = buf;
    fb->len = 0;
    fb->bad_offset = 0;
    // Flatbuffers address with 32-bit offsets and cap buffers below 2 GB.
    if (buf == NULL || len < 8 || len > 0x7fffffffu) {
        return bad(fb, 0);
    }
    fb->len = (uint32_t)len;
    return TML_OK;
}

tml_status_t tml_fb_table_at(tml_fb_t *fb, uint32_t pos, tml_fb_table_t *t) {
    if (!inside(fb, pos, 4)) {
        return bad(fb, pos);
    }
    int64_t vtable = (int64_t)pos - (int32_t)tml_load_u32(fb->buf + pos);
    if (vtable < 0 || !inside(fb, (uint64_t)vtable, 4)) {
        return bad(fb, pos);
    }
    uint16_t vsize = tml_load_u16(fb->buf + vtable);
    uint16_t tsize = tml_load_u16(fb->buf + vtable + 2);
    if (vsize < 4 || (vsize & 1) || !inside(fb, (uint64_t)vtable, vsize) || tsize < 4 || !inside(fb, pos, tsize)) {
        return bad(fb, (uint32_t)vtable);
    }
    t->pos = pos;
    t->vtable = (uint32_t)vtable;
    t->vtable_size = vsize;
    t->table_size = tsize;
    return TML_OK;
}

tml_status_t tml_fb_root(tml_fb_t *fb, tml_fb_table_t *root) {
    return tml_fb_table_at(fb, tml_load_u32(fb->buf), root);
}

uint32_t tml_fb_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, int size, tml_status_t *status) {
    uint32_t slot = 4u + 2u * (uint32_t)field;
    if (field < 0 || slot + 2u > t->vtable_size) {
        return 0;  // older writer: field unknown to it, hence absent
    }
    uint16_t off = tml_load_u16(fb->buf + t->vtable + slot);
    if (off == 0) {
        return 0;
    }
    if ((uint32_t)off + (uint32_t)size > t->table_size) {
        *status = bad(fb, t->vtable + slot);
        return 0;
    }
    return t->pos + off;
}

uint32_t tml_fb_u32_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, uint32_t dflt, tml_status_t *status) {
    uint32_t p = tml_fb_field(fb, t, field, 4, status);
    return p ? tml_load_u32(fb->buf + p) : dflt;
}

int32_t tml_fb_int_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, int size, int32_t dflt,
    tml_status_t *status) {
    uint32_t p = tml_fb_field(fb, t, field, size, status);
    if (p == 0) {
        return dflt;
    }
    switch (size) {
        case 1:
            return (int8_t)fb->buf[p];
        case 2:
            return (int16_t)tml_load_u16(fb->buf + p);
        default:
            return (int32_t)tml_load_u32(fb->buf + p);
    }
}

uint64_t tml_fb_u64_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, uint64_t dflt, tml_status_t *status) {
    uint32_t p = tml_fb_field(fb, t, field, 8, status);
    return p ? tml_load_u64(fb->buf + p) : dflt;
}

float tml_fb_f32_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, float dflt, tml_status_t *status) {
    uint32_t p = tml_fb_field(fb, t, field, 4, status);
    return p ? tml_load_f32(fb->buf + p) : dflt;
}

// Follow the uoffset stored at field position p.
static tml_status_t follow(tml_fb_t *fb, uint32_t p, uint32_t *target) {
    uint64_t to = (uint64_t)p + tml_load_u32(fb->buf + p);
    if (!inside(fb, to, 4)) {
        return bad(fb, p);
    }
    *target = (uint32_t)to;
    return TML_OK;
}

tml_status_t tml_fb_table_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, tml_fb_table_t *out, int *present) {
    tml_status_t s = TML_OK;
    uint32_t p = tml_fb_field(fb, t, field, 4, &s);
    *present = 0;
    if (s != TML_OK || p == 0) {
        return s;
    }
    uint32_t to;
    if ((s = follow(fb, p, &to)) != TML_OK || (s = tml_fb_table_at(fb, to, out)) != TML_OK) {
        return s;
    }
    *present = 1;
    return TML_OK;
}

tml_status_t tml_fb_vec_field(tml_fb_t *fb, const tml_fb_table_t *t, int field, uint32_t elem_size,
    tml_fb_vec_t *out, int *present) {
    tml_status_t s = TML_OK;
    uint32_t p = tml_fb_field(fb, t, field, 4, &s);
    *present = 0;
    out->pos = 0;
    out->count = 0;
    if (s != TML_OK || p == 0) {
        return s;
    }
    uint32_t to;
    if ((s = follow(fb, p, &to)) != TML_OK) {
        return s;
    }
    uint32_t count = tml_load_u32(fb->buf + to);
    if (!inside(fb, (uint64_t)to + 4, (uint64_t)count * elem_size)) {
        return bad(fb, to);
    }
    out->pos = to + 4;
    out->count = count;
    *present = 1;
    return TML_OK;
}

tml_status_t tml_fb_vec_table(tml_fb_t *fb, const tml_fb_vec_t *v, uint32_t i, tml_fb_table_t *out) {
    if (i >= v->count) {
        return bad(fb, v->pos);
    }
    uint32_t p = v->pos + 4 * i;
    uint32_t to;
    tml_status_t s = follow(fb, p, &to);
    return s != TML_OK ? s : tml_fb_table_at(fb, to, out);
}
