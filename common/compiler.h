/* Attributes shared by every module. */
#ifndef SAMLAD_COMPILER_H
#define SAMLAD_COMPILER_H

/* A function whose status must be checked by the caller. */
#define WUR __attribute__((warn_unused_result))
/* A printf-like function: the compiler checks the arguments. */
#define PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
