/*
 * Reading ssh `-o` values as OpenSSH reads a configuration line, shared by
 * the unwrapping of ssh (unwrap.c, options.c) and its effects
 * (lib/effects/arguments.c). See ssh_options.c.
 */
#ifndef AG_EVAL_SSH_OPTIONS_H
#define AG_EVAL_SSH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* What an ssh `-o` value makes ssh do. */
typedef enum ag_ssh_option_kind {
    AG_SSH_OPTION_HARMLESS,   /* any other key */
    AG_SSH_OPTION_COMMAND,    /* ProxyCommand, LocalCommand, KnownHostsCommand: a shell command */
    AG_SSH_OPTION_REMOTE,     /* RemoteCommand: a command that the remote shell runs */
    AG_SSH_OPTION_PROGRAM,    /* PKCS11Provider, SecurityKeyProvider, XAuthLocation: a library
                                 or program that ssh runs here */
    AG_SSH_OPTION_READ,       /* IdentityFile, CertificateFile, GlobalKnownHostsFile,
                                 RevokedHostKeys: files that ssh reads */
    AG_SSH_OPTION_READ_WRITE, /* UserKnownHostsFile (new host keys are added) and ControlPath
                                 (a socket that ssh creates as a master): read and written */
    AG_SSH_OPTION_AGENT,      /* IdentityAgent: an agent socket, `none`, SSH_AUTH_SOCK or $NAME */
    AG_SSH_OPTION_FORWARD_AGENT, /* ForwardAgent: yes, no or an agent socket that the remote
                                    host may use */
    AG_SSH_OPTION_HOST,       /* Hostname: the host that ssh connects to */
    AG_SSH_OPTION_JUMP,       /* ProxyJump: a comma-separated list of hops */
    AG_SSH_OPTION_FORWARD,    /* RemoteForward: [BIND:]PORT and HOST:HOSTPORT, the host that -R
                                 names */
    AG_SSH_OPTION_LOCAL_FORWARD, /* LocalForward and DynamicForward, as -L and -D: also a Unix
                                    socket that ssh creates where the first argument is a path */
    AG_SSH_OPTION_OPAQUE      /* PermitLocalCommand, Include, Match, a dynamic value, or a
                                 spelling whose key is not certain */
} ag_ssh_option_kind;

/*
 * Reads the key of an ssh `-o` value (`length` bytes, NUL-terminated) as
 * OpenSSH 9.2 does. *rest is the text after the key and its delimiters,
 * or NULL when the value has none. For AG_SSH_OPTION_COMMAND and
 * AG_SSH_OPTION_REMOTE, *rest is the shell command.
 */
ag_ssh_option_kind ag_ssh_option_read(const char *value, size_t length, const char **rest);

/* What ag_ssh_option_next_argument() found. */
typedef enum ag_ssh_argument {
    AG_SSH_ARGUMENT_WORD,     /* an argument, copied to the output buffer */
    AG_SSH_ARGUMENT_END,      /* no more arguments, or a `#` comment */
    AG_SSH_ARGUMENT_INVALID   /* a quote without its pair: ssh rejects the line */
} ag_ssh_argument;

/*
 * Reads the next argument at *cursor into `out` and moves *cursor past it.
 * Arguments are split as OpenSSH's argv_split() splits them: blanks
 * separate them, `"` and `'` quote, and `\` escapes a quote, a backslash or
 * a blank. `out` needs room for strlen(*cursor) + 1 bytes.
 */
ag_ssh_argument ag_ssh_option_next_argument(const char **cursor, char *out, size_t *length);

#endif
