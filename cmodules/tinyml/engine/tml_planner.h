// Greedy memory planner (the idea of TFLM's GreedyMemoryPlanner): buffers sorted largest first,
// each placed at the lowest offset where it does not overlap, in memory, any already-placed
// buffer that is alive at the same time (lifetimes are inclusive op-index ranges).
#ifndef TML_PLANNER_H
#define TML_PLANNER_H

#include <stdint.h>

#define TML_ALIGN 16u

typedef struct {
    uint32_t size;    // bytes, already rounded up to TML_ALIGN
    uint32_t offset;  // result
    int32_t id;       // tensor index, or -1 - (node * TML_MAX_SCRATCH + handle) for scratch
    uint16_t first;   // first op that needs the buffer
    uint16_t last;    // last op that needs it
    uint32_t next;    // planner-private: next placed buffer by offset
} tml_plan_buf_t;

// Place n buffers (reordered in place, largest first); returns the bytes the plan spans.
uint32_t tml_plan_greedy(tml_plan_buf_t *bufs, uint32_t n);

static inline uint32_t tml_align_up(uint32_t n) {
    return (n + (TML_ALIGN - 1)) & ~(TML_ALIGN - 1);
}

#endif
