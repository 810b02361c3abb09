/*
 * The audit log that --audit FILE turns on: one JSON line per verdict,
 * written from the library's decision callback. docs/audit.md describes the
 * fields and the masking.
 *
 * Several hook processes may append to one file at once (Claude Code runs a
 * hook per tool call, and tool calls may run in parallel). Each line is built
 * in memory and written with write() on a descriptor opened with O_APPEND,
 * under an exclusive flock(), so lines never interleave even when a write is
 * split.
 */
#define _DEFAULT_SOURCE /* flock() */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Bytes of the masked input kept in the "input" field. */
#define AUDIT_INPUT_MAX_BYTES 1000

struct cli_audit {
    int fd;
    char *path;
    const char *policy_sha256;  /* owned by the policy */
    int write_errno;            /* 0, or the errno of the first line that could not be written */
    bool out_of_memory;
};

struct cli_audit *cli_audit_open(const char *subcommand, const char *path,
                                 const ag_policy *policy)
{
    struct cli_audit *audit = calloc(1, sizeof(*audit));
    char *path_copy = strdup(path);
    if (audit == NULL || path_copy == NULL) {
        fprintf(stderr, "agentguard %s: out of memory while opening the audit log\n", subcommand);
        free(audit);
        free(path_copy);
        return NULL;
    }

    /* 0600: the log records commands and their inputs, masked but still private. */
    audit->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (audit->fd < 0) {
        fprintf(stderr, "agentguard %s: cannot open the audit log '%s': %s; check the path "
                        "and its permissions\n", subcommand, path, strerror(errno));
        free(audit);
        free(path_copy);
        return NULL;
    }
    audit->path = path_copy;
    audit->policy_sha256 = ag_policy_digest(policy);
    return audit;
}

void cli_audit_close(struct cli_audit *audit)
{
    if (audit == NULL) {
        return;
    }
    close(audit->fd);
    free(audit->path);
    free(audit);
}

/*
 * Returns true when a line could not be written, after printing why on
 * standard error once. The caller then fails the request: an unrecorded
 * decision must not be acted on.
 */
bool cli_audit_failed(struct cli_audit *audit, const char *subcommand)
{
    if (audit == NULL || (audit->write_errno == 0 && !audit->out_of_memory)) {
        return false;
    }
    if (audit->out_of_memory) {
        fprintf(stderr, "agentguard %s: out of memory while writing the audit log '%s'\n",
                subcommand, audit->path);
    } else {
        fprintf(stderr, "agentguard %s: writing the audit log '%s' failed: %s\n", subcommand,
                audit->path, strerror(audit->write_errno));
    }
    return true;
}

