/*
 * ssh -o values, read as OpenSSH 9.2p1 reads a configuration line
 * (process_config_line() in readconf.c, with strdelim() of misc.c). The
 * keyword ends at a blank, a tab, CR, LF, `=` or `"`. One leading delimiter
 * gives an empty first word, and the keyword is then the next word. A `"`
 * pair inside the keyword is removed, and the keyword is compared without
 * case. `ssh -G -o VALUE HOST`, which prints the resolved configuration and
 * contacts nothing, gives the same keys for the spellings in
 * tests/cases/check-ssh17.json.
 */
#include <string.h>
#include <strings.h>

#include "eval/unwrap_internal.h"

#define SSH_WHITESPACE " \t\r\n"

/* Longer than every key compared below, so a longer keyword matches none of them. */
enum { SSH_KEY_MAX = 32 };

/* One keyword read by read_word(). */
typedef struct ssh_word {
    char text[SSH_KEY_MAX + 1];
    size_t length;
    bool truncated;  /* longer than SSH_KEY_MAX bytes */
    bool unmatched;  /* a `"` without its pair: ssh ignores the whole line */
} ssh_word;

static void word_add(ssh_word *word, const char *text, size_t length)
{
    size_t room = SSH_KEY_MAX - word->length;
    if (length > room) {
        word->truncated = true;
        length = room;
    }
    memcpy(word->text + word->length, text, length);
    word->length += length;
    word->text[word->length] = '\0';
}

/*
 * Reads one word at *cursor as strdelim() does and moves *cursor past it and
 * the delimiters that follow; *cursor becomes NULL at the end of the text.
 */
static void read_word(const char **cursor, ssh_word *word)
{
    const char *start = *cursor;
    *word = (ssh_word){0};
    const char *stop = strpbrk(start, SSH_WHITESPACE "\"=");
    if (stop == NULL) {
        word_add(word, start, strlen(start));
        *cursor = NULL;
        return;
    }

    word_add(word, start, (size_t)(stop - start));
    if (*stop == '"') {
        /* strdelim() drops this quote and ends the word at the next one. */
        const char *pair = strchr(stop + 1, '"');
        if (pair == NULL) {
            word->unmatched = true;
            *cursor = NULL;
            return;
        }
        word_add(word, stop + 1, (size_t)(pair - stop - 1));
        *cursor = pair + 1 + strspn(pair + 1, SSH_WHITESPACE);
        return;
    }

    /* Only one `=` is skipped, whether it ends the word or follows blanks. */
    const char *next = stop + 1 + strspn(stop + 1, SSH_WHITESPACE);
    if (*stop != '=' && *next == '=')
        next += 1 + strspn(next + 1, SSH_WHITESPACE);
    *cursor = next;
}

static bool key_is(const ssh_word *key, const char *name)
{
    return !key->truncated && key->length == strlen(name) && strcasecmp(key->text, name) == 0;
}

static bool has_high_byte(const ssh_word *word)
{
    for (size_t i = 0; i < word->length; i++) {
        if ((unsigned char)word->text[i] >= 0x80)
            return true;
    }
    return false;
}

/*
 * The keys that make ssh run something or reach a file or host, in
 * lowercase. DynamicForward, like -D, opens a SOCKS port that names no host,
 * or a Unix socket. The socket of RemoteForward is on the remote host.
 */
typedef struct ssh_key {
    const char *name;
    ag_ssh_option_kind kind;
} ssh_key;

static const ssh_key ssh_keys[] = {
    {"proxycommand", AG_SSH_OPTION_COMMAND},
    {"localcommand", AG_SSH_OPTION_COMMAND},
    {"knownhostscommand", AG_SSH_OPTION_COMMAND},
    /* The remote shell runs this command as it runs the words after the host. */
    {"remotecommand", AG_SSH_OPTION_REMOTE},
    /*
     * A PKCS#11 or security key provider is a shared library whose
     * constructors run here. ssh runs the xauth program of XAuthLocation
     * when X11 forwarding is on, which ~/.ssh/config may turn on for any host.
     */
    {"pkcs11provider", AG_SSH_OPTION_PROGRAM},
    {"securitykeyprovider", AG_SSH_OPTION_PROGRAM},
    {"xauthlocation", AG_SSH_OPTION_PROGRAM},
    {"identityfile", AG_SSH_OPTION_READ},
    {"certificatefile", AG_SSH_OPTION_READ},
    {"globalknownhostsfile", AG_SSH_OPTION_READ},
    {"revokedhostkeys", AG_SSH_OPTION_READ},
    {"userknownhostsfile", AG_SSH_OPTION_READ_WRITE},
    {"controlpath", AG_SSH_OPTION_READ_WRITE},
    {"identityagent", AG_SSH_OPTION_AGENT},
    {"forwardagent", AG_SSH_OPTION_FORWARD_AGENT},
    {"hostname", AG_SSH_OPTION_HOST},
    {"proxyjump", AG_SSH_OPTION_JUMP},
    {"localforward", AG_SSH_OPTION_LOCAL_FORWARD},
    {"dynamicforward", AG_SSH_OPTION_LOCAL_FORWARD},
    {"remoteforward", AG_SSH_OPTION_FORWARD},
    {"permitlocalcommand", AG_SSH_OPTION_OPAQUE},
    {"include", AG_SSH_OPTION_OPAQUE},
    {"match", AG_SSH_OPTION_OPAQUE},
};

