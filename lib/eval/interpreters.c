/*
 * Interpreters fed code: python -c, node -e, perl -e, awk programs that run
 * commands, sed scripts that execute or write files, an interpreter reading
 * its program from stdin, and git -c with a key that runs a program. Such a
 * command gets AG_COMMAND_RUNS_CODE, so only an allow rule without `*` that
 * matches it exactly can allow it. When unsure, these checks mark.
 *
 * Shells (sh -c, bash with a heredoc) are handled in unwrap.c, which also
 * parses the code they are given.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "eval/unwrap_internal.h"

/* How one interpreter takes code, a script, or option values. */
typedef struct ag_interpreter {
    const char *names;          /* space-separated base names, each also in code_names */
    const char *code_short;     /* option letters whose value is program text: python -c */
    const char *code_long;      /* long options whose value is program text: --eval */
    const char *value_short;    /* option letters that take a value, attached or separate */
    const char *value_long;     /* long options that take a separate value unless `=` is used */
    const char *script_short;   /* option letters whose value names the program: python -m */
    const char *code_modules;   /* values of script_short that run code from text or stdin */
    const char *info_words;     /* options that print information and exit: python --version */
    bool code_anywhere;         /* a code letter anywhere in a cluster counts (perl -lne) */
} ag_interpreter;

/*
 * python -m MODULE for these modules runs code given as text or read from
 * stdin (python -m timeit 'STATEMENT', python -m code), or debugs a script.
 */
static const char python_code_modules[] =
    "code timeit pdb ipdb IPython runpy trace cProfile profile idlelib asyncio";

/*
 * The info_words print a version or usage text and exit before any program
 * is read, even with no script: `ruby -v` and `lua -v` alone exit, while
 * `python -v` (verbose) would read stdin, so the lists differ. racket,
 * scala, tclsh and osascript have none here, because their version options
 * start a REPL or are not checked.
 */
static const ag_interpreter interpreters[] = {
    {.names = "python python2 python3 pypy pypy3", .code_short = "c", .value_short = "WX",
     .value_long = "check-hash-based-pycs", .script_short = "m",
     .code_modules = python_code_modules,
     .info_words = "-V -VV --version -h -? --help --help-env --help-xoptions --help-all"},
    {.names = "node nodejs bun", .code_short = "ep", .code_long = "eval print",
     .value_short = "rC",
     .value_long = "require import loader experimental-loader conditions input-type title",
     .info_words = "-v --version -h --help --v8-options"},
    {.names = "perl", .code_short = "eE", .value_short = "", .code_anywhere = true,
     .info_words = "-v -V --version -h --help"},
    {.names = "ruby", .code_short = "e", .value_short = "Ir", .code_anywhere = true,
     .info_words = "-v --version -h --help"},
    {.names = "php", .code_short = "rBRE", .value_short = "cdzt", .script_short = "f",
     .info_words = "-v --version -h --help -i --info -m --modules"},
    {.names = "lua luajit", .code_short = "e", .value_short = "l", .info_words = "-v"},
    {.names = "tclsh wish expect", .code_short = "c", .value_short = "f"},
    {.names = "Rscript", .code_short = "e", .info_words = "--version --help"},
    {.names = "R", .code_short = "e", .script_short = "f", .info_words = "--version -h --help"},
    {.names = "julia", .code_short = "eE", .code_long = "eval print",
     .value_short = "ptJCL", .value_long = "project threads procs sysimage load",
     .info_words = "-v --version -h --help"},
    {.names = "guile", .code_short = "ce", .value_short = "lLCx",
     .info_words = "-v --version -h --help"},
    {.names = "racket", .code_short = "eiI", .code_long = "eval repl",
     .value_short = "ftrlpk"},
    {.names = "elixir", .code_short = "e", .code_long = "eval", .value_short = "r",
     .value_long = "erl require pa pz", .info_words = "-v --version -h --help"},
    {.names = "scala", .code_short = "e"},
    {.names = "osascript", .code_short = "e", .value_short = "ls"},
    {.names = "tsx ts-node", .code_short = "ep", .code_long = "eval print",
     .value_short = "rPOC", .value_long = "require import tsconfig project compiler-options "
                                          "compiler loader"},
    {.names = "octave octave-cli", .code_long = "eval", .value_short = "p",
     .value_long = "path exec-path image-path info-file info-program"},
    {.names = "sbcl", .code_long = "eval",
     .value_long = "load core dynamic-space-size control-stack-size"},
};

/*
 * Programs whose code is harder to tell from their other arguments: any of
 * `code_words` (`*` at the end matches any rest) or any option cluster with
 * one of `code_letters`, anywhere in the command, means code. `always`
 * programs are REPLs or run functions by name; `stdin_code` ones read
 * commands from a heredoc, a here-string, a file or a pipe on stdin (ed's
 * `!`, sftp's `!`, psql's \!, mysql's system).
 */
typedef struct ag_code_tool {
    const char *names;          /* space-separated base names, each also in code_names */
    const char *code_words;
    const char *code_letters;
    const char *code_text;      /* substrings of any argument that run code, ignoring case */
    bool always;
    bool stdin_code;
} ag_code_tool;

static const ag_code_tool code_tools[] = {
    {.names = "erl irb ghci gdb", .always = true},
    {.names = "emacs emacsclient",
     .code_words = "--eval --eval=* -eval --batch -batch --script --script=* -script -x "
                   "-l --load --load=* -f --funcall --funcall=* --execute"},
    {.names = "vim vi nvim view vimdiff gvim rvim ex",
     .code_words = "--cmd +* -S -s -u -e -es -E -Es", .code_letters = "c", .stdin_code = true},
    {.names = "ed red", .stdin_code = true},
    {.names = "psql", .code_words = "--command --command=* --file --file=*",
     .code_letters = "cf", .stdin_code = true},
    {.names = "mysql mariadb", .code_words = "--execute --execute=* --init-command "
                                             "--init-command=*",
     .code_letters = "e", .stdin_code = true},
    /*
     * m4's syscmd() and esyscmd() run shell commands from any input, lldb's
     * `platform shell` and gnuplot's system() and `!` do so from their
     * command options and scripts, and duckdb's SQL reads and writes any
     * file (read_text(), COPY ... TO).
     */
    {.names = "m4 gm4 lldb gnuplot duckdb", .always = true},
    /* sftp and ftp run a `!` line of their commands on stdin as a local shell command. */
    {.names = "sftp ftp", .stdin_code = true},
    /* Their single-dash options (-cp PATH) are not read, so -e counts anywhere. */
    {.names = "groovy jrunscript", .code_words = "-e"},
    /*
     * socat's EXEC:COMMAND address runs COMMAND, and SYSTEM:COMMAND runs it
     * with /bin/sh. Address keywords are case-insensitive, so any argument
     * that contains one counts.
     */
    {.names = "socat", .code_text = "exec: system:"},
};

