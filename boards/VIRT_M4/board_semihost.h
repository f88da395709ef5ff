// ARM semihosting calls the board needs beyond shared/runtime/semihosting_arm.c:
// host file I/O for the disk image, the command line and the host clock.
#ifndef TINYDEV_VIRT_M4_BOARD_SEMIHOST_H
#define TINYDEV_VIRT_M4_BOARD_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

// fopen()-style modes, as numbered by the semihosting specification.
#define SH_MODE_RB      (1)
#define SH_MODE_RPLUSB  (3)
#define SH_MODE_WPLUSB  (7)

int sh_open(const char *name, int mode);   // handle, or -1
int sh_close(int fd);
size_t sh_read(int fd, void *buf, size_t len);        // bytes NOT read
size_t sh_write(int fd, const void *buf, size_t len); // bytes NOT written
int sh_seek(int fd, uint32_t pos);         // 0 on success
int sh_flen(int fd);                       // file length, or -1
int sh_get_cmdline(char *buf, size_t len); // 0 on success, buf NUL-terminated
uint32_t sh_time(void);                    // host seconds since 1970

#endif // TINYDEV_VIRT_M4_BOARD_SEMIHOST_H
