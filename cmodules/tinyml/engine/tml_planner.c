// Greedy placement; see tml_planner.h.
#include "tml_planner.h"

#define END_OF_LIST 0xffffffffu

static int alive_together(const tml_plan_buf_t *a, const tml_plan_buf_t *b) {
    return a->first <= b->last && b->first <= a->last;
}

// Stable insertion sort, largest first: ties keep the tensor order, so plans are reproducible.
static void sort_by_size(tml_plan_buf_t *bufs, uint32_t n) {
    for (uint32_t i = 1; i < n; i++) {
        tml_plan_buf_t b = bufs[i];
        uint32_t j = i;
        while (j > 0 && bufs[j - 1].size < b.size) {
            bufs[j] = bufs[j - 1];
            j--;
        }
        bufs[j] = b;
    }
}

uint32_t tml_plan_greedy(tml_plan_buf_t *bufs, uint32_t n) {
    uint32_t head = END_OF_LIST;  // placed buffers, ascending offset
    uint32_t total = 0;
    sort_by_size(bufs, n);
    for (uint32_t k = 0; k < n; k++) {
        tml_plan_buf_t *b = &bufs[k];
        uint32_t candidate = 0;
        uint32_t prev = END_OF_LIST;  // last list entry with offset <= candidate, for insertion
        for (uint32_t j = head; j != END_OF_LIST; j = bufs[j].next) {
            const tml_plan_buf_t *p = &bufs[j];
            if (!alive_together(p, b) || p->size == 0) {
                if (p->offset <= candidate) {
                    prev = j;
                }
                continue;
            }
            if (p->offset >= candidate + b->size) {
                break;  // the gap before p is big enough
            }
            if (p->offset + p->size > candidate) {
                candidate = p->offset + p->size;
            }
            prev = j;
        }
        b->offset = candidate;
        // Insert k keeping the list sorted by offset: walk from prev (or head).
        uint32_t *link = prev == END_OF_LIST ? &head : &bufs[prev].next;
        while (*link != END_OF_LIST && bufs[*link].offset <= candidate) {
            link = &bufs[*link].next;
        }
        b->next = *link;
        *link = k;
        if (candidate + b->size > total) {
            total = candidate + b->size;
        }
    }
    return total;
}
