/*
 * Variable assignments that change what a command does. A variable is
 * harmless (locale, colours, log levels: allow rules still apply), dangerous
 * (it chooses which program runs, loads code, changes how words split, or
 * gives a tool options or a configuration file that can move what it reads,
 * writes or contacts: the command at least asks), or unlisted (allow rules do
 * not apply, so the policy's default or an ask rule decides).
 */
#include <string.h>

#include "eval/unwrap.h"
#include "eval/unwrap_internal.h"

typedef enum ag_variable_class {
    AG_VARIABLE_HARMLESS,
    AG_VARIABLE_UNLISTED,
    AG_VARIABLE_DANGEROUS
} ag_variable_class;

/* Exact names that cannot change which program runs or what it executes. */
static const char harmless_names[] =
    "LANG LANGUAGE TZ NO_COLOR FORCE_COLOR CLICOLOR CLICOLOR_FORCE TERM COLUMNS LINES "
    "NODE_ENV RUST_BACKTRACE RUST_LOG CI DEBUG VERBOSE";

/* Name prefixes of harmless variables. */
static const char *const harmless_prefixes[] = {"LC_"};

/*
 * Exact names that choose a program, a library, a startup file or a config
 * that runs code, or that change how the shell splits and traces words.
 * A plain assignment (`JAVA_HOME=/x; mvn test`) to one of them asks too,
 * because the host may already export the name, and then the new value
 * reaches later commands. The toolchain names (JAVA_HOME to GCONV_PATH) are
 * listed for that reason: hosts often export them, and they choose the
 * compiler, the interpreter or code that the tool loads. POSIXLY_CORRECT
 * makes GNU tools stop reading options at the first operand.
 * TODO(environment): a plain assignment to an unlisted name that the host
 * exports changes later commands unseen.
 */
static const char dangerous_names[] =
    "PATH BASH_ENV ENV PROMPT_COMMAND IFS PS4 SHELLOPTS BASHOPTS CDPATH GLOBIGNORE "
    "POSIXLY_CORRECT "
    "PAGER EDITOR VISUAL BROWSER MANPAGER SYSTEMD_PAGER LESSOPEN LESSCLOSE "
    "PYTHONPATH PYTHONSTARTUP PYTHONHOME PYTHONUSERBASE FLASK_APP "
    /* Python modules that django-admin (and manage.py) and celery import at start. */
    "DJANGO_SETTINGS_MODULE CELERY_APP "
    "NODE_OPTIONS NODE_PATH PERL5LIB PERL5OPT PERLLIB RUBYOPT RUBYLIB "
    "JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS CLASSPATH "
    "HOME SHELL TMPDIR XDG_CONFIG_HOME ZDOTDIR INPUTRC "
    /* OpenSSH 8.2 and later load the security key library that SSH_SK_PROVIDER names. */
    "SSH_ASKPASS SSH_SK_PROVIDER SUDO_ASKPASS SUDO_EDITOR "
    "BASH_CMDS BASH_ALIASES BASH_LOADABLES_PATH BASH_XTRACEFD BASH_COMPAT EXECIGNORE "
    "RSYNC_RSH RSYNC_CONNECT_PROG CVS_RSH SVN_SSH SVN_EDITOR HGRCPATH KUBECONFIG "
    /* Toolchain variables a host often exports: a plain assignment changes them too. */
    "JAVA_HOME JAVA_OPTS MAVEN_OPTS GRADLE_OPTS GEM_HOME GEM_PATH "
    "GOPATH GOROOT GOFLAGS GOTOOLCHAIN VIRTUAL_ENV CONDA_PREFIX "
    "RUSTC RUSTC_WRAPPER RUSTUP_HOME RUSTUP_TOOLCHAIN PYTEST_ADDOPTS PYTEST_PLUGINS GCONV_PATH "
    /*
     * Options a tool reads from the environment before its command line
     * (GNU tar's TAR_OPTIONS can hold -C DIR or --to-command, unzip's UNZIP
     * -d DIR, zip's ZIPOPT -m, which deletes the files it adds), the archive
     * tar and bsdtar write without -f (TAPE), and the configuration files of
     * wget (WGETRC, SYSTEM_WGETRC: dir_prefix, output_document) and curl
     * (CURL_HOME/.curlrc: output, config). The effects table reads only the
     * command line, so a request that sets one of these asks.
     */
    "TAR_OPTIONS TAPE ZIPOPT ZIP ZIP_OPTS UNZIP UNZIPOPT UNZIP_OPTS ZIPINFO ZIPINFOOPT "
    "RAR ARJ_SW GREP_OPTIONS WGETRC SYSTEM_WGETRC CURL_HOME NETRC SSLKEYLOGFILE "
    /*
     * GNU make reads options from MAKEFLAGS, MFLAGS and GNUMAKEFLAGS
     * (--eval runs $(shell ...)) and makefiles from MAKEFILES. less reads
     * options from LESS (--lesskey-src=FILE, whose #env section can set
     * LESSOPEN) and lesskey files from the LESSKEY names. man reads
     * options from MANOPT (-P PAGER, --preprocessor).
     */
    "MAKEFLAGS MFLAGS GNUMAKEFLAGS MAKEFILES LESS LESSKEY LESSKEYIN LESSKEY_SYSTEM "
    "LESSKEYIN_SYSTEM LESSKEY_CONTENT MANOPT "
    /*
     * Bash translates a $"..." string through the message catalog that
     * TEXTDOMAIN and TEXTDOMAINDIR name, so a catalog the request writes can
     * turn $"ls" into any word. `history -r/-n/-w/-a` reads or writes the
     * file that HISTFILE names.
     */
    "TEXTDOMAIN TEXTDOMAINDIR HISTFILE "
    /* Proxies: the tool sends the request to this host instead. */
    "http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ftp_proxy FTP_PROXY all_proxy ALL_PROXY";