static bool contains_char(const char *set, char c)
{
    return set != NULL && c != '\0' && strchr(set, c) != NULL;
}

/* Returns whether `name` is python3.12 and the like. */
static bool is_versioned_python(const char *name, size_t length)
{
    static const char prefix[] = "python";
    size_t prefix_length = sizeof(prefix) - 1;
    if (length <= prefix_length || memcmp(name, prefix, prefix_length) != 0)
        return false;
    for (size_t i = prefix_length; i < length; i++) {
        if (!isdigit((unsigned char)name[i]) && name[i] != '.')
            return false;
    }
    return true;
}

/* Returns whether a script operand names stdin, so the program comes from there. */
static bool names_stdin(const char *text)
{
    return ag_list_contains("/dev/stdin /dev/fd/0 /proc/self/fd/0", text, strlen(text));
}

/* Returns whether `-m MODULE` (the value after letter j of `word`, or the next word) runs code. */
static bool runs_code_module(const ag_interpreter *interpreter, const ag_shell_command *command,
                             size_t i, size_t j)
{
    const ag_shell_word *word = &command->words[i];
    if (word->text[j + 1] != '\0')
        return ag_list_contains(interpreter->code_modules, word->text + j + 1,
                                word->length - j - 1);
    if (i + 1 >= command->word_count || command->words[i + 1].dynamic)
        return true;
    const ag_shell_word *module = &command->words[i + 1];
    return ag_list_contains(interpreter->code_modules, module->text, module->length);
}

bool ag_words_only_print_info(const ag_shell_command *command, const char *info_words)
{
    if (info_words == NULL || command->word_count < 2)
        return false;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic || !ag_list_contains(info_words, word->text, word->length))
            return false;
    }
    return true;
}

/*
 * Reads an interpreter's options. Returns the flags for code it is fed: a
 * code option, or a dynamic word before the script, gives
 * AG_COMMAND_RUNS_CODE; `-` or no script at all (the program comes from
 * stdin or is typed in) adds AG_COMMAND_STDIN_CODE. Only version and help
 * options give 0.
 */
static unsigned interpreter_code_flags(const ag_interpreter *interpreter,
                                       const ag_shell_command *command)
{
    const unsigned from_stdin = AG_COMMAND_RUNS_CODE | AG_COMMAND_STDIN_CODE;
    if (ag_words_only_print_info(command, interpreter->info_words))
        return 0;

    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (word->dynamic)
            return AG_COMMAND_RUNS_CODE;
        if (strcmp(text, "-") == 0)
            return from_stdin;
        if (strcmp(text, "--") == 0)
            return i + 1 >= command->word_count ? from_stdin : 0;
        if (text[0] != '-')
            return names_stdin(text) ? from_stdin : 0;  /* the script */

        if (text[1] == '-') {
            size_t name_length = strcspn(text + 2, "=");
            if (ag_list_contains(interpreter->code_long, text + 2, name_length))
                return AG_COMMAND_RUNS_CODE;
            if (text[2 + name_length] != '=' &&
                ag_list_contains(interpreter->value_long, text + 2, name_length))
                i++;
            continue;
        }
        for (size_t j = 1; text[j] != '\0'; j++) {
            if (contains_char(interpreter->code_short, text[j]))
                return AG_COMMAND_RUNS_CODE;
            if (interpreter->code_anywhere)
                continue;
            if (contains_char(interpreter->script_short, text[j]))
                return runs_code_module(interpreter, command, i, j) ? AG_COMMAND_RUNS_CODE : 0;
            if (contains_char(interpreter->value_short, text[j])) {
                if (text[j + 1] == '\0')
                    i++;
                break;
            }
        }
    }
    return from_stdin;
}

/* Returns whether `text` contains one of the space-separated `needles`, ignoring case. */
static bool contains_text(const char *text, const char *needles)
{
    for (const char *item = needles; item != NULL && *item != '\0';) {
        size_t item_length = strcspn(item, " ");
        for (const char *at = text; *at != '\0'; at++) {
            size_t k = 0;
            while (k < item_length && at[k] != '\0'
                   && tolower((unsigned char)at[k]) == tolower((unsigned char)item[k]))
                k++;
            if (k == item_length)
                return true;
        }
        item += item_length;
        item += strspn(item, " ");
    }
    return false;
}

/* Returns whether a code word, code letter or code text appears anywhere in the command. */
static bool has_code_word(const ag_code_tool *tool, const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (word->dynamic && text[0] == AG_DYNAMIC_MARK)
            return true;  /* may expand to a code option */
        if (ag_list_contains(tool->code_words, text, word->length))
            return true;
        for (const char *item = tool->code_words; item != NULL && *item != '\0';) {
            size_t item_length = strcspn(item, " ");
            if (item_length > 1 && item[item_length - 1] == '*'
                && strncmp(text, item, item_length - 1) == 0)
                return true;
            item += item_length;
            item += strspn(item, " ");
        }
        if (tool->code_letters != NULL && text[0] == '-' && text[1] != '-'
            && strpbrk(text + 1, tool->code_letters) != NULL)
            return true;
        if (contains_text(text, tool->code_text))
            return true;
    }
    return false;
}

/* Returns whether stdin is a heredoc, a here-string, a file or a pipe. */
static bool stdin_is_fed(const ag_shell_command *command)
{
    if (command->pipeline_position > 0)
        return true;
    for (size_t i = 0; i < command->redirect_count; i++) {
        const ag_shell_redirect *redirect = &command->redirects[i];
        if (redirect->fd > 0)
            continue;
        if (redirect->kind == AG_REDIRECT_READ || redirect->kind == AG_REDIRECT_READ_WRITE
            || redirect->kind == AG_REDIRECT_HEREDOC || redirect->kind == AG_REDIRECT_HERESTRING
            || (redirect->kind == AG_REDIRECT_DUPLICATE && redirect->op[0] == '<'))
            return true;
    }
    return false;
}

