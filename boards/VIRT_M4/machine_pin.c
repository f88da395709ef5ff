// machine.Pin for 32 virtual GPIOs. An emulated device (Python code on the board)
// sets the level seen on a pin with the board-specific Pin.drive(level); an edge
// that matches the pin's irq() trigger pends the VGPIO interrupt in the NVIC, and
// its ISR runs or schedules the handler exactly as a hardware GPIO IRQ would.

#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/modmachine.h"
#include "extmod/virtpin.h"
#include "shared/runtime/mpirq.h"
#include "board.h"

#define NUM_PINS            (32)

#define PIN_MODE_IN         (0)
#define PIN_MODE_OUT        (1)
#define PIN_MODE_OPEN_DRAIN (2)

#define PIN_PULL_NONE       (0)
#define PIN_PULL_UP         (1)
#define PIN_PULL_DOWN       (2)

#define PIN_IRQ_FALLING     (1)
#define PIN_IRQ_RISING      (2)

#define LEVEL_FLOATING      (-1)

typedef struct _machine_pin_obj_t {
    mp_obj_base_t base;
    uint8_t id;
} machine_pin_obj_t;

typedef struct _pin_state_t {
    uint8_t mode;
    uint8_t pull;
    uint8_t out;        // output latch
    int8_t ext;         // level driven from outside, or LEVEL_FLOATING
    uint8_t trigger;    // enabled IRQ edges
    uint8_t flags;      // edges that caused the last IRQ
} pin_state_t;

static pin_state_t pin_state[NUM_PINS];
static volatile uint32_t pin_irq_pending[2]; // [0] falling, [1] rising; bit per pin
volatile bool board_wake_event;

MP_REGISTER_ROOT_POINTER(struct _mp_irq_obj_t *machine_pin_irq_obj[32]);

#define PIN_OBJ(n) { { &machine_pin_type }, n }
static const machine_pin_obj_t machine_pin_obj[NUM_PINS] = {
    PIN_OBJ(0), PIN_OBJ(1), PIN_OBJ(2), PIN_OBJ(3), PIN_OBJ(4), PIN_OBJ(5), PIN_OBJ(6), PIN_OBJ(7),
    PIN_OBJ(8), PIN_OBJ(9), PIN_OBJ(10), PIN_OBJ(11), PIN_OBJ(12), PIN_OBJ(13), PIN_OBJ(14), PIN_OBJ(15),
    PIN_OBJ(16), PIN_OBJ(17), PIN_OBJ(18), PIN_OBJ(19), PIN_OBJ(20), PIN_OBJ(21), PIN_OBJ(22), PIN_OBJ(23),
    PIN_OBJ(24), PIN_OBJ(25), PIN_OBJ(26), PIN_OBJ(27), PIN_OBJ(28), PIN_OBJ(29), PIN_OBJ(30), PIN_OBJ(31),
};

// The level the pin's input buffer sees.
static int pin_level(const pin_state_t *p) {
    if (p->mode == PIN_MODE_OUT || (p->mode == PIN_MODE_OPEN_DRAIN && p->out == 0)) {
        return p->out;
    }
    if (p->ext != LEVEL_FLOATING) {
        return p->ext;
    }
    return p->pull == PIN_PULL_UP;
}

// Apply a state change and raise the IRQ if it made a matching edge.
static void pin_update(uint32_t id, void (*change)(pin_state_t *p, int arg), int arg) {
    pin_state_t *p = &pin_state[id];
    uint32_t state = board_irq_disable();
    int before = pin_level(p);
    change(p, arg);
    int after = pin_level(p);
    if (before != after) {
        uint8_t edge = after ? PIN_IRQ_RISING : PIN_IRQ_FALLING;
        if (p->trigger & edge) {
            pin_irq_pending[after] |= 1u << id;
            NVIC_SetPendingIRQ(VGPIO_IRQn);
        }
    }
    board_irq_restore(state);
}

static void set_out(pin_state_t *p, int v) {
    p->out = v;
}

static void set_ext(pin_state_t *p, int v) {
    p->ext = v;
}

static void vgpio_isr(void) {
    uint32_t falling = pin_irq_pending[0];
    uint32_t rising = pin_irq_pending[1];
    pin_irq_pending[0] = 0;
    pin_irq_pending[1] = 0;
    board_wake_event = true;
    uint32_t pending = falling | rising;
    for (uint32_t id = 0; pending; ++id, pending >>= 1) {
        mp_irq_obj_t *irq = MP_STATE_PORT(machine_pin_irq_obj[id]);
        if ((pending & 1) && irq != NULL) {
            pin_state[id].flags = ((falling >> id) & 1 ? PIN_IRQ_FALLING : 0) | ((rising >> id) & 1 ? PIN_IRQ_RISING : 0);
            mp_irq_handler(irq);
        }
    }
}

