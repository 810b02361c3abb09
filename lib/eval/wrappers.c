/*
 * The wrapper table: commands that run another command given in their
 * arguments. Each entry lists the wrapper's options, so unwrap.c can tell
 * where the inner command starts. An option missing from an entry makes the
 * wrapper opaque (the request asks), so a list that is too short fails
 * closed; a list that wrongly says an option takes no value would not.
 *
 * Option letters and names follow GNU coreutils 9, util-linux 2.39, sudo
 * 1.9, OpenBSD doas, GNU findutils 4.9 and GNU parallel.
 */
#include <string.h>

#include "eval/unwrap_internal.h"

static const ag_wrapper wrappers[] = {
    {.name = "sudo", .kind = AG_WRAPPER_PLAIN,
     .short_values = "aCcDgpRrTtUu", .short_flags = "ABbEHikNnPSs",
     .short_no_command = "eKlVvh",
     .long_values = "user group close-from chdir host prompt role type command-timeout "
                    "other-user chroot auth-type login-class preserve-env",
     .long_flags = "askpass background bell preserve-env preserve-groups set-home login "
                   "non-interactive reset-timestamp shell stdin",
     .long_no_command = "edit help list remove-timestamp validate version",
     .features = AG_WRAPPER_ASSIGNMENTS},
    {.name = "doas", .kind = AG_WRAPPER_PLAIN,
     .short_values = "au", .short_flags = "ns", .short_no_command = "CL"},
    {.name = "env", .kind = AG_WRAPPER_ENV,
     .short_values = "uCSa", .short_flags = "i0v",
     .long_values = "unset chdir split-string argv0 block-signal default-signal ignore-signal",
     .long_flags = "ignore-environment null debug list-signal-handling block-signal "
                   "default-signal ignore-signal",
     .long_no_command = "help version",
     .features = AG_WRAPPER_ASSIGNMENTS | AG_WRAPPER_DASH_OPTION},
    {.name = "timeout", .kind = AG_WRAPPER_PLAIN,
     .short_values = "sk", .short_flags = "fpv",
     .long_values = "signal kill-after", .long_flags = "foreground preserve-status verbose",
     .long_no_command = "help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "nice", .kind = AG_WRAPPER_PLAIN,
     .short_values = "n", .long_values = "adjustment", .long_no_command = "help version",
     .features = AG_WRAPPER_NUMERIC_OPTION},
    {.name = "ionice", .kind = AG_WRAPPER_PLAIN,
     .short_values = "cn", .short_flags = "t", .short_no_command = "pPuhV",
     .long_values = "class classdata", .long_flags = "ignore",
     .long_no_command = "pid pgid uid help version"},
    {.name = "nohup", .kind = AG_WRAPPER_PLAIN, .long_no_command = "help version"},
    {.name = "stdbuf", .kind = AG_WRAPPER_PLAIN,
     .short_values = "ioe", .long_values = "input output error",
     .long_no_command = "help version"},
    {.name = "time", .kind = AG_WRAPPER_PLAIN,
     .short_values = "fo", .short_flags = "pavq", .short_no_command = "V",
     .long_values = "format output", .long_flags = "append verbose portability quiet",
     .long_no_command = "help version"},
    {.name = "command", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "p", .short_no_command = "vV"},
    {.name = "builtin", .kind = AG_WRAPPER_PLAIN},
    {.name = "exec", .kind = AG_WRAPPER_PLAIN, .short_values = "a", .short_flags = "cl"},
    {.name = "setsid", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "cfw", .short_no_command = "hV",
     .long_flags = "ctty fork wait", .long_no_command = "help version"},
    {.name = "watch", .kind = AG_WRAPPER_WATCH,
     .short_values = "nq", .short_optional = "d", .short_flags = "tbegcpwrx",
     .short_no_command = "hv",
     .long_values = "interval equexit differences",
     .long_flags = "differences beep errexit chgexit color no-color exec precise no-title "
                   "no-wrap no-rerun",
     .long_no_command = "help version"},
    {.name = "flock", .kind = AG_WRAPPER_FLOCK,
     .short_values = "wE", .short_flags = "sexnuoF", .short_no_command = "hV",
     .long_values = "wait timeout conflict-exit-code",
     .long_flags = "shared exclusive unlock nonblock nb close no-fork verbose",
     .long_no_command = "help version", .operands = 1},
    {.name = "chrt", .kind = AG_WRAPPER_PLAIN,
     .short_values = "TPD", .short_flags = "bdfiorRav", .short_no_command = "pmhV",
     .long_values = "sched-runtime sched-period sched-deadline",
     .long_flags = "batch deadline fifo idle other rr reset-on-fork all-tasks verbose",
     .long_no_command = "pid max help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "taskset", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "ac", .short_no_command = "phV",
     .long_flags = "cpu-list all-tasks", .long_no_command = "pid help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "xargs", .kind = AG_WRAPPER_XARGS,
     .short_values = "IaLndPsE", .short_optional = "ile", .short_flags = "0rtpxo",
     .long_values = "arg-file delimiter max-args max-procs max-chars process-slot-var "
                    "eof replace max-lines",
     .long_flags = "null no-run-if-empty verbose interactive exit open-tty show-limits "
                   "eof replace max-lines",
     .long_no_command = "help version"},
    {.name = "parallel", .kind = AG_WRAPPER_PARALLEL,
     .short_values = "jNnLSaCdEIP", .short_flags = "0kquvXmt",
     .long_values = "jobs max-args max-lines sshlogin arg-file colsep delimiter eof tmpdir "
                    "results joblog timeout delay retries env workdir wd halt memfree load "
                    "tag-string",
     .long_flags = "keep-order quote null verbose ungroup group line-buffer tag dry-run "
                   "will-cite bar eta progress no-notice xargs pipe halt-on-error",
     .long_no_command = "help version number-of-cpus number-of-cores citation"},
    {.name = "find", .kind = AG_WRAPPER_FIND},
    {.name = "sh", .kind = AG_WRAPPER_SHELL},
    {.name = "bash", .kind = AG_WRAPPER_SHELL},
    {.name = "dash", .kind = AG_WRAPPER_SHELL},
    {.name = "zsh", .kind = AG_WRAPPER_SHELL},
    {.name = "ksh", .kind = AG_WRAPPER_SHELL},
    {.name = "mksh", .kind = AG_WRAPPER_SHELL},
    {.name = "ash", .kind = AG_WRAPPER_SHELL},
    {.name = "su", .kind = AG_WRAPPER_SU},
    {.name = "eval", .kind = AG_WRAPPER_EVAL},
    {.name = "ssh", .kind = AG_WRAPPER_SSH,
     .short_values = "BbcDEeFIiJLlmOoPpQRSWw", .short_flags = "46AaCfGgKkMNnqsTtvXxYy",
     .short_no_command = "V"},
};

bool ag_list_contains(const char *list, const char *name, size_t length)
{
    if (list == NULL || length == 0)
        return false;
    for (const char *item = list; *item != '\0';) {
        while (*item == ' ')
            item++;
        size_t item_length = strcspn(item, " ");
        if (item_length == length && memcmp(item, name, length) == 0)
            return true;
        item += item_length;
    }
    return false;
}

const ag_wrapper *ag_wrapper_find(const char *name, size_t length)
{
    for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++) {
        if (strlen(wrappers[i].name) == length && memcmp(wrappers[i].name, name, length) == 0)
            return &wrappers[i];
    }
    return NULL;
}

const char *ag_command_base_name(const ag_shell_command *command, size_t *length)
{
    if (command->word_count == 0 || command->words[0].dynamic)
        return NULL;
    const ag_shell_word *name = &command->words[0];
    size_t offset = 0;
    for (size_t i = 0; i < name->length; i++) {
        if (name->text[i] == '/')
            offset = i + 1;
    }
    *length = name->length - offset;
    return name->text + offset;
}
