// stdio on CMSDK UART0 with an interrupt-driven receiver: received bytes go to a
// ring buffer (Ctrl-C becomes KeyboardInterrupt at once), readers sleep in WFI.
// Transmit reuses the polled uart_tx_strn() of ports/qemu/uart.c.

#include "py/runtime.h"
#include "py/mphal.h"
#include "py/ringbuf.h"
#include "py/stream.h"
#include "shared/runtime/interrupt_char.h"
#include "uart.h"
#include "board.h"

#define UART_STATE_RXFULL   (1 << 1)
#define UART_CTRL_TX_EN     (1 << 0)
#define UART_CTRL_RX_EN     (1 << 1)
#define UART_CTRL_RX_INTEN  (1 << 3)
#define UART_INT_RX         (1 << 1)

typedef struct {
    volatile uint32_t DATA;
    volatile uint32_t STATE;
    volatile uint32_t CTRL;
    volatile uint32_t INTSTATUS; // write 1 to clear
    volatile uint32_t BAUDDIV;
} cmsdk_uart_t;

#define UART0 ((cmsdk_uart_t *)0x40004000)

static uint8_t rx_buf_array[1024];
static ringbuf_t rx_buf = { rx_buf_array, sizeof(rx_buf_array), 0, 0 };

static void uart0_rx_isr(void) {
    // Clear first, so a byte arriving while we drain raises the IRQ again.
    UART0->INTSTATUS = UART_INT_RX;
    while (UART0->STATE & UART_STATE_RXFULL) {
        if (ringbuf_free(&rx_buf) == 0) {
            // Leave the byte in the UART: QEMU then holds further input back
            // (flow control) until the reader has made room.
            UART0->CTRL &= ~UART_CTRL_RX_INTEN;
            return;
        }
        int c = UART0->DATA & 0xff;
        if (c == mp_interrupt_char) {
            mp_sched_keyboard_interrupt();
        } else {
            ringbuf_put(&rx_buf, c);
        }
    }
}

void board_uart_init(void) {
    UART0->BAUDDIV = 16;
    UART0->INTSTATUS = 0xf;
    board_set_irq_handler(UART0_RX_IRQn, uart0_rx_isr);
    NVIC_SetPriority(UART0_RX_IRQn, IRQ_PRI_UART);
    NVIC_EnableIRQ(UART0_RX_IRQn);
    UART0->CTRL = UART_CTRL_TX_EN | UART_CTRL_RX_EN | UART_CTRL_RX_INTEN;
    // Bytes that came in before the interrupt was enabled.
    NVIC_SetPendingIRQ(UART0_RX_IRQn);
}

static int rx_get(void) {
    uint32_t state = board_irq_disable();
    int c = ringbuf_get(&rx_buf);
    if (c >= 0 && !(UART0->CTRL & UART_CTRL_RX_INTEN)) {
        // The ISR paused reception because the buffer was full: resume it.
        UART0->CTRL |= UART_CTRL_RX_INTEN;
        NVIC_SetPendingIRQ(UART0_RX_IRQn);
    }
    board_irq_restore(state);
    return c;
}

uintptr_t mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ret = 0;
    if ((poll_flags & MP_STREAM_POLL_RD) && ringbuf_avail(&rx_buf)) {
        ret |= MP_STREAM_POLL_RD;
    }
    if (poll_flags & MP_STREAM_POLL_WR) {
        ret |= MP_STREAM_POLL_WR;
    }
    return ret;
}

int mp_hal_stdin_rx_chr(void) {
    for (;;) {
        int c = rx_get();
        if (c >= 0) {
            return c;
        }
        mp_event_handle_nowait();
        // Check and sleep with interrupts masked so a byte arriving in between
        // still ends the WFI.
        uint32_t state = board_irq_disable();
        if (!ringbuf_avail(&rx_buf)) {
            __WFI();
        }
        board_irq_restore(state);
    }
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    uart_tx_strn(str, len);
    return len;
}
