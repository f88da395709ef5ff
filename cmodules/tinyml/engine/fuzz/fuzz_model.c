// libFuzzer harness for the model loader: init (validation), plan, allocate into a bounded
// arena, invoke. Any input must end in a status, never in a crash, leak or undefined behaviour.
//
//   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
//         -I cmodules/tinyml/engine fuzz_model.c <all engine .c files> -lm -o fuzz_model
//   ./fuzz_model -timeout=20 -max_total_time=60 corpus/
//
// tests/engine/fuzz_run.py builds and runs it (seeded with the MLPerf Tiny models and mutants).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tml_interpreter.h"

#ifndef FUZZ_MAX_WORKSPACE
#define FUZZ_MAX_WORKSPACE (1u << 20)
#endif
#ifndef FUZZ_MAX_ARENA
#define FUZZ_MAX_ARENA (4u << 20)
#endif

// Keeps the optimiser from dropping reads of the outputs.
static volatile uint8_t fuzz_sink;

static void touch_tensor(const tml_tensor_t *t) {
    if (t->data != NULL && t->bytes > 0) {
        const uint8_t *p = (const uint8_t *)t->data;
        fuzz_sink ^= p[0];
        fuzz_sink ^= p[t->bytes - 1];
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // An exactly-sized heap copy: ASan then catches any read past the end of the model.
    uint8_t *model = (uint8_t *)malloc(size ? size : 1);
    if (model == NULL) {
        return 0;
    }
    if (size) {
        memcpy(model, data, size);
    }
    tml_interpreter_t it;
    void *work = NULL;
    void *arena = NULL;
    if (tml_init(&it, model, size) != TML_OK) {
        goto done;
    }
    uint32_t n_ops = tml_op_count(&it);
    for (uint32_t i = 0; i < n_ops; i++) {
        const char *name = tml_op_name(&it, i);
        if (name != NULL) {
            fuzz_sink ^= (uint8_t)name[0];
        }
    }
    size_t ws = tml_plan_workspace(&it);
    if (ws > FUZZ_MAX_WORKSPACE) {
        goto done;
    }
    work = malloc(ws ? ws : 1);
    if (work == NULL || tml_plan(&it, work, ws) != TML_OK) {
        goto done;
    }
    size_t need = tml_arena_needed(&it);
    if (need > FUZZ_MAX_ARENA) {
        goto done;
    }
    // An arena one byte short must be refused cleanly (not overrun).
    if (need > 0) {
        void *small = malloc(need - 1 ? need - 1 : 1);
        if (small != NULL) {
            tml_interpreter_t it2;
            if (tml_init(&it2, model, size) == TML_OK && tml_allocate(&it2, small, need - 1) == TML_OK) {
                // allowed only if the engine really fits (it said need, so this is suspicious
                // but not memory-unsafe); fall through
            }
            free(small);
        }
    }
    arena = malloc(need ? need : 1);
    if (arena == NULL || tml_allocate(&it, arena, need) != TML_OK) {
        goto done;
    }
    uint32_t n_in = tml_graph_input_count(&it);
    for (uint32_t i = 0; i < n_in; i++) {
        tml_tensor_t t;
        if (tml_graph_input(&it, i, &t) == TML_OK && t.data != NULL) {
            // deterministic input bytes derived from the model bytes
            uint8_t *p = (uint8_t *)t.data;
            for (uint32_t k = 0; k < t.bytes; k++) {
                p[k] = size ? data[(k * 7u + i) % size] : (uint8_t)k;
            }
        }
    }
    for (int round = 0; round < 2; round++) {
        if (tml_invoke(&it) != TML_OK) {
            break;
        }
    }
    uint32_t n_out = tml_graph_output_count(&it);
    for (uint32_t i = 0; i < n_out; i++) {
        tml_tensor_t t;
        if (tml_graph_output(&it, i, &t) == TML_OK) {
            touch_tensor(&t);
        }
    }
done:
    free(arena);
    free(work);
    free(model);
    return 0;
}
