// VIRT_M4 start-up and soft-reset hooks: RAM vector table with the board's
// interrupt handlers, stack limit, filesystem and boot.py/main.py.

#include "py/runtime.h"
#include "py/stackctrl.h"
#include "shared/runtime/pyexec.h"
#include "board.h"

// ports/qemu/mcu/arm/startup.c provides a vector table with the 16 system
// exceptions only; interrupts need a full one. VTOR wants it aligned to its size
// rounded up to a power of two (48 words -> 256 bytes).
extern const uint32_t isr_vector[];
MP_NORETURN void Default_Handler(void);
static void (*ram_vector_table[16 + BOARD_NUM_IRQS])(void) __attribute__((aligned(256)));

void board_set_irq_handler(IRQn_Type irq, void (*handler)(void)) {
    ram_vector_table[16 + irq] = handler;
}

static void board_vectors_init(void) {
    for (size_t i = 0; i < MP_ARRAY_SIZE(ram_vector_table); ++i) {
        ram_vector_table[i] = i < 16 ? (void (*)(void))isr_vector[i] : (void (*)(void))Default_Handler;
    }
    SCB->VTOR = (uint32_t)ram_vector_table;
    __DSB();
}

void board_early_init(void) {
    // Stack bounds come from the linker script; keep 1 KB headroom for ISRs.
    extern uint32_t _sstack, _estack;
    mp_stack_set_limit((char *)&_estack - (char *)&_sstack - 1024);

    board_reset_cause_init();
    board_vectors_init();
    NVIC_SetPriorityGrouping(0);
    board_time_init();
    board_uart_init();
    machine_pin_init();
}

void board_wfi(void) {
    __WFI();
}

void board_start_soft_reset(void) {
    board_disk_mount();
    // (The port has no "/lib" qstr; MP_QSTR__slash_lib would not decode to it.)
    mp_obj_list_append(mp_sys_path, mp_obj_new_str_via_qstr("/lib", 4));

    // As on hardware ports: boot.py always, main.py only in the friendly REPL.
    pyexec_file_if_exists("boot.py");
    if (pyexec_mode_kind == PYEXEC_MODE_FRIENDLY_REPL) {
        pyexec_file_if_exists("main.py");
    }
}

void board_end_soft_reset(void) {
    machine_pin_deinit_all();
    machine_i2c_deinit_all();
    machine_i2s_deinit_all();
}