/*
 * Options of compressors, which tar also runs with the environment it has.
 * gzip before 1.10 reads any option or file name from GZIP (-r, -c, -d),
 * pigz any option from GZIP and PIGZ, bzip2 options and file names from
 * BZIP2 and BZIP, xz options from XZ_OPT and XZ_DEFAULTS (--files=FILE),
 * lzop from LZOP. They are dangerous unless the value only sets a
 * compression level or thread count (GZIP=-9 tar czf ...).
 */
static const char compressor_names[] = "GZIP PIGZ BZIP2 BZIP XZ_OPT XZ_DEFAULTS LZOP";

/*
 * Name prefixes of dangerous variables: the dynamic loader (LD_PRELOAD,
 * LD_LIBRARY_PATH, DYLD_INSERT_LIBRARIES), git (GIT_DIR, GIT_SSH_COMMAND,
 * GIT_CONFIG_*, GIT_EXTERNAL_DIFF, ...), bash functions exported through
 * the environment, the binds of singularity and apptainer
 * (SINGULARITY_BIND, APPTAINER_BINDPATH), and the configuration of cargo and
 * npm, which includes the program that wraps rustc
 * (CARGO_BUILD_RUSTC_WRAPPER) and the shell that runs scripts
 * (npm_config_script_shell).
 */
static const char *const dangerous_prefixes[] = {"LD_", "DYLD_", "GIT_", "BASH_FUNC_",
                                                 "SINGULARITY_", "APPTAINER_", "CARGO_",
                                                 "npm_config_", "NPM_CONFIG_"};

static bool has_prefix(const char *name, size_t length, const char *const *prefixes,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t prefix_length = strlen(prefixes[i]);
        if (length >= prefix_length && memcmp(name, prefixes[i], prefix_length) == 0)
            return true;
    }
    return false;
}

static ag_variable_class classify_variable(const char *name, size_t length)
{
    if (length == 0 || memchr(name, AG_DYNAMIC_MARK, length) != NULL)
        return AG_VARIABLE_DANGEROUS;
    if (ag_list_contains(dangerous_names, name, length)
        || has_prefix(name, length, dangerous_prefixes,
                      sizeof(dangerous_prefixes) / sizeof(dangerous_prefixes[0])))
        return AG_VARIABLE_DANGEROUS;
    if (ag_list_contains(harmless_names, name, length)
        || has_prefix(name, length, harmless_prefixes,
                      sizeof(harmless_prefixes) / sizeof(harmless_prefixes[0])))
        return AG_VARIABLE_HARMLESS;
    return AG_VARIABLE_UNLISTED;
}

/*
 * Returns the length of the variable name in an assignment word: the text
 * before `=`, `+=` or an array subscript `[`.
 */
static size_t variable_name_length(const ag_shell_word *word)
{
    size_t length = strcspn(word->text, "=[");
    if (length > word->length)
        length = word->length;
    if (length > 0 && word->text[length - 1] == '+')
        length--;
    return length;
}

/* Returns whether an option word only sets a level or thread count: -9, -9e, -T0, --best. */
static bool is_level_option(const char *word, size_t length)
{
    if (length == 6 && (memcmp(word, "--fast", 6) == 0 || memcmp(word, "--best", 6) == 0))
        return true;
    if (length < 2 || word[0] != '-')
        return false;
    for (size_t i = 1; i < length; i++) {
        /* xz -T takes the rest of the word as its thread count. */
        if (word[i] == 'T' && i + 1 < length)
            return strspn(word + i + 1, "0123456789") >= length - i - 1;
        if (word[i] == '\0' || strchr("0123456789e", word[i]) == NULL)
            return false;
    }
    return true;
}

