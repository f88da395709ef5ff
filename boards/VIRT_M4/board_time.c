// Time base: SysTick at the 25 MHz core clock, one interrupt per millisecond.
// Sub-millisecond ticks come from the SysTick counter, so under qemu -icount the
// values depend only on executed instructions. The wall clock (time.time) is the
// host time read once at boot through semihosting plus the elapsed ticks.

#include "py/runtime.h"
#include "py/mphal.h"
#include "board.h"
#include "board_semihost.h"

#define SYSTICK_RELOAD      (BOARD_SYSCLK_HZ / 1000 - 1)
#define CYCLES_PER_US       (BOARD_SYSCLK_HZ / 1000000)

static volatile uint32_t systick_ms;
static uint64_t rtc_base_ns;

static void systick_isr(void) {
    systick_ms += 1;
}

void board_time_init(void) {
    rtc_base_ns = (uint64_t)sh_time() * 1000000000ULL;
    board_set_irq_handler(SysTick_IRQn, systick_isr);
    NVIC_SetPriority(SysTick_IRQn, IRQ_PRI_SYSTICK);
    SysTick->LOAD = SYSTICK_RELOAD;
    SysTick->VAL = 0;
    SysTick->CTRL = SysTick_CTRL_CLKSOURCE_Msk | SysTick_CTRL_TICKINT_Msk | SysTick_CTRL_ENABLE_Msk;
}

// Milliseconds and SysTick cycles into the current millisecond, read atomically.
static void systick_read(uint32_t *ms, uint32_t *cycles) {
    uint32_t state = board_irq_disable();
    uint32_t m = systick_ms;
    uint32_t val = SysTick->VAL;
    if (SCB->ICSR & SCB_ICSR_PENDSTSET_Msk) {
        // The counter wrapped but the ISR has not run yet.
        m += 1;
        val = SysTick->VAL;
    }
    board_irq_restore(state);
    *ms = m;
    *cycles = SYSTICK_RELOAD - val;
}

mp_uint_t mp_hal_ticks_ms(void) {
    return systick_ms;
}

mp_uint_t mp_hal_ticks_us(void) {
    uint32_t ms, cycles;
    systick_read(&ms, &cycles);
    return ms * 1000 + cycles / CYCLES_PER_US;
}

mp_uint_t mp_hal_ticks_cpu(void) {
    uint32_t ms, cycles;
    systick_read(&ms, &cycles);
    return ms * (SYSTICK_RELOAD + 1) + cycles;
}

uint64_t mp_hal_time_ns(void) {
    uint32_t ms, cycles;
    systick_read(&ms, &cycles);
    return rtc_base_ns + (uint64_t)ms * 1000000ULL + (uint64_t)cycles * 1000ULL / CYCLES_PER_US;
}

void mp_hal_delay_ms(mp_uint_t ms) {
    // Sleep (WFI) between ticks and keep running scheduled callbacks / Ctrl-C.
    mp_uint_t start = mp_hal_ticks_ms();
    mp_uint_t elapsed;
    while ((elapsed = mp_hal_ticks_ms() - start) < ms) {
        mp_event_wait_ms(ms - elapsed);
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    if (us >= 1000) {
        // Whole milliseconds can sleep; the rest is a short busy wait.
        mp_hal_delay_ms(us / 1000);
        us %= 1000;
    }
    mp_uint_t start = mp_hal_ticks_us();
    while (mp_hal_ticks_us() - start < us) {
    }
}
