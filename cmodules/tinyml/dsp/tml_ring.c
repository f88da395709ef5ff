#include <string.h>
#include "tml_ring.h"

// Keeps the compiler from moving item copies across the counter updates that publish them.
#if defined(__GNUC__)
#define TML_BARRIER() __asm__ __volatile__ ("" ::: "memory")
#else
#define TML_BARRIER()
#endif

// Position after moving n (<= capacity) items on.
static uint32_t advance(const tml_ring_t *r, uint32_t pos, uint32_t n) {
    pos += n;
    return pos >= 2 * r->capacity ? pos - 2 * r->capacity : pos;
}

static uint32_t slot(const tml_ring_t *r, uint32_t pos) {
    return pos >= r->capacity ? pos - r->capacity : pos;
}

static uint32_t used(const tml_ring_t *r, uint32_t head, uint32_t tail) {
    return head >= tail ? head - tail : head + 2 * r->capacity - tail;
}

tml_dsp_status_t tml_ring_init(tml_ring_t *r, void *storage, uint32_t capacity, uint32_t item_size) {
    if (capacity == 0 || item_size == 0 || capacity > 0x7fffffffu / item_size) {  // 2*capacity fits
        return TML_DSP_BAD_SIZE;
    }
    r->buf = (uint8_t *)storage;
    r->capacity = capacity;
    r->item_size = item_size;
    r->head = 0;
    r->tail = 0;
    r->dropped = 0;
    return TML_DSP_OK;
}

uint32_t tml_ring_available(const tml_ring_t *r) {
    return used(r, r->head, r->tail);
}

uint32_t tml_ring_space(const tml_ring_t *r) {
    return r->capacity - used(r, r->head, r->tail);
}

uint32_t tml_ring_write(tml_ring_t *r, const void *src, uint32_t n) {
    uint32_t head = r->head;
    uint32_t space = r->capacity - used(r, head, r->tail);
    if (n > space) {
        r->dropped += n - space;
        n = space;
    }
    uint32_t pos = slot(r, head);
    uint32_t first = r->capacity - pos;
    if (first > n) {
        first = n;
    }
    const uint8_t *s = (const uint8_t *)src;
    memcpy(r->buf + pos * r->item_size, s, first * r->item_size);
    memcpy(r->buf, s + first * r->item_size, (n - first) * r->item_size);
    TML_BARRIER();
    r->head = advance(r, head, n);
    return n;
}

void tml_ring_peek(const tml_ring_t *r, void *dst, uint32_t n) {
    uint32_t pos = slot(r, r->tail);
    uint32_t first = r->capacity - pos;
    if (first > n) {
        first = n;
    }
    uint8_t *d = (uint8_t *)dst;
    TML_BARRIER();
    memcpy(d, r->buf + pos * r->item_size, first * r->item_size);
    memcpy(d + first * r->item_size, r->buf, (n - first) * r->item_size);
}

void tml_ring_skip(tml_ring_t *r, uint32_t n) {
    TML_BARRIER();
    r->tail = advance(r, r->tail, n);
}

uint32_t tml_ring_read(tml_ring_t *r, void *dst, uint32_t n) {
    uint32_t avail = tml_ring_available(r);
    if (n > avail) {
        n = avail;
    }
    tml_ring_peek(r, dst, n);
    tml_ring_skip(r, n);
    return n;
}

int tml_ring_frame(tml_ring_t *r, void *dst, uint32_t frame, uint32_t hop) {
    uint32_t need = frame > hop ? frame : hop;
    if (tml_ring_available(r) < need) {
        return 0;
    }
    tml_ring_peek(r, dst, frame);
    tml_ring_skip(r, hop);
    return 1;
}

void tml_ring_clear(tml_ring_t *r) {
    TML_BARRIER();
    r->tail = r->head;
}