/* Returns whether every blank-separated word of `value` is a level option. */
static bool sets_level_only(const char *value, size_t length)
{
    size_t i = 0;
    while (i < length) {
        size_t end = i;
        while (end < length && value[end] != ' ' && value[end] != '\t')
            end++;
        if (end > i && !is_level_option(value + i, end - i))
            return false;
        i = end + 1;
    }
    return true;
}

/*
 * Classifies an assignment word, NAME=VALUE or a bare NAME (export NAME). A
 * compressor's options are checked by value: only a literal NAME=VALUE that
 * sets a level stays unlisted, because NAME+=, NAME[i]= and a bare NAME keep
 * an inherited value that cannot be seen.
 */
static ag_variable_class classify_assignment(const ag_shell_word *word)
{
    size_t length = variable_name_length(word);
    ag_variable_class class = classify_variable(word->text, length);
    if (class != AG_VARIABLE_UNLISTED || !ag_list_contains(compressor_names, word->text, length))
        return class;

    const char *value = word->text + length;
    size_t rest = word->length - length;
    if (word->dynamic || rest == 0 || value[0] != '=')
        return AG_VARIABLE_DANGEROUS;
    return sets_level_only(value + 1, rest - 1) ? AG_VARIABLE_UNLISTED : AG_VARIABLE_DANGEROUS;
}

static unsigned flags_for_variable(const ag_shell_word *word)
{
    ag_variable_class class = classify_assignment(word);
    if (class == AG_VARIABLE_DANGEROUS)
        return AG_COMMAND_UNSAFE_ENVIRONMENT | AG_COMMAND_UNLISTED_ENVIRONMENT;
    if (class == AG_VARIABLE_UNLISTED)
        return AG_COMMAND_UNLISTED_ENVIRONMENT;
    return 0;
}

/* Builtins whose words can change the environment, by what they do. */
typedef enum ag_builtin_group {
    AG_BUILTIN_DECLARATION,   /* declare variables: export NAME=value */
    AG_BUILTIN_ASSIGNING,     /* assign variables they name: read NAME */
    AG_BUILTIN_LOOKUP,        /* change which program a name runs: hash -p */
    AG_BUILTIN_OPTIONS        /* set shell options: set -k, shopt -s lastpipe */
} ag_builtin_group;

typedef struct ag_builtin {
    const char *name;
    ag_builtin_group group;
} ag_builtin;

/* Sorted by name in strcmp() order, as ag_sorted_is_strict() checks. */
static const ag_builtin builtins[] = {
    {"alias", AG_BUILTIN_LOOKUP},      {"declare", AG_BUILTIN_DECLARATION},
    {"enable", AG_BUILTIN_LOOKUP},     {"export", AG_BUILTIN_DECLARATION},
    {"getopts", AG_BUILTIN_ASSIGNING}, {"hash", AG_BUILTIN_LOOKUP},
    {"local", AG_BUILTIN_DECLARATION}, {"mapfile", AG_BUILTIN_ASSIGNING},
    {"printf", AG_BUILTIN_ASSIGNING},  {"read", AG_BUILTIN_ASSIGNING},
    {"readarray", AG_BUILTIN_ASSIGNING}, {"readonly", AG_BUILTIN_DECLARATION},
    {"set", AG_BUILTIN_OPTIONS},       {"shopt", AG_BUILTIN_OPTIONS},
    {"typeset", AG_BUILTIN_DECLARATION}, {"wait", AG_BUILTIN_ASSIGNING},
};

bool ag_builtin_table_is_sorted(void)
{
    return ag_sorted_is_strict(builtins, sizeof(builtins) / sizeof(builtins[0]),
                               sizeof(builtins[0]));
}

AG_NAME_INDEX_DEFINE(find_builtin_name, builtins)

/* Returns the command's builtin entry, or NULL; a path such as /usr/bin/export is no builtin. */
static const ag_builtin *find_builtin(const ag_shell_command *command)
{
    size_t length = 0;
    const char *name = ag_command_base_name(command, &length);
    if (name == NULL || command->words[0].length != length)
        return NULL;
    return find_builtin_name(name, length);
}

/* Returns whether an option word such as `-rn` contains `letter`; a dynamic word may. */
static bool option_has_letter(const ag_shell_word *word, char letter)
{
    return word->dynamic || (word->text[0] == '-' && strchr(word->text + 1, letter) != NULL);
}

/*
 * Marks a declaration that gives a dangerous variable a value or exports it.
 * `export PATH` alone passes the current value on, so only the name decides;
 * a dynamic word may expand to any NAME=value, so it counts as dangerous.
 *
 * A nameref declaration (`declare -n REF`, `local -n`, `typeset -n`, any
 * option cluster with n) is unsafe whatever its operands are. Every later
 * write to REF writes the variable that REF names. Bash also takes that
 * target from words the analysis does not tie to REF: `REF=HOME` after a
 * bare `declare -n REF`, the value REF had before, `read REF` and
 * `printf -v REF`. `for REF in HOME` retargets REF even after
 * `declare -n REF=x`. `export -n` only removes the export attribute.
 */
