// Single-producer single-consumer ring of fixed-size items (e.g. int16 audio samples).
// The producer (a sensor IRQ, an I2S callback) only calls tml_ring_write; the consumer (a task)
// only calls the read side. Each side writes only its own counter, so no lock is needed on a
// single core. Positions run over 0..2*capacity-1 (the extra lap tells full from empty), so they
// never overflow however long the stream runs. Items that do not fit are dropped and counted.
#ifndef TML_RING_H
#define TML_RING_H

#include <stdint.h>
#include "tml_dsp_status.h"

typedef struct {
    uint8_t *buf;
    uint32_t capacity;            // items
    uint32_t item_size;           // bytes per item
    volatile uint32_t head;       // write position, 0..2*capacity-1 (producer)
    volatile uint32_t tail;       // read position, 0..2*capacity-1 (consumer)
    volatile uint32_t dropped;    // items refused because the ring was full (producer)
} tml_ring_t;

tml_dsp_status_t tml_ring_init(tml_ring_t *r, void *storage, uint32_t capacity, uint32_t item_size);

uint32_t tml_ring_available(const tml_ring_t *r);   // items ready to read
uint32_t tml_ring_space(const tml_ring_t *r);       // items that can be written

// Producer: copies up to n items, returns how many were taken.
uint32_t tml_ring_write(tml_ring_t *r, const void *src, uint32_t n);

// Consumer: copy the n oldest items without consuming them (n <= available).
void tml_ring_peek(const tml_ring_t *r, void *dst, uint32_t n);
// Consumer: drop n items (n <= available).
void tml_ring_skip(tml_ring_t *r, uint32_t n);
// Consumer: read up to n items, returns how many.
uint32_t tml_ring_read(tml_ring_t *r, void *dst, uint32_t n);
// Consumer, frame slicer: when max(frame, hop) items are ready, copy the next frame and advance
// by hop (hop < frame gives overlapping frames, hop == frame back-to-back ones). Returns 1 or 0.
int tml_ring_frame(tml_ring_t *r, void *dst, uint32_t frame, uint32_t hop);
// Consumer: forget everything ready (the producer may keep writing).
void tml_ring_clear(tml_ring_t *r);

#endif