void machine_pin_init(void) {
    board_set_irq_handler(VGPIO_IRQn, vgpio_isr);
    NVIC_SetPriority(VGPIO_IRQn, IRQ_PRI_VGPIO);
    NVIC_EnableIRQ(VGPIO_IRQn);
    machine_pin_deinit_all();
}

// At soft reset: pins back to floating inputs, no IRQ handlers.
void machine_pin_deinit_all(void) {
    uint32_t state = board_irq_disable();
    for (int i = 0; i < NUM_PINS; ++i) {
        pin_state[i] = (pin_state_t) { .mode = PIN_MODE_IN, .ext = LEVEL_FLOATING };
        MP_STATE_PORT(machine_pin_irq_obj[i]) = NULL;
    }
    pin_irq_pending[0] = pin_irq_pending[1] = 0;
    board_irq_restore(state);
}

static void machine_pin_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "Pin(%u)", self->id);
}

// pin.init(mode=-1, pull=-1, *, value=None)
static mp_obj_t machine_pin_obj_init_helper(const machine_pin_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_mode, ARG_pull, ARG_value };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_mode, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_pull, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_INT(-1)} },
        { MP_QSTR_value, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    pin_state_t *p = &pin_state[self->id];
    pin_state_t next = *p;
    if (args[ARG_mode].u_obj != mp_const_none) {
        mp_int_t mode = mp_obj_get_int(args[ARG_mode].u_obj);
        if (mode < PIN_MODE_IN || mode > PIN_MODE_OPEN_DRAIN) {
            mp_raise_ValueError(MP_ERROR_TEXT("invalid pin mode"));
        }
        next.mode = mode;
    }
    if (args[ARG_pull].u_obj == mp_const_none) {
        next.pull = PIN_PULL_NONE;
    } else {
        mp_int_t pull = mp_obj_get_int(args[ARG_pull].u_obj);
        if (pull > PIN_PULL_DOWN) {
            mp_raise_ValueError(MP_ERROR_TEXT("invalid pin pull"));
        }
        if (pull >= 0) {
            next.pull = pull;
        }
    }
    if (args[ARG_value].u_obj != mp_const_none) {
        next.out = mp_obj_is_true(args[ARG_value].u_obj);
    }
    uint32_t state = board_irq_disable();
    p->mode = next.mode;
    p->pull = next.pull;
    board_irq_restore(state);
    pin_update(self->id, set_out, next.out);
    return mp_const_none;
}

mp_obj_t mp_pin_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, MP_OBJ_FUN_ARGS_MAX, true);
    mp_int_t id = mp_obj_get_int(args[0]);
    if (id < 0 || id >= NUM_PINS) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid pin"));
    }
    const machine_pin_obj_t *self = &machine_pin_obj[id];
    if (n_args > 1 || n_kw > 0) {
        mp_map_t kw_args;
        mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
        machine_pin_obj_init_helper(self, n_args - 1, args + 1, &kw_args);
    }
    return MP_OBJ_FROM_PTR(self);
}

// pin() / pin(value)
static mp_obj_t machine_pin_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (n_args == 0) {
        return MP_OBJ_NEW_SMALL_INT(pin_level(&pin_state[self->id]));
    }
    pin_update(self->id, set_out, mp_obj_is_true(args[0]));
    return mp_const_none;
}

static mp_obj_t machine_pin_obj_init(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    return machine_pin_obj_init_helper(MP_OBJ_TO_PTR(args[0]), n_args - 1, args + 1, kw_args);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_pin_init_obj, 1, machine_pin_obj_init);

static mp_obj_t machine_pin_value(size_t n_args, const mp_obj_t *args) {
    return machine_pin_call(args[0], n_args - 1, 0, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(machine_pin_value_obj, 1, 2, machine_pin_value);

static mp_obj_t machine_pin_off(mp_obj_t self_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    pin_update(self->id, set_out, 0);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_off_obj, machine_pin_off);

static mp_obj_t machine_pin_on(mp_obj_t self_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    pin_update(self->id, set_out, 1);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_on_obj, machine_pin_on);

static mp_obj_t machine_pin_toggle(mp_obj_t self_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    pin_update(self->id, set_out, !pin_state[self->id].out);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_toggle_obj, machine_pin_toggle);

// pin.drive(level): board-specific, the level an external device puts on the
// pin (0, 1, or None to let it float back to its pull).
static mp_obj_t machine_pin_drive(mp_obj_t self_in, mp_obj_t level_in) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    int level = level_in == mp_const_none ? LEVEL_FLOATING : mp_obj_is_true(level_in);
    pin_update(self->id, set_ext, level);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_pin_drive_obj, machine_pin_drive);

static mp_uint_t machine_pin_irq_trigger(mp_obj_t self_in, mp_uint_t new_trigger) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    pin_state[self->id].trigger = new_trigger;
    return 0;
}