static bool code_tool_runs_code(const ag_code_tool *tool, const ag_shell_command *command)
{
    return tool->always || has_code_word(tool, command)
           || (tool->stdin_code && stdin_is_fed(command));
}

/* ------------------------------------------------------------------ awk */

/*
 * Returns whether an awk program could run a command, write a file or read
 * a file its operands do not name. That is system(), a pipe (`|`, `|&`,
 * `| getline`), output redirection after print or printf, getline from a
 * file, gawk's @load and @include, or any use of ARGV or ARGC, because a
 * program that changes them picks its input files at run time. `||` is
 * only logical or. A `>` is counted whenever the program prints, since
 * telling a comparison from a redirection needs a parser.
 */
static bool awk_program_is_risky(const ag_shell_word *program)
{
    const char *text = program->text;
    if (program->dynamic || strstr(text, "system") != NULL || strstr(text, "getline") != NULL
        || strchr(text, '@') != NULL || strstr(text, "ARGV") != NULL
        || strstr(text, "ARGC") != NULL)
        return true;
    for (size_t i = 0; i < program->length; i++) {
        if (text[i] != '|')
            continue;
        if (text[i + 1] == '|') {
            i++;
            continue;
        }
        return true;
    }
    return strstr(text, "print") != NULL && strchr(text, '>') != NULL;
}

/* Reads awk's options; a program from a file (-f) or an unknown option counts as risky. */
static bool awk_runs_code(const ag_shell_command *command)
{
    bool has_program = false;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (word->dynamic)
            return true;
        if (strcmp(text, "--") == 0) {
            if (!has_program && i + 1 < command->word_count)
                return awk_program_is_risky(&command->words[i + 1]);
            return !has_program;
        }
        if (text[0] != '-' || text[1] == '\0')
            return has_program ? false : awk_program_is_risky(word);

        char option = text[1];
        bool separate = text[2] == '\0';
        if ((option == 'e' && separate) || strcmp(text, "--source") == 0) {
            if (i + 1 >= command->word_count || awk_program_is_risky(&command->words[i + 1]))
                return true;
            has_program = true;
            i++;
        } else if (strncmp(text, "--source=", 9) == 0) {
            ag_shell_word source = *word;
            source.text = text + 9;
            source.length = word->length - 9;
            if (awk_program_is_risky(&source))
                return true;
            has_program = true;
        } else if (option == 'F' || option == 'v') {
            if (separate)
                i++;
        } else if (strncmp(text, "--field-separator", 17) == 0
                   || strncmp(text, "--assign", 8) == 0) {
            if (strchr(text, '=') == NULL)
                i++;
        } else {
            return true;  /* -f FILE, -i, -l, -E, or an option not listed here */
        }
    }
    return !has_program;
}

/* ------------------------------------------------------------------ sed */

typedef struct sed_cursor {
    const char *text;
    size_t length;
    size_t at;
} sed_cursor;

static char sed_peek(const sed_cursor *cursor)
{
    return cursor->at < cursor->length ? cursor->text[cursor->at] : '\0';
}

/* Skips past the next unescaped `delimiter`; returns false when there is none. */
static bool sed_skip_delimited(sed_cursor *cursor, char delimiter)
{
    while (cursor->at < cursor->length) {
        char c = cursor->text[cursor->at++];
        if (c == '\\')
            cursor->at++;
        else if (c == delimiter)
            return true;
    }
    return false;
}

static void sed_skip_to_line_end(sed_cursor *cursor)
{
    while (cursor->at < cursor->length && cursor->text[cursor->at] != '\n') {
        if (cursor->text[cursor->at] == '\\')
            cursor->at++;
        cursor->at++;
    }
}

static void sed_skip_label(sed_cursor *cursor)
{
    while (cursor->at < cursor->length && cursor->text[cursor->at] != '\n'
           && cursor->text[cursor->at] != ';')
        cursor->at++;
}

static bool sed_skip_address_part(sed_cursor *cursor)
{
    char c = sed_peek(cursor);
    if (isdigit((unsigned char)c) || c == '+' || c == '~') {
        cursor->at++;
        while (isdigit((unsigned char)sed_peek(cursor)) || sed_peek(cursor) == '~')
            cursor->at++;
    } else if (c == '$') {
        cursor->at++;
    } else if (c == '/' || c == '\\') {
        cursor->at++;
        char delimiter = '/';
        if (c == '\\') {
            delimiter = sed_peek(cursor);
            cursor->at++;
        }
        if (!sed_skip_delimited(cursor, delimiter))
            return false;
        while (sed_peek(cursor) == 'I' || sed_peek(cursor) == 'M')
            cursor->at++;
    }
    return true;
}

/* Reads an s or y command after its letter; returns whether it executes or writes. */
static bool sed_substitution_is_risky(sed_cursor *cursor, bool has_flags)
{
    char delimiter = sed_peek(cursor);
    if (delimiter == '\0' || delimiter == '\n' || delimiter == '\\')
        return true;
    cursor->at++;
    if (!sed_skip_delimited(cursor, delimiter) || !sed_skip_delimited(cursor, delimiter))
        return true;
    while (has_flags && cursor->at < cursor->length) {
        char flag = cursor->text[cursor->at];
        if (flag == 'e' || flag == 'w')
            return true;
        if (!isdigit((unsigned char)flag) && !contains_char("gpiImM", flag))
            break;
        cursor->at++;
    }
    return false;
}

/*
 * Returns whether a sed script could run a command (`e`, `s///e`), write a
 * file (`w`, `W`, `s///w`) or read one (`r`, `R`). A command this parser
 * does not know counts as risky.
 */