/* Writes the current time as RFC 3339 UTC with milliseconds, "2024-05-01T12:00:00.123Z". */
static void format_time(char buffer[32])
{
    struct timespec now;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    size_t length = strftime(buffer, 32, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(buffer + length, 32 - length, ".%03ldZ", now.tv_nsec / 1000000);
}

/* Returns the length of the longest prefix of at most `limit` bytes that ends between UTF-8 sequences. */
static size_t truncation_point(const char *text, size_t length, size_t limit)
{
    if (length <= limit) {
        return length;
    }
    size_t cut = limit;
    /* Back up over continuation bytes (10xxxxxx), at most three, to a sequence start. */
    for (int i = 0; i < 3 && cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80; i++) {
        cut--;
    }
    return cut;
}

/* Returns the masked text of a verdict's reason as a JSON string, or NULL when out of memory. */
static json_t *masked_string(const char *text)
{
    if (text == NULL) {
        return json_null();
    }
    size_t length = 0;
    char *masked = cli_mask_secrets(text, strlen(text), &length);
    if (masked == NULL) {
        return NULL;
    }
    json_t *string = cli_json_string(masked, length);
    free(masked);
    return string;
}

/*
 * Adds "input_sha256", "input" and "input_truncated" for the text the
 * library checked: the tool input JSON, or the command text of `check`.
 */
static bool add_input(json_t *line, const char *tool_input_json, const char *command,
                      size_t command_length)
{
    const char *checked = tool_input_json != NULL ? tool_input_json : command;
    size_t checked_length = tool_input_json != NULL ? strlen(tool_input_json) : command_length;
    char digest[65];
    if (ag_sha256_hex(checked, checked_length, digest) != AG_OK) {
        return false;
    }

    size_t masked_length = 0;
    char *masked = tool_input_json != NULL
                       ? cli_mask_json_text(tool_input_json, &masked_length)
                       : cli_mask_secrets(command, command_length, &masked_length);
    if (masked == NULL) {
        return false;
    }
    size_t kept = truncation_point(masked, masked_length, AUDIT_INPUT_MAX_BYTES);
    json_t *input = cli_json_string(masked, kept);
    free(masked);

    return json_object_set_new(line, "input_sha256", json_string(digest)) == 0
           && json_object_set_new(line, "input", input) == 0
           && json_object_set_new(line, "input_truncated", json_boolean(kept < masked_length))
                  == 0;
}

/* Returns the audit line for one verdict as a JSON object, or NULL when out of memory. */
static json_t *build_line(const struct cli_audit *audit, const ag_verdict *verdict,
                          const char *tool_name, const char *tool_input_json,
                          const char *command, size_t command_length, const char *cwd)
{
    char time_text[32];
    format_time(time_text);

    json_t *line = json_object();
    if (line == NULL) {
        return NULL;
    }
    bool built = json_object_set_new(line, "time", json_string(time_text)) == 0
                 && json_object_set_new(line, "tool", cli_json_string_or_null(tool_name)) == 0
                 && add_input(line, tool_input_json, command, command_length)
                 && json_object_set_new(line, "cwd", cli_json_string_or_null(cwd)) == 0
                 && json_object_set_new(line, "decision",
                                        json_string(ag_decision_name(ag_verdict_decision(verdict))))
                        == 0
                 && json_object_set_new(line, "rule",
                                        cli_json_string_or_null(ag_verdict_rule(verdict))) == 0
                 && json_object_set_new(line, "source",
                                        cli_json_string_or_null(ag_verdict_source(verdict))) == 0
                 && json_object_set_new(line, "reason",
                                        masked_string(ag_verdict_reason(verdict))) == 0;

    ag_status error = ag_verdict_error(verdict);
    if (built && error != AG_OK) {
        built = json_object_set_new(line, "error", json_string(ag_status_name(error))) == 0;
    }
    if (built) {
        built = json_object_set_new(line, "policy_sha256",
                                    cli_json_string_or_null(audit->policy_sha256)) == 0;
    }
    if (!built) {
        json_decref(line);
        return NULL;
    }
    return line;
}

/* Appends `length` bytes as one record: a single write() unless the kernel splits it. */
static int append_locked(int fd, const char *text, size_t length)
{
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    int result = 0;
    size_t written = 0;
    while (written < length) {
        ssize_t count = write(fd, text + written, length - written);
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            result = errno;
            break;
        }
        written += (size_t)count;
    }
    flock(fd, LOCK_UN);
    return result;
}

/* The ag_decision_callback that writes one line; `user_data` is the struct cli_audit. */
static void record_decision(const ag_verdict *verdict, const char *tool_name,
                            const char *tool_input_json, const char *command,
                            size_t command_length, const char *cwd, void *user_data)
{
    struct cli_audit *audit = user_data;
    json_t *line = build_line(audit, verdict, tool_name, tool_input_json, command,
                              command_length, cwd);
    char *text = line != NULL ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (text == NULL) {
        audit->out_of_memory = true;
        return;
    }

    size_t length = strlen(text);
    text[length] = '\n'; /* replaces the NUL: the record is written by length */
    int result = append_locked(audit->fd, text, length + 1);
    if (result != 0 && audit->write_errno == 0) {
        audit->write_errno = result;
    }
    free(text);
}

/* Makes `checker` write a line to `audit` after each check. NULL `audit` does nothing. */
bool cli_audit_attach(struct cli_audit *audit, ag_checker *checker)
{
    if (audit == NULL) {
        return true;
    }
    return ag_checker_set_callback(checker, record_decision, audit) == AG_OK;
}
