// VIRT_M4 internals shared by the board's C files: CMSIS device definitions for
// QEMU's mps2-an386 (Cortex-M4F, 32 external interrupts) and the board's IRQ map.
#ifndef TINYDEV_VIRT_M4_BOARD_H
#define TINYDEV_VIRT_M4_BOARD_H

#include <stdbool.h>
#include <stdint.h>

typedef enum IRQn {
    NonMaskableInt_IRQn = -14,
    HardFault_IRQn = -13,
    MemoryManagement_IRQn = -12,
    BusFault_IRQn = -11,
    UsageFault_IRQn = -10,
    SVCall_IRQn = -5,
    DebugMonitor_IRQn = -4,
    PendSV_IRQn = -2,
    SysTick_IRQn = -1,
    // Wired by QEMU's mps2.c for AN385/AN386.
    UART0_RX_IRQn = 0,
    UART0_TX_IRQn = 1,
    // Not driven by any QEMU device: pended from software by the virtual GPIO
    // block, so pin events arrive as real interrupts.
    VGPIO_IRQn = 30,
} IRQn_Type;

#define __CM4_REV               (0x0001)
#define __MPU_PRESENT           (1)
#define __FPU_PRESENT           (1)
#define __NVIC_PRIO_BITS        (3)
#define __Vendor_SysTickConfig  (0)

#include "core_cm4.h"

#define BOARD_NUM_IRQS          (32)
#define BOARD_SYSCLK_HZ         (25000000)

// Priorities: the tick outranks everything so time keeps running in other ISRs.
#define IRQ_PRI_SYSTICK         (0)
#define IRQ_PRI_UART            (2)
#define IRQ_PRI_VGPIO           (4)

// Install an interrupt handler in the RAM vector table.
void board_set_irq_handler(IRQn_Type irq, void (*handler)(void));

// board_modmachine.c
void board_reset_cause_init(void);

// board_time.c
void board_time_init(void);

// board_uart.c
void board_uart_init(void);

// board_disk.c
void board_disk_mount(void);

// machine_pin.c, machine_i2c.c, machine_i2s.c: reset state at soft reset.
void machine_pin_init(void);
void machine_pin_deinit_all(void);
void machine_i2c_deinit_all(void);
void machine_i2s_deinit_all(void);

// Set by wake-up sources (pin interrupts); machine.lightsleep() returns early on it.
extern volatile bool board_wake_event;

#endif // TINYDEV_VIRT_M4_BOARD_H