static bool sed_script_is_risky(const ag_shell_word *script)
{
    if (script->dynamic)
        return true;
    sed_cursor cursor = {script->text, script->length, 0};
    for (;;) {
        while (cursor.at < cursor.length && (isspace((unsigned char)sed_peek(&cursor))
                                             || contains_char(";{}!", sed_peek(&cursor))))
            cursor.at++;
        if (cursor.at >= cursor.length)
            return false;
        if (sed_peek(&cursor) == '#') {
            sed_skip_to_line_end(&cursor);
            continue;
        }
        if (!sed_skip_address_part(&cursor))
            return true;
        if (sed_peek(&cursor) == ',') {
            cursor.at++;
            if (!sed_skip_address_part(&cursor))
                return true;
        }
        while (sed_peek(&cursor) == ' ' || sed_peek(&cursor) == '!')
            cursor.at++;

        char command = sed_peek(&cursor);
        cursor.at++;
        if (command == 's' || command == 'y') {
            if (sed_substitution_is_risky(&cursor, command == 's'))
                return true;
        } else if (contains_char("rR", command)) {
            /* r FILE and R FILE read a file that the effects do not list. */
            return true;
        } else if (contains_char("aic", command)) {
            sed_skip_to_line_end(&cursor);
        } else if (contains_char("btTv:", command)) {
            sed_skip_label(&cursor);
        } else if (contains_char("qQlL", command)) {
            while (isdigit((unsigned char)sed_peek(&cursor)))
                cursor.at++;
        } else if (command == '{' || command == '}' || command == ';') {
            continue;
        } else if (!contains_char("=dDgGhHnNpPxzF", command)) {
            return true;  /* e, w, W, or a command not known here */
        }
    }
}

/*
 * Returns whether an option cluster has only flags whose writes the
 * effects table records: a trailing -i writes the input files
 * (writes-operands).
 * Letters after -i are a backup suffix, whose file no effect shows.
 */
static bool sed_cluster_is_plain(const char *text)
{
    size_t flags = strspn(text + 1, "nErsuz") + 1;
    if (text[flags] == '\0')
        return true;
    return text[flags] == 'i' && text[flags + 1] == '\0';
}

/* Reads sed's options: in-place editing, a script file or an unknown option count as risky. */
static bool sed_runs_code(const ag_shell_command *command)
{
    bool has_script = false;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (word->dynamic)
            return true;
        if (text[0] != '-' || text[1] == '\0') {
            if (has_script)
                continue;  /* an input file */
            if (sed_script_is_risky(word))
                return true;
            has_script = true;
            continue;
        }
        if (strcmp(text, "-e") == 0 || strcmp(text, "--expression") == 0) {
            if (i + 1 >= command->word_count || sed_script_is_risky(&command->words[i + 1]))
                return true;
            has_script = true;
            i++;
        } else if (strncmp(text, "--expression=", 13) == 0) {
            ag_shell_word script = *word;
            script.text = text + 13;
            script.length = word->length - 13;
            if (sed_script_is_risky(&script))
                return true;
            has_script = true;
        } else if (strcmp(text, "-l") == 0) {
            i++;
        } else if (text[1] == '-') {
            if (strcmp(text, "--in-place") == 0)
                continue;
            if (!ag_list_contains("quiet silent debug posix sandbox follow-symlinks separate "
                                  "unbuffered null-data zero-terminated regexp-extended "
                                  "line-length",
                                  text + 2, strcspn(text + 2, "=")))
                return true;  /* --in-place=SUFFIX, --file, or unknown */
        } else if (!sed_cluster_is_plain(text)) {
            return true;  /* -iSUFFIX, -f, -e inside a cluster, or an unknown letter */
        }
    }
    return false;
}

/* ------------------------------------------------------------------ git */

/* Lower-cased config keys whose value runs a program or changes which one runs; `*` is any text. */
static const char *const risky_git_keys[] = {
    "core.pager", "core.sshcommand", "core.editor", "core.hookspath", "core.fsmonitor",
    "core.askpass", "core.gitproxy", "core.alternaterefscommand", "alias.*",
    "diff.external", "diff.*.textconv", "diff.*.command", "merge.*.driver", "filter.*",
    "credential.helper", "credential.*.helper", "sequence.editor",
    "uploadpack.packobjectshook", "protocol.allow", "protocol.*.allow", "pager.*",
    "gpg.program", "gpg.*.program", "include.path", "includeif.*", "remote.*.uploadpack",
    "remote.*.receivepack", "interactive.difffilter", "sendemail.*",
    "difftool.*.cmd", "difftool.*.path", "mergetool.*.cmd", "mergetool.*.path",
    "trailer.*.command", "trailer.*.cmd", "gpg.ssh.defaultkeycommand", "browser.*.cmd",
    "browser.*.path", "web.browser", "man.*.cmd", "man.*.path", "man.viewer", "ssh.variant",
    "submodule.*.update", "tar.*.command", "imap.tunnel", "guitool.*.cmd", "instaweb.*",
    "remote.*.vcs", "init.templatedir",
};

static bool glob_matches(const char *pattern, const char *text, size_t length)
{
    if (*pattern == '\0')
        return length == 0;
    if (*pattern == '*') {
        for (size_t skip = 0; skip <= length; skip++) {
            if (glob_matches(pattern + 1, text + skip, length - skip))
                return true;
        }
        return false;
    }
    return length > 0 && tolower((unsigned char)*text) == *pattern
           && glob_matches(pattern + 1, text + 1, length - 1);
}

bool ag_git_key_is_risky(const char *text)
{
    size_t length = strcspn(text, "=");
    if (memchr(text, AG_DYNAMIC_MARK, length) != NULL)
        return true;
    for (size_t i = 0; i < sizeof(risky_git_keys) / sizeof(risky_git_keys[0]); i++) {
        if (glob_matches(risky_git_keys[i], text, length))
            return true;
    }
    return false;
}

/* Reads git's global options, before the subcommand. */
static bool git_runs_code(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *text = word->text;
        if (word->dynamic && (text[0] == AG_DYNAMIC_MARK || text[0] == '-'))
            return true;
        if (text[0] != '-')
            return false;  /* the subcommand */
        if (strcmp(text, "-c") == 0 || strcmp(text, "--config-env") == 0) {
            if (i + 1 >= command->word_count)
                return false;
            const ag_shell_word *setting = &command->words[++i];
            if (ag_git_key_is_risky(setting->text))
                return true;
        } else if (strncmp(text, "--config-env=", 13) == 0) {
            if (ag_git_key_is_risky(text + 13))
                return true;
        } else if (strncmp(text, "--exec-path=", 12) == 0) {
            return true;  /* git runs its subcommands from this directory */
        } else if (ag_list_contains("-C --git-dir --work-tree --namespace --super-prefix",
                                    text, word->length)) {
            i++;
        }
    }
    return false;
}