/* Returns what the keyword `key` makes ssh do with its value. */
static ag_ssh_option_kind classify_key(const ssh_word *key)
{
    /*
     * ssh lowercases the keyword with tolower(), which in a single-byte
     * locale may map a byte above 0x7f to an ASCII letter, so such a key is
     * not read with certainty.
     */
    if (has_high_byte(key))
        return AG_SSH_OPTION_OPAQUE;
    for (size_t i = 0; i < sizeof(ssh_keys) / sizeof(ssh_keys[0]); i++) {
        if (key_is(key, ssh_keys[i].name))
            return ssh_keys[i].kind;
    }
    return AG_SSH_OPTION_HARMLESS;
}

ag_ssh_option_kind ag_ssh_option_read(const char *value, size_t length, const char **rest)
{
    *rest = NULL;
    if (memchr(value, AG_DYNAMIC_MARK, length) != NULL || strlen(value) != length)
        return AG_SSH_OPTION_OPAQUE;

    const char *cursor = value;
    ssh_word key;
    read_word(&cursor, &key);
    if (key.length == 0 && !key.unmatched && !key.truncated && cursor != NULL)
        read_word(&cursor, &key);
    /*
     * ssh ignores a line whose quote has no pair or whose keyword is empty
     * (`==ProxyCommand x`). Such a value is asked about, because an older
     * or newer ssh could read it differently.
     */
    if (key.unmatched || (key.length == 0 && !key.truncated))
        return AG_SSH_OPTION_OPAQUE;

    ag_ssh_option_kind kind = classify_key(&key);
    bool has_command = kind == AG_SSH_OPTION_COMMAND || kind == AG_SSH_OPTION_REMOTE;
    if (has_command && cursor != NULL)
        *rest = cursor + strspn(cursor, SSH_WHITESPACE "=");
    else
        *rest = cursor;
    return kind;
}

/* Returns whether argv_split() reads a `\` before `c` as an escape, which it drops. */
static bool is_escaped_byte(char c, bool quoted)
{
    return c == '\'' || c == '"' || c == '\\' || (!quoted && c == ' ');
}

ag_ssh_argument ag_ssh_option_next_argument(const char **cursor, char *out, size_t *length)
{
    *length = 0;
    const char *text = *cursor;
    if (text == NULL)
        return AG_SSH_ARGUMENT_END;
    text += strspn(text, " \t");
    if (*text == '\0' || *text == '#')
        return AG_SSH_ARGUMENT_END;

    char quote = 0;
    for (; *text != '\0'; text++) {
        if (*text == '\\' && is_escaped_byte(text[1], quote != 0))
            out[(*length)++] = *++text;
        else if (quote == 0 && (*text == ' ' || *text == '\t'))
            break;
        else if (quote == 0 && (*text == '"' || *text == '\''))
            quote = *text;
        else if (quote != 0 && *text == quote)
            quote = 0;
        else
            out[(*length)++] = *text;
    }
    out[*length] = '\0';
    *cursor = text;
    return quote != 0 ? AG_SSH_ARGUMENT_INVALID : AG_SSH_ARGUMENT_WORD;
}

ag_status ag_unwrap_ssh_option(ag_checker *checker, ag_command_list *list, size_t index,
                               const char *wrapper_name, const char *value, size_t length)
{
    const char *command = NULL;
    ag_ssh_option_kind kind = ag_ssh_option_read(value, length, &command);
    bool runs_code = kind == AG_SSH_OPTION_COMMAND || kind == AG_SSH_OPTION_REMOTE
                     || kind == AG_SSH_OPTION_PROGRAM || kind == AG_SSH_OPTION_OPAQUE;
    /* The files and hosts of the other keys are effects (lib/effects/arguments.c). */
    if (!runs_code)
        return AG_OK;
    list->items[index].flags |= AG_COMMAND_RUNS_CODE;
    if (kind == AG_SSH_OPTION_PROGRAM)
        return AG_OK;
    if (kind == AG_SSH_OPTION_OPAQUE || command == NULL) {
        list->items[index].flags |= AG_COMMAND_OPAQUE;
        return AG_OK;
    }

    /*
     * ssh replaces %h, %p, %d (the home directory) and other tokens before
     * it runs the command, in RemoteCommand too.
     */
    size_t command_length = length - (size_t)(command - value);
    if (memchr(command, '%', command_length) != NULL)
        list->items[index].flags |= AG_COMMAND_OPAQUE;
    return ag_unwrap_append_callback(checker, list, index, wrapper_name, command, command_length,
                                     false);
}
