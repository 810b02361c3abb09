/*
 * Tools whose options run a program: tar --to-command, rsync -e, make
 * --eval, npm exec, sort --compress-program, ... An allow rule such as
 * `Bash(tar *)` must not allow `tar --to-command='rm -rf ~'`, so such an
 * option gives the command AG_COMMAND_RUNS_CODE, and a value that is a shell
 * command is parsed so its commands meet the rules too.
 *
 * Option names follow GNU tar 1.35, rsync 3.2, GNU make 4.4, npm 10,
 * Info-ZIP zip 3.0, GNU coreutils 9 sort, curl 8, GNU wget 1.21, OpenSSH 9
 * scp and sftp, less 643, man-db 2.11 and Claude Code 2. Options are read
 * as getopt_long reads them, with abbreviations (options.c).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "effects/effects.h"
#include "eval/options.h"

#define END_OPTIONS {0, NULL, AG_TOOL_VALUE_NONE, AG_TOOL_OTHER}

static const ag_tool_option tar_options[] = {
    {0, "to-command", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'I', "use-compress-program", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'F', "info-script", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "new-volume-script", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {0, "rsh-command", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "checkpoint-action", AG_TOOL_VALUE_REQUIRED, AG_TOOL_TAR_ACTION},
    {0, "checkpoint", AG_TOOL_VALUE_OPTIONAL, AG_TOOL_OTHER},
    {'f', "file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'C', "directory", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'T', "files-from", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'X', "exclude-from", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "exclude", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'b', "blocking-factor", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'g', "listed-incremental", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'H', "format", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'V', "label", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'N', "newer", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

static const ag_tool_option rsync_options[] = {
    /* rsync runs these with the host and its own arguments appended. */
    {'e', "rsh", AG_TOOL_VALUE_REQUIRED, AG_TOOL_COMMAND},
    {0, "rsync-path", AG_TOOL_VALUE_REQUIRED, AG_TOOL_COMMAND},
    {'f', "filter", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'T', "temp-dir", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'B', "block-size", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "exclude", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "include", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

static const ag_tool_option make_options[] = {
    /* make syntax, whose recipes run through the shell. */
    {'E', "eval", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'f', "file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_MAKEFILE},
    {0, "makefile", AG_TOOL_VALUE_REQUIRED, AG_TOOL_MAKEFILE},
    {'C', "directory", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'I', "include-dir", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'o', "old-file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'W', "what-if", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

/* npm options that name a program, a config file or code, for every subcommand. */
static const ag_tool_option npm_options[] = {
    {0, "script-shell", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "shell", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "node-options", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "userconfig", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "globalconfig", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "init-module", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "editor", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "browser", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "git", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'c', "call", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    /* The package given here provides the program that runs. */
    {'p', "package", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "prefix", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {0, "registry", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'w', "workspace", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

static const ag_tool_option zip_options[] = {
    /* -TT, the short form, is two letters: see unwrap_zip(). */
    {0, "unzip-command", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    END_OPTIONS,
};

static const ag_tool_option sort_options[] = {
    {0, "compress-program", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'T', "temporary-directory", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'S', "buffer-size", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'o', "output", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'k', "key", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'t', "field-separator", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

/*
 * Claude Code's CLI (claude 2): these options start a nested agent whose
 * tools no rule of this policy checks, or one that loads other settings,
 * MCP servers, plugins or directories, so the request asks. A plain
 * `claude -p PROMPT` runs with the user's own settings and stays as the
 * rules decide.
 */
static const ag_tool_option claude_options[] = {
    {0, "dangerously-skip-permissions", AG_TOOL_VALUE_NONE, AG_TOOL_OPAQUE},
    {0, "allow-dangerously-skip-permissions", AG_TOOL_VALUE_NONE, AG_TOOL_OPAQUE},
    {0, "permission-mode", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PERMISSION_MODE},
    {0, "settings", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "setting-sources", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "mcp-config", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "plugin-dir", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "add-dir", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    /* Allow rules for the nested agent, and an MCP tool that answers its permission prompts. */
    {0, "allowedTools", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "allowed-tools", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "permission-prompt-tool", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    /*
     * Subagents defined in JSON, with their own prompts and tools. Subagent
     * files in .claude/agents may also set permissionMode, and whether
     * --agents reads that key was not confirmed, so it asks either way.
     */
    {0, "agents", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    END_OPTIONS,
};

static const ag_tool_option curl_options[] = {
    /* A config file can hold any option, including ones that write files. */
    {'K', "config", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    END_OPTIONS,
};

static const ag_tool_option wget_options[] = {
    /* -e runs a .wgetrc command, and a config file holds many of them. */
    {'e', "execute", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {0, "config", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    /* wget runs this program to prompt for the user name and password. */
    {0, "use-askpass", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    END_OPTIONS,
};

/* scp runs -S PROG in place of ssh, and -D PROG as a local sftp server. */
static const ag_tool_option scp_options[] = {
    {'S', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'D', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'o', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_SSH_OPTION},
    /* A configuration file can set ProxyCommand, as ssh -F can. */
    {'F', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {'c', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'i', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'J', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'l', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'P', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'X', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

/*
 * ssh-copy-id and autossh pass -o and -F to ssh, and autossh also -I, a
 * PKCS#11 library that ssh loads. autossh's own options (-M PORT) are left
 * out, and a word after the host is its remote command, which is not read
 * here.
 */
static const ag_tool_option ssh_front_end_options[] = {
    {'o', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_SSH_OPTION},
    {'F', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {'I', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'i', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'p', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'M', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

/*
 * sftp -D runs its value, split into words, as a local sftp server, and the
 * `!` lines of a -b batch file run local shell commands.
 */
static const ag_tool_option sftp_options[] = {
    {'D', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'S', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'b', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'o', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_SSH_OPTION},
    {'F', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OPAQUE},
    {'B', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'c', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'i', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'J', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'l', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'P', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'R', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'s', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'X', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

/*
 * A lesskey file can set LESSOPEN in its #env section, which less runs
 * through the shell for every file it opens, even with output to a pipe.
 * more is less on macOS, and pager is less on Debian when less is
 * installed and no other pager was chosen, so both read these options.
 */
static const ag_tool_option less_options[] = {
    {'k', "lesskey-file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "lesskey-src", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {0, "lesskey-content", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'b', "buffers", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'h', "max-back-scroll", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'j', "jump-target", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'o', "log-file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'O', "LOG-FILE", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'p', "pattern", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'P', "prompt", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'t', "tag", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'T', "tag-file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'x', "tabs", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'y', "max-forw-scroll", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'z', "window", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'D', "color", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'#', "shift", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

/*
 * man-db runs the -P pager and the -H browser, and a -C configuration file
 * can name both.
 */
static const ag_tool_option man_options[] = {
    {'P', "pager", AG_TOOL_VALUE_REQUIRED, AG_TOOL_SCRIPT},
    {'H', "html", AG_TOOL_VALUE_OPTIONAL, AG_TOOL_SCRIPT},
    {'C', "config-file", AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'M', "manpath", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'L', "locale", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'m', "systems", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'S', "sections", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'s', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'e', "extension", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'p', "preprocessor", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'R', "recode", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'E', "encoding", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'r', "prompt", AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'T', "troff-device", AG_TOOL_VALUE_OPTIONAL, AG_TOOL_OTHER},
    {'X', "gxditview", AG_TOOL_VALUE_OPTIONAL, AG_TOOL_OTHER},
    END_OPTIONS,
};

/*
 * ssh-add -s and -S and ssh-keygen -D and -w load a PKCS#11 or security key
 * provider, a shared library whose constructors run on this machine
 * (OpenSSH 9.2 ssh-add(1), ssh-keygen(1)). The other options that take a
 * value are listed so that their values are skipped.
 */
static const ag_tool_option ssh_add_options[] = {
    {'s', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'S', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'E', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'e', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'H', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'h', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'M', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'m', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'t', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

static const ag_tool_option ssh_keygen_options[] = {
    {'D', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'w', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_PROGRAM},
    {'C', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'E', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'F', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'I', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'M', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'N', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'O', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'P', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'R', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'V', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'Y', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'Z', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'a', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'b', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'f', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'g', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'j', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'m', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'n', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'r', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'s', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'t', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    {'z', NULL, AG_TOOL_VALUE_REQUIRED, AG_TOOL_OTHER},
    END_OPTIONS,
};

typedef struct tool {
    const char *name;           /* base name */
    const ag_tool_option *options;
} tool;

/* Sorted by name in strcmp() order, as ag_sorted_is_strict() checks. */
static const tool tools[] = {
    {"autossh", ssh_front_end_options},
    {"bsdtar", tar_options},
    {"claude", claude_options},
    {"curl", curl_options},
    {"gmake", make_options},
    {"gtar", tar_options},
    {"less", less_options},
    {"make", make_options},
    {"man", man_options},
    {"more", less_options},
    {"npm", npm_options},
    {"npx", npm_options},
    {"pager", less_options},
    {"rsync", rsync_options},
    {"scp", scp_options},
    {"sftp", sftp_options},
    {"sort", sort_options},
    {"ssh-add", ssh_add_options},
    {"ssh-copy-id", ssh_front_end_options},
    {"ssh-keygen", ssh_keygen_options},
    {"tar", tar_options},
    {"wget", wget_options},
    {"zip", zip_options},
};

AG_NAME_INDEX_DEFINE(find_tool_name, tools)

bool ag_tool_table_is_sorted(void)
{
    return ag_sorted_is_strict(tools, sizeof(tools) / sizeof(tools[0]), sizeof(tools[0]));
}

static bool word_is(const ag_shell_word *word, const char *text)
{
    return !word->dynamic && strcmp(word->text, text) == 0;
}

static bool name_is(const char *name, size_t length, const char *expected)
{
    return strlen(expected) == length && memcmp(name, expected, length) == 0;
}

/* Make variables that choose the shell or the makefiles, given as `NAME=value` operands. */
static void mark_make_variables(ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const char *text = command->words[i].text;
        size_t name_length = strcspn(text, "=");
        if (text[0] == '-' || text[name_length] != '=')
            continue;
        /* Any override can reach a recipe (`make CC='rm -rf ~'`), so a value
         * that could carry shell syntax counts as code; `make CFLAGS=-O2` does not. */
        const char *value = text + name_length + 1;
        if (ag_list_contains("SHELL .SHELLFLAGS MAKESHELL MAKEFLAGS MFLAGS MAKEFILES", text,
                             name_length)
            || command->words[i].dynamic
            || strpbrk(value, " \t\n;&|$()<>`\\\"'{}*?[~#") != NULL)
            command->flags |= AG_COMMAND_RUNS_CODE;
    }
}

/*
 * Returns whether `text` is a long option that less 590 reads as one of its
 * lesskey options although ag_options_apply() does not. less compares a
 * long name whose first letter is a capital in any case
 * (`--LESSKEY-SRC=FILE`, `--Lesskey-s FILE`), and takes any prefix. A prefix
 * of several options is taken as a lesskey option, which fails closed.
 */
static bool names_lesskey_caseless(const char *text)
{
    static const char *const names[] = {"lesskey-file", "lesskey-src", "lesskey-content"};
    if (text[0] != '-' || text[1] != '-' || !isupper((unsigned char)text[2]))
        return false;
    size_t length = strcspn(text + 2, "=");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (length <= strlen(names[i]) && strncasecmp(text + 2, names[i], length) == 0)
            return true;
    }
    return false;
}

/*
 * less runs a `+` word's commands as if typed at start, and its `!` and `|`
 * commands run shell commands.
 */
static void mark_less_commands(ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const char *text = command->words[i].text;
        if (text[0] == '+' && strpbrk(text, "!|") != NULL)
            command->flags |= AG_COMMAND_RUNS_CODE;
        if (names_lesskey_caseless(text))
            command->flags |= AG_COMMAND_RUNS_CODE;
    }
}

/* zip -TT CMD (also `-TTCMD` and `-TT=CMD`) tests the archive with CMD through the shell. */
static ag_status unwrap_zip(ag_checker *checker, ag_command_list *list, size_t index)
{
    for (size_t i = 1; i < list->items[index].word_count; i++) {
        const ag_shell_word *word = &list->items[index].words[i];
        if (word->text[0] != '-' || word->text[1] == '-' || strstr(word->text, "TT") == NULL)
            continue;
        list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        if (strcmp(word->text, "-TT") != 0 || i + 1 >= list->items[index].word_count)
            continue;
        ag_status status = ag_unwrap_append_script(checker, list, index, "zip",
                                                   &list->items[index].words[i + 1]);
        if (status != AG_OK)
            return status;
    }
    return ag_options_apply(checker, list, index, 1, zip_options, "zip");
}

/* Returns whether the scp option letter `letter` takes a value. */
static bool scp_option_takes_value(char letter)
{
    for (const ag_tool_option *option = scp_options; option->letter != 0; option++) {
        if (option->letter == letter)
            return option->value == AG_TOOL_VALUE_REQUIRED;
    }
    return false;
}

/*
 * Returns 1 when the first letter of the scp option word `text` that takes
 * a value is its last one (`-P`, `-rP`), so the value is the next word.
 * Returns 0 when there is none, or when the value follows in the word.
 */
static size_t skipped_scp_value(const char *text)
{
    for (size_t i = 1; text[i] != '\0'; i++) {
        if (scp_option_takes_value(text[i]))
            return text[i + 1] == '\0' ? 1 : 0;
    }
    return 0;
}

/*
 * Returns whether the remote shell may run a command from a remote scp
 * path. `(` also covers `$(`, and a part known only at run time may hold
 * any of these bytes.
 */
static bool remote_path_runs_code(const char *path)
{
    return strpbrk(path, ";&|`<>()\n") != NULL || strchr(path, AG_DYNAMIC_MARK) != NULL;
}

/*
 * Returns the path of an scp operand that names a remote file, or NULL for
 * a local one. scp's colon() takes the text after the first `:` that comes
 * before any `/`, outside a bracketed IPv6 address, and a leading `:` is
 * local.
 */
static const char *scp_remote_path(const char *text)
{
    bool bracket = false;
    if (text[0] == ':')
        return NULL;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '[' && (c == text || c[-1] == '@'))
            bracket = true;
        if (*c == ']' && c[1] == ':' && bracket)
            return c + 2;
        if (*c == ':' && !bracket)
            return c + 1;
        if (*c == '/')
            return NULL;
    }
    return NULL;
}

/*
 * scp before OpenSSH 9.0, and `scp -O` after it, sends a remote path to the
 * remote shell inside `scp -f PATH` or `scp -t PATH`. A path that may run
 * a command there (remote_path_runs_code()) counts as running code, and it
 * is parsed as the remote shell would parse it, so deny rules see its
 * commands. Globs, quotes and `~` stay allowed, because expanding remote
 * globs is what scp uses the remote shell for.
 */
static ag_status unwrap_scp_remote_paths(ag_checker *checker, ag_command_list *list,
                                         size_t index)
{
    bool options = true;
    for (size_t i = 1; i < list->items[index].word_count; i++) {
        const ag_shell_word *word = &list->items[index].words[i];
        if (options && word_is(word, "--")) {
            options = false;
            continue;
        }
        if (options && word->text[0] == '-' && word->length > 1) {
            i += skipped_scp_value(word->text);
            continue;
        }

        const char *path = scp_remote_path(word->text);
        if (path == NULL || !remote_path_runs_code(path))
            continue;
        list->items[index].flags |= AG_COMMAND_RUNS_CODE;
        ag_shell_word remote = *word;
        remote.text = path;
        remote.length = word->length - (size_t)(path - word->text);
        ag_status status = ag_unwrap_append_script(checker, list, index, "scp", &remote);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

/* Returns the index of npm's subcommand: its first operand, or the word count. */
static size_t npm_subcommand(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->text[0] != '-')
            return i;
        if (word->text[1] == '-' && strchr(word->text, '=') == NULL
            && ag_list_contains("--prefix --registry --workspace --userconfig --cache", word->text,
                                word->length))
            i++;
    }
    return command->word_count;
}

/*
 * Appends the command that npm exec or npx runs: the words after `--`, or
 * from the first operand on. An option before it that npm does not know
 * could take that word as its value; then a harmless value is checked as a
 * command, which can only ask.
 */
static ag_status append_npm_command(ag_checker *checker, ag_command_list *list, size_t index,
                                    size_t first, const char *wrapper_name)
{
    const ag_shell_command *command = &list->items[index];
    for (size_t i = first; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word_is(word, "--"))
            return ag_unwrap_append_words(checker, list, index, wrapper_name, word + 1,
                                          command->word_count - i - 1);
        if (word->text[0] != '-')
            return ag_unwrap_append_words(checker, list, index, wrapper_name, word,
                                          command->word_count - i);
        if (word->text[1] != '-' ? strchr("pcw", word->text[1]) != NULL && word->text[2] == '\0'
                                 : strchr(word->text, '=') == NULL
                                       && ag_list_contains("--package --call --workspace "
                                                           "--prefix --registry",
                                                           word->text, word->length))
            i++;  /* skips the option's value */
    }
    return AG_OK;
}

/*
 * Returns whether a `npm pkg set` or `pnpm pkg set` key names the scripts
 * or bin field. npm 10 trims the key with JavaScript's trim(), so blanks
 * before it are skipped, and a byte above 0x7f there may be a Unicode
 * blank, which is risky. npm reads a leading `[scripts]` or `["scripts"]`
 * as a literal key, because its bracket syntax needs a character before
 * the `[`, but pnpm 11 also reads a bracketed, quoted first key. So
 * brackets, quotes and blanks before the first key are skipped, and a
 * backslash anywhere in the key (an escape in a quoted key) is risky.
 */
static bool package_key_is_risky(const char *text)
{
    size_t key_length = strcspn(text, "=");
    if (memchr(text, '\\', key_length) != NULL)
        return true;
    while (*text != '\0' && strchr(" \t\n\v\f\r[\"'`", *text) != NULL)
        text++;
    if ((unsigned char)*text > 0x7f)
        return true;
    return strncmp(text, "scripts", 7) == 0 || strncmp(text, "bin", 3) == 0;
}

/* Returns whether a `npm pkg set` or `npm config set` operand sets a risky key. */
static bool npm_setting_is_risky(const ag_shell_word *word, bool package_json)
{
    const char *text = word->text;
    size_t key_length = strcspn(text, "=");
    if (word->dynamic)
        return true;
    if (package_json)
        return package_key_is_risky(text);
    /* pnpm runs the hooks of the pnpmfile and global-pnpmfile settings. */
    return ag_list_contains("script-shell shell node-options userconfig globalconfig "
                            "init-module editor browser git prefix pnpmfile global-pnpmfile",
                            text, key_length);
}

void ag_npm_settings_mark(ag_shell_command *command, size_t subcommand)
{
    const ag_shell_word *name = &command->words[subcommand];
    if (word_is(name, "set-script") || word_is(name, "edit")) {
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
        return;
    }
    bool package_json = word_is(name, "pkg");
    bool config = word_is(name, "config") || word_is(name, "c");
    size_t first = subcommand + 1;
    if (word_is(name, "set")) {
        config = true;
        first = subcommand;
    }
    if (!package_json && !config)
        return;
    if (first + 1 >= command->word_count)
        return;
    const ag_shell_word *action = &command->words[first];
    if (config && word_is(action, "edit")) {
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
        return;
    }
    if (!word_is(action, "set") && !word_is(action, "delete") && !action->dynamic)
        return;
    for (size_t i = first + 1; i < command->word_count; i++) {
        if (command->words[i].text[0] != '-'
            && npm_setting_is_risky(&command->words[i], package_json))
            command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
    }
}

static ag_status unwrap_npm(ag_checker *checker, ag_command_list *list, size_t index,
                            const char *name, size_t length)
{
    ag_status status = ag_options_apply(checker, list, index, 1, npm_options, "npm");
    if (status != AG_OK)
        return status;
    if (name_is(name, length, "npx"))
        return append_npm_command(checker, list, index, 1, "npx");

    ag_shell_command *command = &list->items[index];
    size_t subcommand = npm_subcommand(command);
    if (subcommand >= command->word_count)
        return AG_OK;
    if (command->words[subcommand].dynamic) {
        command->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    ag_npm_settings_mark(command, subcommand);
    /* npm 11 also takes `exe`, the shortest unique prefix of exec. */
    const ag_shell_word *verb = &command->words[subcommand];
    if (word_is(verb, "exec") || word_is(verb, "exe") || word_is(verb, "x"))
        return append_npm_command(checker, list, index, subcommand + 1, "npm");
    return AG_OK;
}

/*
 * A claude subcommand that changes what a later agent runs with, or that
 * runs tools without a permission check, and the flags that it gives.
 */
typedef struct claude_action {
    const char *group;     /* the subcommand, such as "config" */
    const char *actions;   /* its actions that count, separated by spaces */
    unsigned flags;
} claude_action;

/*
 * config set, add and remove, the plugin actions that install or switch a
 * plugin, and the changes to plugin marketplaces change the settings, hooks
 * and MCP servers of the next agent. `claude mcp serve` runs Claude Code's tools (Bash, Edit, ...) for
 * the MCP client on its stdin and leaves the permission checks to that
 * client, so whatever it runs is never checked here.
 */
static const claude_action claude_actions[] = {
    {"config", "set add remove", AG_COMMAND_UNSAFE_ENVIRONMENT},
    {"plugin", "install i uninstall remove enable disable update", AG_COMMAND_UNSAFE_ENVIRONMENT},
    {"marketplace", "add remove rm update", AG_COMMAND_UNSAFE_ENVIRONMENT},
    {"mcp", "serve", AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE},
};

/* Marks the claude_actions of the subcommand `group` that `action` may be. */
static void mark_claude_action(ag_shell_command *command, const char *group,
                               const ag_shell_word *action)
{
    for (size_t i = 0; i < sizeof(claude_actions) / sizeof(claude_actions[0]); i++) {
        const claude_action *known = &claude_actions[i];
        if (strcmp(group, known->group) != 0)
            continue;
        if (action->dynamic || ag_list_contains(known->actions, action->text, action->length))
            command->flags |= known->flags;
    }
}

/*
 * Marks the claude_actions where the effects table reads the words as
 * subcommands, after any prompt or options (claude --output-format json
 * config set). At each level, the action is the word that names a
 * subcommand of the table, or else the first operand (mcp serve). An
 * action known only at run time may be any of them. A prompt that
 * contains these words is one word.
 */
static void mark_claude_actions(const ag_checker *checker, ag_shell_command *command)
{
    const ag_effect_spec *level = ag_effects_table_find(checker->policy->effects, "claude");
    const ag_shell_word *words = command->words + 1;
    size_t count = command->word_count - 1;
    while (level != NULL) {
        size_t index = 0;
        const ag_effect_spec *subcommand = ag_effect_find_subcommand(level, words, count, &index);
        if (index >= count)
            return;
        mark_claude_action(command, level->name, &words[index]);
        words += index + 1;
        count -= index + 1;
        level = subcommand;
    }
}

static ag_status unwrap_tar(ag_checker *checker, ag_command_list *list, size_t index)
{
    size_t first = 1;
    const ag_shell_command *command = &list->items[index];
    /* `tar xf FILE`: a first word without a dash holds option letters. */
    if (command->word_count > 1 && command->words[1].text[0] != '-') {
        ag_status status = ag_options_apply_bundled(checker, list, index, 1, tar_options, "tar",
                                                    &first);
        if (status != AG_OK)
            return status;
    }
    return ag_options_apply(checker, list, index, first, tar_options, "tar");
}

ag_status ag_unwrap_tool(ag_checker *checker, ag_command_list *list, size_t index)
{
    size_t length = 0;
    const char *name = ag_command_base_name(&list->items[index], &length);
    if (name == NULL)
        return AG_OK;

    const tool *found = find_tool_name(name, length);
    if (found == NULL)
        return AG_OK;
    if (list->items[index].depth >= AG_UNWRAP_MAX_DEPTH) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;  /* too deep to check what it runs */
        return AG_OK;
    }
    if (found->options == tar_options)
        return unwrap_tar(checker, list, index);
    if (found->options == npm_options)
        return unwrap_npm(checker, list, index, name, length);
    if (found->options == zip_options)
        return unwrap_zip(checker, list, index);
    if (found->options == make_options)
        mark_make_variables(&list->items[index]);
    if (found->options == less_options)
        mark_less_commands(&list->items[index]);
    if (found->options == claude_options)
        mark_claude_actions(checker, &list->items[index]);
    if (found->options == scp_options) {
        ag_status status = unwrap_scp_remote_paths(checker, list, index);
        if (status != AG_OK)
            return status;
    }
    if (found->options == curl_options || found->options == wget_options)
        return ag_options_apply_static(checker, list, index, 1, found->options, name);
    return ag_options_apply(checker, list, index, 1, found->options, name);
}