/* ------------------------------------------------------------------- dc */

/*
 * GNU dc runs the rest of a line after `!` as a shell command, and `!` also
 * starts its negated comparisons, so any `!` counts. dc runs the code of
 * every file operand and of stdin, which is not read here, so only `-e
 * EXPRESSION` words without `!` leave dc unmarked.
 */
static bool dc_runs_code(const ag_shell_command *command)
{
    if (command->word_count < 2)
        return true;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *expression = NULL;
        if (strcmp(word->text, "-e") == 0 || strcmp(word->text, "--expression") == 0)
            expression = ++i < command->word_count ? command->words[i].text : NULL;
        else if (strncmp(word->text, "--expression=", 13) == 0)
            expression = word->text + 13;
        else if (strncmp(word->text, "-e", 2) == 0)
            expression = word->text + 2;
        if (expression == NULL || command->words[i].dynamic || strchr(expression, '!') != NULL)
            return true;
    }
    return false;
}

/* -------------------------------------------------------------- sqlite3 */

/*
 * SQL names that reach other files or run programs in the sqlite3 shell
 * (3.40): readfile(), writefile(), the fsdir and zipfile tables, edit(),
 * which runs an editor, load_extension(), ATTACH of any database file and
 * VACUUM INTO a new one. They are matched as whole words without case,
 * also inside string literals, which can only mark more.
 */
static const char sqlite_code_words[] =
    "readfile writefile fsdir zipfile edit load_extension attach vacuum";

/*
 * Dot-commands that only print or set the output format. Any other one
 * (.shell, .system, .output, .once, .import, .read, .open, .load, .cd,
 * .backup, .archive, ...) reaches files or runs programs. The shell also
 * takes an abbreviation (`.sh`), which is not on this list and so counts.
 */
static const char sqlite_harmless_dot_commands[] =
    "tables schema fullschema indexes indices databases dump headers header mode help show "
    "width nullvalue separator timer stats dbinfo changes print quit exit bail echo eqp "
    "explain lint prompt timeout version";

/* Options whose value is the next word; -cmd and -init are read as code instead. */
static const char sqlite_value_options[] =
    "separator newline nullvalue vfs mmap maxsize nonce heap escape lookaside pagecache";

