/* SPDX-License-Identifier: MIT */
/*
 * log: the programs' voice.  INFO:, WARNING: and ERROR: lines on stderr,
 * line-buffered so a test or a student following the output through a pipe
 * sees each line the moment it is written.  log_fatal() is the one way a
 * program ends on an error: one line naming the cause (and the fix), exit 1.
 */
#ifndef VPNLAB_LOG_H
#define VPNLAB_LOG_H

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Make stdout and stderr line-buffered; call first thing in main(). */
void log_init(void);

/* Print "INFO: " and the formatted message on stderr. */
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Print "WARNING: " and the formatted message on stderr. */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Print "ERROR: " and the formatted message on stderr. */
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Print "ERROR: " and the formatted message, then exit(1). */
__attribute__((noreturn)) void log_fatal(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
