// Port part of the machine module (included by extmod/modmachine.c).
// machine.reset() is a real system reset: QEMU reloads the firmware image and
// starts it again on the same serial port and disk. The cause survives it in a
// .noinit word.

#include "py/mphal.h"
#include "board.h"

#define MACHINE_PWRON_RESET     (1)
#define MACHINE_HARD_RESET      (2)
#define MACHINE_WDT_RESET       (3)
#define MACHINE_DEEPSLEEP_RESET (4)
#define MACHINE_SOFT_RESET      (5)

#define RESET_MAGIC             (0x7e5e7000)

#define MICROPY_PY_MACHINE_EXTRA_GLOBALS_RESET \
    { MP_ROM_QSTR(MP_QSTR_PWRON_RESET), MP_ROM_INT(MACHINE_PWRON_RESET) }, \
    { MP_ROM_QSTR(MP_QSTR_HARD_RESET), MP_ROM_INT(MACHINE_HARD_RESET) }, \
    { MP_ROM_QSTR(MP_QSTR_WDT_RESET), MP_ROM_INT(MACHINE_WDT_RESET) }, \
    { MP_ROM_QSTR(MP_QSTR_DEEPSLEEP_RESET), MP_ROM_INT(MACHINE_DEEPSLEEP_RESET) }, \
    { MP_ROM_QSTR(MP_QSTR_SOFT_RESET), MP_ROM_INT(MACHINE_SOFT_RESET) },

// Written just before a reset request; QEMU starts with RAM zeroed (power on).
static uint32_t reset_request __attribute__((section(".noinit")));
static uint32_t reset_cause;

void board_reset_cause_init(void) {
    if ((reset_request & ~0xffu) == RESET_MAGIC) {
        reset_cause = reset_request & 0xff;
    } else {
        reset_cause = MACHINE_PWRON_RESET;
    }
    reset_request = 0;
}

MP_NORETURN static void board_system_reset(uint32_t cause) {
    reset_request = RESET_MAGIC | cause;
    NVIC_SystemReset();
}

static void mp_machine_idle(void) {
    __WFI();
}

MP_NORETURN static void mp_machine_reset(void) {
    board_system_reset(MACHINE_SOFT_RESET);
}

static mp_int_t mp_machine_reset_cause(void) {
    return reset_cause;
}

static mp_obj_t mp_machine_unique_id(void) {
    static const uint8_t id[8] = { 'V', 'I', 'R', 'T', '_', 'M', '4', 0x01 };
    return mp_obj_new_bytes(id, sizeof(id));
}

static mp_obj_t mp_machine_get_freq(void) {
    return MP_OBJ_NEW_SMALL_INT(BOARD_SYSCLK_HZ);
}

static void mp_machine_set_freq(size_t n_args, const mp_obj_t *args) {
    if (mp_obj_get_int(args[0]) != BOARD_SYSCLK_HZ) {
        mp_raise_ValueError(MP_ERROR_TEXT("frequency is fixed"));
    }
}

// lightsleep([ms]): the CPU halts in WFI; only the timer, a pin interrupt or
// Ctrl-C end the sleep. Python callbacks run once it returns.
static void mp_machine_lightsleep(size_t n_args, const mp_obj_t *args) {
    mp_int_t ms = n_args == 0 ? -1 : mp_obj_get_int(args[0]);
    mp_uint_t start = mp_hal_ticks_ms();
    board_wake_event = false;
    for (;;) {
        if (ms >= 0 && (mp_int_t)(mp_hal_ticks_ms() - start) >= ms) {
            break;
        }
        if (board_wake_event || MP_STATE_MAIN_THREAD(mp_pending_exception) != MP_OBJ_NULL) {
            break;
        }
        uint32_t state = board_irq_disable();
        if (!board_wake_event) {
            __WFI();
        }
        board_irq_restore(state);
    }
}

MP_NORETURN static void mp_machine_deepsleep(size_t n_args, const mp_obj_t *args) {
    mp_machine_lightsleep(n_args, args);
    board_system_reset(MACHINE_DEEPSLEEP_RESET);
}