static bool is_sql_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Returns whether SQL text holds one of sqlite_code_words. */
static bool sql_has_code_word(const char *text, size_t length)
{
    char lower[32];
    for (size_t i = 0; i < length;) {
        if (!is_sql_word_char(text[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < length && is_sql_word_char(text[i]))
            i++;
        size_t word_length = i - start;
        if (word_length >= sizeof(lower))
            continue;
        for (size_t k = 0; k < word_length; k++)
            lower[k] = (char)tolower((unsigned char)text[start + k]);
        if (ag_list_contains(sqlite_code_words, lower, word_length))
            return true;
    }
    return false;
}

/* Returns whether an SQL or dot-command operand reaches other files or runs a program. */
static bool sqlite_operand_runs_code(const ag_shell_word *word)
{
    const char *text = word->text + strspn(word->text, " \t\n");
    if (word->dynamic)
        return true;
    if (text[0] != '.')
        return sql_has_code_word(text, strlen(text));
    size_t name_length = strcspn(text + 1, " \t\n");
    return !ag_list_contains(sqlite_harmless_dot_commands, text + 1, name_length);
}

/*
 * sqlite3 [OPTIONS] DATABASE [SQL...]: each operand after the database is
 * SQL or a dot-command. -cmd and -init give more of them, -A works on
 * archive files, and a heredoc, a here-string, a file or a pipe on stdin
 * gives commands that are not read here.
 */
static bool sqlite_runs_code(const ag_shell_command *command)
{
    if (stdin_is_fed(command))
        return true;
    bool database_seen = false;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        const char *option = word->text[0] == '-' && word->text[1] == '-' ? word->text + 1
                                                                          : word->text;
        if (word->dynamic && word->text[0] == AG_DYNAMIC_MARK)
            return true;  /* may expand to an option */
        if (option[0] == '-') {
            if (strcmp(option, "-cmd") == 0 || strcmp(option, "-init") == 0
                || option[1] == 'A' || strcmp(option, "-archive") == 0)
                return true;
            if (ag_list_contains(sqlite_value_options, option + 1, strlen(option + 1)))
                i++;
            continue;
        }
        if (database_seen && sqlite_operand_runs_code(word))
            return true;
        database_seen = true;
    }
    return false;
}

/* What a name in code_names stands for. */
typedef enum ag_code_kind {
    CODE_INTERPRETER,
    CODE_TOOL,
    CODE_AWK,
    CODE_SED,
    CODE_GIT,
    CODE_DENO,
    CODE_DC,
    CODE_SQLITE
} ag_code_kind;

typedef struct ag_code_name {
    const char *name;
    ag_code_kind kind;
    const ag_interpreter *interpreter;  /* for CODE_INTERPRETER */
    const ag_code_tool *tool;           /* for CODE_TOOL */
} ag_code_name;

/*
 * Every name of interpreters[] and code_tools[], and awk, sed, git and deno,
 * sorted in strcmp() order for ag_sorted_find(). Searching it in place of
 * scanning each entry's `names` list cut ag_interpreter_mark() from 20.6M to
 * 2.9M instructions over 6,000 checks of real agent commands (callgrind,
 * release build). ag_interpreter_index_is_consistent() checks it against the
 * lists, so a name added to a list and not here fails the tests.
 */
static const ag_code_name code_names[] = {
    {"R", CODE_INTERPRETER, &interpreters[8], NULL},
    {"Rscript", CODE_INTERPRETER, &interpreters[7], NULL},
    {"awk", CODE_AWK, NULL, NULL},
    {"bun", CODE_INTERPRETER, &interpreters[1], NULL},
    {"busybox-awk", CODE_AWK, NULL, NULL},
    {"dc", CODE_DC, NULL, NULL},
    {"deno", CODE_DENO, NULL, NULL},
    {"duckdb", CODE_TOOL, NULL, &code_tools[6]},
    {"ed", CODE_TOOL, NULL, &code_tools[3]},
    {"elixir", CODE_INTERPRETER, &interpreters[12], NULL},
    {"emacs", CODE_TOOL, NULL, &code_tools[1]},
    {"emacsclient", CODE_TOOL, NULL, &code_tools[1]},
    {"erl", CODE_TOOL, NULL, &code_tools[0]},
    {"ex", CODE_TOOL, NULL, &code_tools[2]},
    {"expect", CODE_INTERPRETER, &interpreters[6], NULL},
    {"ftp", CODE_TOOL, NULL, &code_tools[7]},
    {"gawk", CODE_AWK, NULL, NULL},
    {"gdb", CODE_TOOL, NULL, &code_tools[0]},
    {"ghci", CODE_TOOL, NULL, &code_tools[0]},
    {"git", CODE_GIT, NULL, NULL},
    {"gm4", CODE_TOOL, NULL, &code_tools[6]},
    {"gnuplot", CODE_TOOL, NULL, &code_tools[6]},
    {"groovy", CODE_TOOL, NULL, &code_tools[8]},
    {"gsed", CODE_SED, NULL, NULL},
    {"guile", CODE_INTERPRETER, &interpreters[10], NULL},
    {"gvim", CODE_TOOL, NULL, &code_tools[2]},
    {"irb", CODE_TOOL, NULL, &code_tools[0]},
    {"jrunscript", CODE_TOOL, NULL, &code_tools[8]},
    {"julia", CODE_INTERPRETER, &interpreters[9], NULL},
    {"lldb", CODE_TOOL, NULL, &code_tools[6]},
    {"lua", CODE_INTERPRETER, &interpreters[5], NULL},
    {"luajit", CODE_INTERPRETER, &interpreters[5], NULL},
    {"m4", CODE_TOOL, NULL, &code_tools[6]},
    {"mariadb", CODE_TOOL, NULL, &code_tools[5]},
    {"mawk", CODE_AWK, NULL, NULL},
    {"mysql", CODE_TOOL, NULL, &code_tools[5]},
    {"nawk", CODE_AWK, NULL, NULL},
    {"node", CODE_INTERPRETER, &interpreters[1], NULL},
    {"nodejs", CODE_INTERPRETER, &interpreters[1], NULL},
    {"nvim", CODE_TOOL, NULL, &code_tools[2]},
    {"octave", CODE_INTERPRETER, &interpreters[16], NULL},
    {"octave-cli", CODE_INTERPRETER, &interpreters[16], NULL},
    {"osascript", CODE_INTERPRETER, &interpreters[14], NULL},
    {"perl", CODE_INTERPRETER, &interpreters[2], NULL},
    {"php", CODE_INTERPRETER, &interpreters[4], NULL},
    {"psql", CODE_TOOL, NULL, &code_tools[4]},
    {"pypy", CODE_INTERPRETER, &interpreters[0], NULL},
    {"pypy3", CODE_INTERPRETER, &interpreters[0], NULL},
    {"python", CODE_INTERPRETER, &interpreters[0], NULL},
    {"python2", CODE_INTERPRETER, &interpreters[0], NULL},
    {"python3", CODE_INTERPRETER, &interpreters[0], NULL},
    {"racket", CODE_INTERPRETER, &interpreters[11], NULL},
    {"red", CODE_TOOL, NULL, &code_tools[3]},
    {"ruby", CODE_INTERPRETER, &interpreters[3], NULL},
    {"rvim", CODE_TOOL, NULL, &code_tools[2]},
    {"sbcl", CODE_INTERPRETER, &interpreters[17], NULL},
    {"scala", CODE_INTERPRETER, &interpreters[13], NULL},
    {"sed", CODE_SED, NULL, NULL},
    {"sftp", CODE_TOOL, NULL, &code_tools[7]},
    {"socat", CODE_TOOL, NULL, &code_tools[9]},
    {"sqlite3", CODE_SQLITE, NULL, NULL},
    {"tclsh", CODE_INTERPRETER, &interpreters[6], NULL},
    {"ts-node", CODE_INTERPRETER, &interpreters[15], NULL},
    {"tsx", CODE_INTERPRETER, &interpreters[15], NULL},
    {"vi", CODE_TOOL, NULL, &code_tools[2]},
    {"view", CODE_TOOL, NULL, &code_tools[2]},
    {"vim", CODE_TOOL, NULL, &code_tools[2]},
    {"vimdiff", CODE_TOOL, NULL, &code_tools[2]},
    {"wish", CODE_INTERPRETER, &interpreters[6], NULL},
};

/* Returns whether `name` of `length` bytes equals `entry` with ASCII case folded. */
static bool equal_caseless(const char *entry, const char *name, size_t length)
{
    return strlen(entry) == length && strncasecmp(entry, name, length) == 0;
}

/*
 * Entries that start with an uppercase letter (R, Rscript, sorted first)
 * also match their names in any case: on a case-insensitive file system
 * `rscript` and `RSCRIPT` run Rscript, and command.c only adds a lowercase
 * copy of a name.
 */
AG_NAME_INDEX_DEFINE(find_code_name_exact, code_names)

static const ag_code_name *find_code_name(const char *name, size_t length)
{
    size_t count = sizeof(code_names) / sizeof(code_names[0]);
    const ag_code_name *found = find_code_name_exact(name, length);
    for (size_t i = 0; found == NULL && i < count && code_names[i].name[0] < 'a'; i++) {
        if (equal_caseless(code_names[i].name, name, length))
            found = &code_names[i];
    }
    return found;
}

/* Returns whether `entry` is the index entry for `name` of the given kind and table entry. */
static bool index_entry_is(const ag_code_name *entry, ag_code_kind kind,
                           const ag_interpreter *interpreter, const ag_code_tool *tool)
{
    return entry != NULL && entry->kind == kind && entry->interpreter == interpreter
           && entry->tool == tool;
}

/* Returns whether each name of the space-separated `names` leads to the given entry. */
static bool names_indexed(const char *names, ag_code_kind kind, const ag_interpreter *interpreter,
                          const ag_code_tool *tool, size_t *seen)
{
    for (const char *item = names; *item != '\0';) {
        size_t length = strcspn(item, " ");
        if (!index_entry_is(find_code_name(item, length), kind, interpreter, tool))
            return false;
        (*seen)++;
        item += length;
        item += strspn(item, " ");
    }
    return true;
}

bool ag_interpreter_index_is_consistent(void)
{
    size_t count = sizeof(code_names) / sizeof(code_names[0]);
    if (!ag_sorted_is_strict(code_names, count, sizeof(code_names[0])))
        return false;

    /* Every listed name leads to its entry, and the index contains no other name. */
    size_t seen = 0;
    for (size_t i = 0; i < sizeof(interpreters) / sizeof(interpreters[0]); i++) {
        if (!names_indexed(interpreters[i].names, CODE_INTERPRETER, &interpreters[i], NULL, &seen))
            return false;
    }
    for (size_t i = 0; i < sizeof(code_tools) / sizeof(code_tools[0]); i++) {
        if (!names_indexed(code_tools[i].names, CODE_TOOL, NULL, &code_tools[i], &seen))
            return false;
    }
    return names_indexed("awk gawk mawk nawk busybox-awk", CODE_AWK, NULL, NULL, &seen)
           && names_indexed("sed gsed", CODE_SED, NULL, NULL, &seen)
           && names_indexed("git", CODE_GIT, NULL, NULL, &seen)
           && names_indexed("deno", CODE_DENO, NULL, NULL, &seen)
           && names_indexed("dc", CODE_DC, NULL, NULL, &seen)
           && names_indexed("sqlite3", CODE_SQLITE, NULL, NULL, &seen) && seen == count;
}

void ag_interpreter_mark(ag_shell_command *command)
{
    size_t length = 0;
    const char *name = ag_command_base_name(command, &length);
    if (name == NULL)
        return;

    bool runs_code = false;
    const ag_code_name *entry = find_code_name(name, length);
    if (entry == NULL) {
        if (is_versioned_python(name, length))
            command->flags |= interpreter_code_flags(&interpreters[0], command);
    } else if (entry->kind == CODE_INTERPRETER) {
        command->flags |= interpreter_code_flags(entry->interpreter, command);
    } else if (entry->kind == CODE_TOOL) {
        runs_code = code_tool_runs_code(entry->tool, command);
    } else if (entry->kind == CODE_AWK) {
        runs_code = awk_runs_code(command);
    } else if (entry->kind == CODE_SED) {
        runs_code = sed_runs_code(command);
    } else if (entry->kind == CODE_GIT) {
        runs_code = git_runs_code(command);
    } else if (entry->kind == CODE_DENO) {
        runs_code = command->word_count < 2
                    || ag_list_contains("eval repl", command->words[1].text,
                                        command->words[1].length);
    } else if (entry->kind == CODE_DC) {
        runs_code = dc_runs_code(command);
    } else if (entry->kind == CODE_SQLITE) {
        runs_code = sqlite_runs_code(command);
    }

    if (runs_code)
        command->flags |= AG_COMMAND_RUNS_CODE;
}

/* ------------------------------------------ Bash builtins that run code */

/* Options of one builtin command; more than this many makes it opaque. */
enum { AG_BUILTIN_MAX_OPTIONS = 16 };

/* The option letters of a builtin command, each with its value (text NULL for a flag). */
typedef struct builtin_options {
    char letters[AG_BUILTIN_MAX_OPTIONS];
    ag_shell_word values[AG_BUILTIN_MAX_OPTIONS];
    size_t count;
    size_t operands;            /* index of the first word that is no option */
    bool opaque;                /* an option known only at run time, or too many */
} builtin_options;

/*
 * Reads option clusters such as `-tC CODE` or `-CCODE` as Bash's builtins
 * do: a letter in `values` takes the rest of the word or the next word.
 */
static void read_builtin_options(const ag_shell_command *command, const char *values,
                                 builtin_options *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 1;
    for (; i < command->word_count && !out->opaque; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->text[0] == AG_DYNAMIC_MARK || (word->text[0] == '-' && word->dynamic)) {
            out->opaque = true;
            break;
        }
        if (word->text[0] != '-' || word->text[1] == '\0')
            break;
        if (strcmp(word->text, "--") == 0) {
            i++;
            break;
        }
        for (size_t j = 1; j < word->length; j++) {
            if (out->count == AG_BUILTIN_MAX_OPTIONS) {
                out->opaque = true;
                break;
            }
            size_t slot = out->count++;
            out->letters[slot] = word->text[j];
            if (!contains_char(values, word->text[j]))
                continue;
            if (word->text[j + 1] != '\0') {
                out->values[slot] = *word;
                out->values[slot].text += j + 1;
                out->values[slot].length -= j + 1;
            } else if (i + 1 < command->word_count) {
                out->values[slot] = command->words[++i];
            }
            break;
        }
    }
    out->operands = i;
}