static void mark_declaration(ag_shell_command *command, const char *name)
{
    bool may_declare_reference = strcmp(name, "export") != 0;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (word->length > 0 && (word->text[0] == '-' || word->text[0] == '+')
            && !word->dynamic) {
            if (may_declare_reference && option_has_letter(word, 'n'))
                command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
            continue;
        }
        if (classify_assignment(word) == AG_VARIABLE_DANGEROUS)
            command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
    }
}

/* Marks the command unsafe when `word` names a dangerous variable; `NAME[KEY]` names NAME. */
static void mark_variable_name(ag_shell_command *command, const ag_shell_word *word)
{
    size_t length = strcspn(word->text, "[");
    if (classify_variable(word->text, length) == AG_VARIABLE_DANGEROUS)
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
}

/*
 * Builtins that assign variables named in their arguments: read NAME...,
 * read -a NAME, mapfile NAME, printf -v NAME, getopts OPTSTRING NAME and
 * wait -p NAME (Bash 5.1 and later). An option word that might be dynamic
 * marks the word after it as a name.
 */
static void mark_assigning_builtin(ag_shell_command *command, const char *name)
{
    if (strcmp(name, "getopts") == 0) {
        if (command->word_count > 2)
            mark_variable_name(command, &command->words[2]);
        return;
    }
    /* Every assigning builtin but getopts has a syntax, so a missing one fails closed. */
    const ag_name_syntax *syntax = ag_shell_find_name_syntax(name);
    if (syntax == NULL) {
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
        return;
    }

    bool options = true;
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        bool dynamic_start = options && word->dynamic && word->text[0] == AG_DYNAMIC_MARK;
        if (!dynamic_start
            && (!options || word->text[0] != '-' || strcmp(word->text, "-") == 0)) {
            if (!syntax->operand_names)
                return;
            mark_variable_name(command, word);
            continue;
        }
        if (strcmp(word->text, "--") == 0) {
            options = false;
            continue;
        }
        if (dynamic_start) {
            if (i + 1 < command->word_count)
                mark_variable_name(command, &command->words[++i]);
            continue;
        }
        /* The shell analysis reports a letter it does not know, so this scan skips it. */
        ag_option_value value = ag_shell_read_option_cluster(command->words, command->word_count,
                                                             i, syntax->values, syntax->names,
                                                             NULL);
        if (value.found && value.is_name)
            mark_variable_name(command, &value.word);
        i += value.words_used;
    }
}

/*
 * Builtins that change which program or code a later command name runs:
 * hash -p PATH NAME, enable (loads or hides builtins) and alias NAME=VALUE.
 */
static void mark_lookup_builtin(ag_shell_command *command, const char *name)
{
    if (command->word_count < 2)
        return;
    bool unsafe = false;
    for (size_t i = 1; i < command->word_count && !unsafe; i++) {
        const ag_shell_word *word = &command->words[i];
        if (strcmp(name, "hash") == 0)
            unsafe = option_has_letter(word, 'p');
        else if (strcmp(name, "enable") == 0)
            unsafe = true;
        else
            unsafe = word->dynamic || strchr(word->text, '=') != NULL;
    }
    if (unsafe)
        command->flags |= AG_COMMAND_UNSAFE_ENVIRONMENT;
}

const char *ag_environment_unlisted_name(const ag_shell_command *command, size_t *length)
{
    for (size_t i = 0; i < command->assignment_count; i++) {
        const ag_shell_word *word = &command->assignments[i];
        if (flags_for_variable(word) & AG_COMMAND_UNLISTED_ENVIRONMENT) {
            *length = variable_name_length(word);
            return word->text;
        }
    }
    return NULL;
}

void ag_environment_mark(ag_shell_command *command)
{
    for (size_t i = 0; i < command->assignment_count; i++) {
        unsigned flags = flags_for_variable(&command->assignments[i]);
        /* A command-less assignment only matters when it changes later commands. */
        if (command->word_count == 0)
            flags &= AG_COMMAND_UNSAFE_ENVIRONMENT;
        command->flags |= flags;
    }

    const ag_builtin *builtin = find_builtin(command);
    if (builtin == NULL)
        return;
    if (builtin->group == AG_BUILTIN_DECLARATION)
        mark_declaration(command, builtin->name);
    else if (builtin->group == AG_BUILTIN_ASSIGNING)
        mark_assigning_builtin(command, builtin->name);
    else if (builtin->group == AG_BUILTIN_OPTIONS)
        ag_shell_options_mark(command, builtin->name);
    else
        mark_lookup_builtin(command, builtin->name);
}
