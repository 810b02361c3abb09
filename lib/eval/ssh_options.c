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

/* Returns what the keyword `key` makes ssh do with its value. */
static ag_ssh_option_kind classify_key(const ssh_word *key)
{
    static const char *const commands[] = {"proxycommand", "localcommand", "knownhostscommand"};
    /* The remote shell runs this command as it runs the words after the host. */
    static const char *const remote_commands[] = {"remotecommand"};
    /*
     * A PKCS#11 or security key provider is a shared library whose
     * constructors run here. ssh runs the xauth program of XAuthLocation
     * when X11 forwarding is on, which ~/.ssh/config may turn on for any host.
     */
    static const char *const programs[] = {"pkcs11provider", "securitykeyprovider",
                                           "xauthlocation"};
    static const char *const others[] = {"permitlocalcommand", "include", "match"};
    /*
     * ssh lowercases the keyword with tolower(), which in a single-byte
     * locale may map a byte above 0x7f to an ASCII letter, so such a key is
     * not read with certainty.
     */
    if (has_high_byte(key))
        return AG_SSH_OPTION_OPAQUE;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (key_is(key, commands[i]))
            return AG_SSH_OPTION_COMMAND;
    }
    for (size_t i = 0; i < sizeof(remote_commands) / sizeof(remote_commands[0]); i++) {
        if (key_is(key, remote_commands[i]))
            return AG_SSH_OPTION_REMOTE;
    }
    for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
        if (key_is(key, programs[i]))
            return AG_SSH_OPTION_PROGRAM;
    }
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        if (key_is(key, others[i]))
            return AG_SSH_OPTION_OPAQUE;
    }
    return AG_SSH_OPTION_HARMLESS;
}

ag_ssh_option_kind ag_ssh_option_read(const char *value, size_t length, const char **command)
{
    *command = NULL;
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
        *command = cursor + strspn(cursor, SSH_WHITESPACE "=");
    return kind;
}

ag_status ag_unwrap_ssh_option(ag_checker *checker, ag_command_list *list, size_t index,
                               const char *wrapper_name, const char *value, size_t length)
{
    const char *command = NULL;
    ag_ssh_option_kind kind = ag_ssh_option_read(value, length, &command);
    if (kind == AG_SSH_OPTION_HARMLESS)
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