/* Returns the value of the last option `letter`, or NULL when it is not given. */
static const ag_shell_word *builtin_option(const builtin_options *options, char letter)
{
    const ag_shell_word *found = NULL;
    for (size_t i = 0; i < options->count; i++) {
        if (options->letters[i] == letter)
            found = &options->values[i];
    }
    return found;
}

static bool has_builtin_option(const builtin_options *options, char letter)
{
    return builtin_option(options, letter) != NULL;
}

/*
 * Parses `code`, which list->items[index] runs, as a script: a literal is
 * checked as commands, like trap's code, and a code with an unknown part
 * makes the command opaque. Either way the command runs code.
 */
static ag_status append_builtin_code(ag_checker *checker, ag_command_list *list, size_t index,
                                     const char *name, const ag_shell_word *code, bool arguments)
{
    ag_shell_command *command = &list->items[index];
    command->flags |= AG_COMMAND_RUNS_CODE;
    if (code->text == NULL)
        return AG_OK;
    if (command->depth >= AG_UNWRAP_MAX_DEPTH) {
        command->flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    return ag_unwrap_append_callback(checker, list, index, name, code->text, code->length,
                                     arguments);
}

/*
 * Checks the code of a -C option, which runs with arguments appended:
 * mapfile -C CODE runs `CODE INDEX 'LINE'`, compgen -C CODE runs `CODE WORD
 * PREVIOUS`.
 */
static ag_status append_callback_option(ag_checker *checker, ag_command_list *list,
                                        size_t index, const char *name,
                                        const builtin_options *options)
{
    const ag_shell_word *code = builtin_option(options, 'C');
    if (code == NULL)
        return AG_OK;
    return append_builtin_code(checker, list, index, name, code, true);
}

/* mapfile -C CODE and readarray -C CODE run their callback every -c lines. */
static ag_status unwrap_mapfile(ag_checker *checker, ag_command_list *list, size_t index,
                                const char *name, const builtin_options *options)
{
    return append_callback_option(checker, list, index, name, options);
}

/*
 * jobs -x COMMAND ARGS runs COMMAND with each job spec (`%1`) in the
 * arguments replaced by a process group id, so such a word is dynamic.
 */
static ag_status unwrap_jobs(ag_checker *checker, ag_command_list *list, size_t index,
                             const char *name, const builtin_options *options)
{
    const ag_shell_command outer = list->items[index];
    if (!has_builtin_option(options, 'x') || options->operands >= outer.word_count)
        return AG_OK;
    size_t count = outer.word_count - options->operands;
    ag_shell_word *words = ag_arena_alloc(&checker->arena, count * sizeof(*words));
    if (words == NULL)
        return AG_ERR_NOMEM;
    memcpy(words, outer.words + options->operands, count * sizeof(*words));
    for (size_t i = 0; i < count; i++) {
        if (strchr(words[i].text, '%') != NULL) {
            words[i].text = "\x01";
            words[i].length = 1;
            words[i].dynamic = true;
        }
    }
    return ag_unwrap_append_words(checker, list, index, name, words, count);
}

/*
 * complete takes the options of compgen and stores them for a later
 * completion, which runs them the same way, so both are checked alike.
 * compgen -C COMMAND runs `COMMAND WORD PREVIOUS`, -F FUNCTION runs a shell
 * function this check cannot see, and -W WORDLIST expands WORDLIST again, so
 * a `$(...)` or backtick in it runs. WORDLIST is checked as the operands of
 * `:`, which runs nothing itself.
 */
static ag_status unwrap_compgen(ag_checker *checker, ag_command_list *list, size_t index,
                                const char *name, const builtin_options *options)
{
    if (has_builtin_option(options, 'F'))
        list->items[index].flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
    const ag_shell_word *words = builtin_option(options, 'W');
    if (words != NULL && words->text != NULL && strpbrk(words->text, "$`\x01") != NULL) {
        size_t length = words->length + 2;
        char *text = ag_arena_alloc(&checker->arena, length + 1);
        if (text == NULL)
            return AG_ERR_NOMEM;
        memcpy(text, ": ", 2);
        memcpy(text + 2, words->text, words->length + 1);
        ag_shell_word code = {text, length, words->dynamic, words->start, words->end,
                             AG_WORD_VARIABLE_NONE, false, false};
        ag_status status = append_builtin_code(checker, list, index, name, &code, false);
        if (status != AG_OK)
            return status;
    }
    return append_callback_option(checker, list, index, name, options);
}

/*
 * fc runs commands from the history, which this check cannot see: fc -s,
 * fc -e -, and fc -e EDITOR or fc alone, which run the editor as `EDITOR
 * FILE` and then the edited commands. Only fc -l lists without running.
 */
static ag_status unwrap_fc(ag_checker *checker, ag_command_list *list, size_t index,
                           const char *name, const builtin_options *options)
{
    const ag_shell_word *editor = builtin_option(options, 'e');
    bool runs = has_builtin_option(options, 's') || editor != NULL
                || !has_builtin_option(options, 'l');
    if (!runs)
        return AG_OK;
    list->items[index].flags |= AG_COMMAND_RUNS_CODE | AG_COMMAND_OPAQUE;
    if (editor == NULL || editor->text == NULL || strcmp(editor->text, "-") == 0)
        return AG_OK;
    return append_builtin_code(checker, list, index, name, editor, true);
}

/*
 * history -r and -n read a history file, -w and -a write one (the operand,
 * or $HISTFILE). The effects table has no entry for them, so the command is
 * opaque rather than a read or write that no Read or Edit rule checks.
 */
static ag_status mark_history(ag_command_list *list, size_t index, const builtin_options *options)
{
    if (has_builtin_option(options, 'r') || has_builtin_option(options, 'n')
        || has_builtin_option(options, 'w') || has_builtin_option(options, 'a'))
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    return AG_OK;
}

/* Option letters of Bash 5.2's builtins that take a value. */
static const struct {
    const char *name;
    const char *values;
} code_builtins[] = {
    {"compgen", "oAGWFCXPSV"}, {"complete", "oAGWFCXPS"}, {"fc", "e"}, {"history", "d"},
    {"jobs", ""}, {"mapfile", "dnOsuCc"}, {"readarray", "dnOsuCc"},
};

ag_status ag_unwrap_code_builtin(ag_checker *checker, ag_command_list *list, size_t index)
{
    size_t length = 0;
    const char *name = ag_command_base_name(&list->items[index], &length);
    if (name == NULL)
        return AG_OK;
    /* Every command comes here, so the first letter spares most strcmp() calls. */
    size_t entry = 0;
    size_t entries = sizeof(code_builtins) / sizeof(code_builtins[0]);
    while (entry < entries && (name[0] != code_builtins[entry].name[0]
                               || strcmp(name, code_builtins[entry].name) != 0))
        entry++;
    if (entry == entries)
        return AG_OK;

    builtin_options options;
    read_builtin_options(&list->items[index], code_builtins[entry].values, &options);
    if (options.opaque) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }
    const char *builtin = code_builtins[entry].name;
    if (name[0] == 'm' || name[0] == 'r')
        return unwrap_mapfile(checker, list, index, builtin, &options);
    if (name[0] == 'j')
        return unwrap_jobs(checker, list, index, builtin, &options);
    if (name[0] == 'c')
        return unwrap_compgen(checker, list, index, builtin, &options);
    if (name[0] == 'f')
        return unwrap_fc(checker, list, index, builtin, &options);
    return mark_history(list, index, &options);
}
