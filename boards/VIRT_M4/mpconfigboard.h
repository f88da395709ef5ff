// tinydev VIRT_M4 board configuration, included first by ports/qemu/mpconfigport.h.

#define MICROPY_PY_SYS_PLATFORM             "qemu"
#define MICROPY_HW_BOARD_STDIO              (1)
#define MICROPY_PY_SYS_STDIO_BUFFER         (1)
#define MICROPY_PY_SELECT                   (1)
// Larger raw-paste flow-control window: fewer host round trips for mpremote.
#define MICROPY_REPL_STDIN_BUFFER_MAX       (1024)
#define MICROPY_PY_ASYNCIO                  (1)

// time: SysTick-driven ticks, RTC seeded from the host clock at boot. Unix epoch,
// so time.time() matches the host and time.time_ns().
#define MICROPY_EPOCH_IS_1970               (1)
#define MICROPY_PY_TIME                     (1)
#define MICROPY_PY_TIME_GMTIME_LOCALTIME_MKTIME (1)
#define MICROPY_PY_TIME_TIME_TIME_NS        (1)
#define MICROPY_PY_TIME_INCLUDEFILE         "board_modtime.c"

// machine
#define MICROPY_PY_MACHINE_INCLUDEFILE      "board_modmachine.c"
#define MICROPY_PY_MACHINE_RESET            (1)
#define MICROPY_PY_MACHINE_BARE_METAL_FUNCS (1)
#define MICROPY_PY_MACHINE_I2C              (1)
#define MICROPY_PY_MACHINE_EXTRA_GLOBALS \
    { MP_ROM_QSTR(MP_QSTR_Pin), MP_ROM_PTR(&machine_pin_type) }, \
    { MP_ROM_QSTR(MP_QSTR_I2S), MP_ROM_PTR(&machine_i2s_type) }, \
    MICROPY_PY_MACHINE_EXTRA_GLOBALS_RESET

// os
#define MICROPY_PY_OS_UNAME                 (1)

// Atomic sections (scheduler queue, ring buffers) mask interrupts with PRIMASK.
#define MICROPY_BEGIN_ATOMIC_SECTION()      board_irq_disable()
#define MICROPY_END_ATOMIC_SECTION(state)   board_irq_restore(state)
#define MICROPY_PY_MACHINE_DISABLE_IRQ_ENABLE_IRQ (1)

// Sleep until the next interrupt: SysTick (every ms), UART RX, pin IRQs end the wait.
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS)    board_wfi()

// Board hooks called from ports/qemu/main.c.
#define MICROPY_BOARD_EARLY_INIT            board_early_init
#define MICROPY_BOARD_START_SOFT_RESET      board_start_soft_reset
#define MICROPY_BOARD_END_SOFT_RESET        board_end_soft_reset

void board_wfi(void);
void board_early_init(void);
void board_start_soft_reset(void);
void board_end_soft_reset(void);

static inline uint32_t board_irq_disable(void) {
    uint32_t state;
    __asm volatile ("mrs %0, primask\n\tcpsid i" : "=r" (state) : : "memory");
    return state;
}

static inline void board_irq_restore(uint32_t state) {
    __asm volatile ("msr primask, %0" : : "r" (state) : "memory");
}