static mp_uint_t machine_pin_irq_info(mp_obj_t self_in, mp_uint_t info_type) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (info_type == MP_IRQ_INFO_FLAGS) {
        return pin_state[self->id].flags;
    } else if (info_type == MP_IRQ_INFO_TRIGGERS) {
        return pin_state[self->id].trigger;
    }
    return 0;
}

static const mp_irq_methods_t machine_pin_irq_methods = {
    .trigger = machine_pin_irq_trigger,
    .info = machine_pin_irq_info,
};

// pin.irq(handler=None, trigger=IRQ_FALLING|IRQ_RISING, hard=False)
static mp_obj_t machine_pin_irq(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_handler, ARG_trigger, ARG_hard };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_handler, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_trigger, MP_ARG_INT, {.u_int = PIN_IRQ_FALLING | PIN_IRQ_RISING} },
        { MP_QSTR_hard, MP_ARG_BOOL, {.u_bool = false} },
    };
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(pos_args[0]);
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 1, pos_args + 1, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    mp_irq_obj_t *irq = MP_STATE_PORT(machine_pin_irq_obj[self->id]);
    if (irq == NULL) {
        irq = mp_irq_new(&machine_pin_irq_methods, MP_OBJ_FROM_PTR(self));
        MP_STATE_PORT(machine_pin_irq_obj[self->id]) = irq;
    }
    if (n_args > 1 || kw_args->used != 0) {
        uint32_t state = board_irq_disable();
        irq->handler = args[ARG_handler].u_obj;
        irq->ishard = args[ARG_hard].u_bool;
        pin_state[self->id].trigger = irq->handler == mp_const_none ? 0 : args[ARG_trigger].u_int;
        board_irq_restore(state);
    }
    return MP_OBJ_FROM_PTR(irq);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_pin_irq_obj, 1, machine_pin_irq);

static const mp_rom_map_elem_t machine_pin_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&machine_pin_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_value), MP_ROM_PTR(&machine_pin_value_obj) },
    { MP_ROM_QSTR(MP_QSTR_off), MP_ROM_PTR(&machine_pin_off_obj) },
    { MP_ROM_QSTR(MP_QSTR_on), MP_ROM_PTR(&machine_pin_on_obj) },
    { MP_ROM_QSTR(MP_QSTR_low), MP_ROM_PTR(&machine_pin_off_obj) },
    { MP_ROM_QSTR(MP_QSTR_high), MP_ROM_PTR(&machine_pin_on_obj) },
    { MP_ROM_QSTR(MP_QSTR_toggle), MP_ROM_PTR(&machine_pin_toggle_obj) },
    { MP_ROM_QSTR(MP_QSTR_irq), MP_ROM_PTR(&machine_pin_irq_obj) },
    { MP_ROM_QSTR(MP_QSTR_drive), MP_ROM_PTR(&machine_pin_drive_obj) },

    { MP_ROM_QSTR(MP_QSTR_IN), MP_ROM_INT(PIN_MODE_IN) },
    { MP_ROM_QSTR(MP_QSTR_OUT), MP_ROM_INT(PIN_MODE_OUT) },
    { MP_ROM_QSTR(MP_QSTR_OPEN_DRAIN), MP_ROM_INT(PIN_MODE_OPEN_DRAIN) },
    { MP_ROM_QSTR(MP_QSTR_PULL_UP), MP_ROM_INT(PIN_PULL_UP) },
    { MP_ROM_QSTR(MP_QSTR_PULL_DOWN), MP_ROM_INT(PIN_PULL_DOWN) },
    { MP_ROM_QSTR(MP_QSTR_IRQ_FALLING), MP_ROM_INT(PIN_IRQ_FALLING) },
    { MP_ROM_QSTR(MP_QSTR_IRQ_RISING), MP_ROM_INT(PIN_IRQ_RISING) },
};
static MP_DEFINE_CONST_DICT(machine_pin_locals_dict, machine_pin_locals_dict_table);

// Pin protocol, so machine.Signal works.
static mp_uint_t machine_pin_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (request) {
        case MP_PIN_READ:
            return pin_level(&pin_state[self->id]);
        case MP_PIN_WRITE:
            pin_update(self->id, set_out, arg != 0);
            return 0;
    }
    return -1;
}

static const mp_pin_p_t machine_pin_pin_p = {
    .ioctl = machine_pin_ioctl,
};

MP_DEFINE_CONST_OBJ_TYPE(
    machine_pin_type,
    MP_QSTR_Pin,
    MP_TYPE_FLAG_NONE,
    make_new, mp_pin_make_new,
    print, machine_pin_print,
    call, machine_pin_call,
    protocol, &machine_pin_pin_p,
    locals_dict, &machine_pin_locals_dict
    );
