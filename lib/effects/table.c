/*
 * Loading the effects table (effects.yaml, format described at its top) with
 * libyaml's document API, which resolves anchors and aliases. Every key is
 * checked: an unknown key or role is an error, so a typo in the data file
 * fails the policy build instead of dropping an effect.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "effects/effects.h"

typedef struct table_parser {
    yaml_document_t *document;
    const char *name;
    ag_error **error;
    bool in_subcommand;     /* parsing a subcommand's entry, where the link keys are rejected */
    bool in_module;         /* parsing a module's entry, where `modules` is rejected */
} table_parser;

static ag_status fail_at(table_parser *parser, const yaml_node_t *node, const char *format,
                         const char *detail)
{
    unsigned line = node != NULL ? (unsigned)node->start_mark.line + 1 : 0;
    unsigned column = node != NULL ? (unsigned)node->start_mark.column + 1 : 0;
    return ag_error_set(parser->error, AG_ERR_POLICY_VALUE, parser->name, line, column, format,
                        detail);
}

static const char *scalar(const yaml_node_t *node)
{
    return node != NULL && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
                                                           : NULL;
}

static yaml_node_t *node_at(table_parser *parser, int id)
{
    return yaml_document_get_node(parser->document, id);
}

static const struct {
    const char *name;
    ag_effect_role role;
} role_names[] = {
    {"none", AG_ROLE_NONE},     {"value", AG_ROLE_VALUE},   {"read", AG_ROLE_READ},
    {"write", AG_ROLE_WRITE},   {"chdir", AG_ROLE_CHDIR},   {"url", AG_ROLE_URL},
    {"host", AG_ROLE_HOST},     {"remote", AG_ROLE_REMOTE}, {"package", AG_ROLE_PACKAGE},
    {"script", AG_ROLE_SCRIPT}, {"data", AG_ROLE_DATA}, {"connect-to", AG_ROLE_CONNECT_TO},
    {"resolve", AG_ROLE_RESOLVE}, {"ssh-option", AG_ROLE_SSH_OPTION},
    {"ssh-control-path", AG_ROLE_SSH_CONTROL_PATH},
    {"forward", AG_ROLE_FORWARD}, {"local-forward", AG_ROLE_LOCAL_FORWARD},
    {"url-file", AG_ROLE_URL_FILE},
    {"git-config", AG_ROLE_GIT_CONFIG}, {"socat", AG_ROLE_SOCAT},
    {"volume", AG_ROLE_VOLUME}, {"mount", AG_ROLE_MOUNT},
    {"volume-list", AG_ROLE_VOLUME_LIST}, {"package-file", AG_ROLE_PACKAGE_FILE},
    {"named-read", AG_ROLE_NAMED_READ}, {"build-output", AG_ROLE_BUILD_OUTPUT},
    {"link-source", AG_ROLE_LINK_SOURCE}, {"run", AG_ROLE_RUN},
    {"read-write", AG_ROLE_READ_WRITE},
    {"unpack", AG_ROLE_UNPACK}, {"host-namespace", AG_ROLE_HOST_NAMESPACE},
    {"names-file", AG_ROLE_NAMES_FILE}, {"require", AG_ROLE_REQUIRE},
    {"rev-path", AG_ROLE_REV_PATH}, {"module", AG_ROLE_MODULE},
    {"python-script", AG_ROLE_PYTHON_SCRIPT}, {"run-tree", AG_ROLE_RUN_TREE},
    {"env-name", AG_ROLE_ENV_NAME}, {"environment", AG_ROLE_ENVIRONMENT},
    {"activate-env", AG_ROLE_ACTIVATE_ENV},
};

static bool parse_role(const char *text, size_t length, ag_effect_role *role)
{
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (strlen(role_names[i].name) == length && memcmp(role_names[i].name, text, length) == 0) {
            *role = role_names[i].role;
            return true;
        }
    }
    return false;
}

static ag_status parse_option_kind(table_parser *parser, const yaml_node_t *node,
                                   ag_effect_option *option)
{
    static const struct {
        const char *name;
        ag_option_kind kind;
        ag_effect_role role;
    } kinds[] = {
        {"script", AG_OPTION_SCRIPT, AG_ROLE_VALUE},
        {"script-read", AG_OPTION_SCRIPT, AG_ROLE_READ},
        {"data", AG_OPTION_DATA, AG_ROLE_VALUE},
        {"end", AG_OPTION_END, AG_ROLE_VALUE},
        {"writes-operands", AG_OPTION_WRITES_OPERANDS, AG_ROLE_NONE},
        {"reads-operands", AG_OPTION_READS_OPERANDS, AG_ROLE_NONE},
        {"no-script", AG_OPTION_NO_SCRIPT, AG_ROLE_NONE},
        {"index-only", AG_OPTION_INDEX_ONLY, AG_ROLE_NONE},
        {"writes-cwd", AG_OPTION_WRITES_CWD, AG_ROLE_NONE},
        {"reads-stdin-names", AG_OPTION_READS_STDIN_NAMES, AG_ROLE_NONE},
        {"recurse-names", AG_OPTION_RECURSE_NAMES, AG_ROLE_NONE},
        {"flag", AG_OPTION_FLAG, AG_ROLE_NONE},
        {"hard-links", AG_OPTION_HARD_LINKS, AG_ROLE_NONE},
        {"symbolic", AG_OPTION_SYMBOLIC, AG_ROLE_NONE},
        {"cookie", AG_OPTION_COOKIE, AG_ROLE_VALUE},
        {"host-root", AG_OPTION_HOST_ROOT, AG_ROLE_NONE},
        {"archive-read", AG_OPTION_ARCHIVE, AG_ROLE_READ},
        {"archive-write", AG_OPTION_ARCHIVE, AG_ROLE_WRITE},
        {"write-out", AG_OPTION_WRITE_OUT, AG_ROLE_VALUE},
        {"target-directory", AG_OPTION_TARGET_DIRECTORY, AG_ROLE_WRITE},
        {"no-target-directory", AG_OPTION_NO_TARGET_DIRECTORY, AG_ROLE_NONE},
        {"parents", AG_OPTION_PARENTS, AG_ROLE_NONE},
        {"relative", AG_OPTION_RELATIVE, AG_ROLE_NONE},
        {"no-relative", AG_OPTION_NO_RELATIVE, AG_ROLE_NONE},
        {"optional-value", AG_OPTION_OPTIONAL_VALUE, AG_ROLE_NONE},
        {"form", AG_OPTION_FORM, AG_ROLE_VALUE},
        {"forwards-agent", AG_OPTION_FORWARDS_AGENT, AG_ROLE_NONE},
    };
    const char *text = scalar(node);
    if (text == NULL)
        return fail_at(parser, node, "an option's kind must be a word%s", "");

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i].name, text) == 0) {
            option->kind = kinds[i].kind;
            option->role = kinds[i].role;
            return AG_OK;
        }
    }
    option->kind = AG_OPTION_VALUE;
    if (!parse_role(text, strlen(text), &option->role) || option->role == AG_ROLE_NONE
        || option->role == AG_ROLE_SCRIPT || option->role == AG_ROLE_LINK_SOURCE
        || option->role == AG_ROLE_READ_WRITE)
        return fail_at(parser, node, "unknown option kind '%s'; see the format at the top of effects.yaml",
                       text);
    return AG_OK;
}

static ag_status parse_options(table_parser *parser, const yaml_node_t *node, ag_effect_spec *spec)
{
    if (node->type != YAML_MAPPING_NODE)
        return fail_at(parser, node, "'options' must be a mapping from option to kind%s", "");
    size_t count = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    spec->options = ag_calloc(count + 1, sizeof(*spec->options));
    if (spec->options == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = node_at(parser, pair->key);
        const char *name = scalar(key);
        if (name == NULL || name[0] != '-')
            return fail_at(parser, key, "an option must start with '-'%s", "");
        ag_effect_option *option = &spec->options[spec->option_count];
        ag_status status = parse_option_kind(parser, node_at(parser, pair->value), option);
        if (status != AG_OK)
            return status;
        if ((option->name = ag_strdup(name)) == NULL)
            return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        spec->option_count++;
    }
    return AG_OK;
}

static ag_status parse_role_node(table_parser *parser, const yaml_node_t *node,
                                 ag_effect_role *role, bool allow_repeat, bool *repeat)
{
    const char *text = scalar(node);
    size_t length = text != NULL ? strlen(text) : 0;
    if (allow_repeat && length > 3 && strcmp(text + length - 3, "...") == 0) {
        *repeat = true;
        length -= 3;
    }
    if (text == NULL || !parse_role(text, length, role) || *role == AG_ROLE_VALUE)
        return fail_at(parser, node, "unknown operand role '%s'; see the format at the top of effects.yaml",
                       text != NULL ? text : "(not a word)");
    return AG_OK;
}

static ag_status parse_operands(table_parser *parser, const yaml_node_t *node, ag_effect_spec *spec)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return fail_at(parser, node, "'operands' must be a list of roles%s", "");
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    spec->operands = ag_calloc(count + 1, sizeof(*spec->operands));
    if (spec->operands == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node_at(parser, node->data.sequence.items.start[i]);
        bool repeat = false;
        ag_status status = parse_role_node(parser, item, &spec->operands[i], i + 1 == count,
                                           &repeat);
        if (status != AG_OK)
            return status;
        spec->repeat_last = repeat;
    }
    spec->operand_count = count;
    return AG_OK;
}

static ag_status parse_assignments(table_parser *parser, const yaml_node_t *node,
                                   ag_effect_spec *spec)
{
    if (node->type != YAML_MAPPING_NODE)
        return fail_at(parser, node, "'assignments' must be a mapping from key to role%s", "");
    size_t count = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    spec->assignments = ag_calloc(count + 1, sizeof(*spec->assignments));
    if (spec->assignments == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        ag_effect_assignment *assignment = &spec->assignments[spec->assignment_count];
        bool repeat = false;
        ag_status status = parse_role_node(parser, node_at(parser, pair->value), &assignment->role,
                                           false, &repeat);
        if (status != AG_OK)
            return status;
        const char *key = scalar(node_at(parser, pair->key));
        if (key == NULL)
            return fail_at(parser, node, "an assignment key must be a word%s", "");
        if ((assignment->key = ag_strdup(key)) == NULL)
            return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        spec->assignment_count++;
    }
    return AG_OK;
}

static ag_status parse_flag(table_parser *parser, const yaml_node_t *node, bool *flag)
{
    const char *text = scalar(node);
    if (text == NULL || (strcmp(text, "true") != 0 && strcmp(text, "false") != 0))
        return fail_at(parser, node, "expected true or false, got '%s'", text ? text : "(not a word)");
    *flag = strcmp(text, "true") == 0;
    return AG_OK;
}

static ag_status parse_text(table_parser *parser, const yaml_node_t *node, char **out)
{
    const char *text = scalar(node);
    if (text == NULL)
        return fail_at(parser, node, "expected a word%s", "");
    *out = ag_strdup(text);
    return *out != NULL ? AG_OK : ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

static ag_status parse_spec(table_parser *parser, const char *name, const yaml_node_t *node,
                            ag_effect_spec *spec);

/* Parses `subcommands` or `modules`: a mapping from a name to an entry. */
static ag_status parse_named_entries(table_parser *parser, const yaml_node_t *node,
                                     const char *key, ag_effect_spec **entries, size_t *count)
{
    if (node->type != YAML_MAPPING_NODE)
        return fail_at(parser, node, "'%s' must be a mapping from a name to an entry", key);
    size_t total = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
    *entries = ag_calloc(total + 1, sizeof(**entries));
    if (*entries == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *name = node_at(parser, pair->key);
        if (scalar(name) == NULL)
            return fail_at(parser, name, "a name in '%s' must be a word", key);
        ag_status status = parse_spec(parser, scalar(name), node_at(parser, pair->value),
                                      &(*entries)[(*count)++]);
        if (status != AG_OK)
            return status;
    }
    return AG_OK;
}

static ag_status parse_subcommands(table_parser *parser, const yaml_node_t *node,
                                   ag_effect_spec *spec)
{
    bool nested = parser->in_subcommand;
    parser->in_subcommand = true;
    ag_status status = parse_named_entries(parser, node, "subcommands", &spec->subcommands,
                                           &spec->subcommand_count);
    parser->in_subcommand = nested;
    return status;
}

/*
 * Parses `modules` (python -m NAME). Extraction looks up NAME only in the
 * command's own entry, so modules of a subcommand or of a module are errors.
 */
static ag_status parse_modules(table_parser *parser, const yaml_node_t *node, ag_effect_spec *spec)
{
    if (parser->in_subcommand || parser->in_module)
        return fail_at(parser, node, "'modules' applies to a whole command; put it on the "
                       "command's entry only%s", "");
    parser->in_module = true;
    ag_status status = parse_named_entries(parser, node, "modules", &spec->modules,
                                           &spec->module_count);
    parser->in_module = false;
    return status;
}

static ag_status parse_handler(table_parser *parser, const yaml_node_t *node, ag_effect_spec *spec)
{
    static const struct {
        const char *name;
        ag_effect_handler handler;
    } handlers[] = {
        {"tar", AG_HANDLER_TAR},
        {"git-config", AG_HANDLER_GIT_CONFIG},
        {"git-init", AG_HANDLER_GIT_INIT},
        {"curl", AG_HANDLER_CURL},
        {"parallel", AG_HANDLER_PARALLEL},
        {"git-checkout", AG_HANDLER_GIT_CHECKOUT},
        {"git-switch", AG_HANDLER_GIT_SWITCH},
        {"wget", AG_HANDLER_WGET},
        {"git-lfs-install", AG_HANDLER_GIT_LFS_INSTALL},
        {"pydoc", AG_HANDLER_PYDOC},
    };
    const char *text = scalar(node);
    for (size_t i = 0; text != NULL && i < sizeof(handlers) / sizeof(handlers[0]); i++) {
        if (strcmp(text, handlers[i].name) == 0) {
            spec->handler = handlers[i].handler;
            return AG_OK;
        }
    }
    return fail_at(parser, node, "unknown handler '%s'; the handlers are tar, git-config, "
                   "git-init, curl, parallel, git-checkout, git-switch, wget, "
                   "git-lfs-install and pydoc", text ? text : "(not a word)");
}

static ag_status parse_link_mode(table_parser *parser, const yaml_node_t *node,
                                 ag_effect_spec *spec)
{
    static const struct {
        const char *name;
        ag_link_mode mode;
    } modes[] = {
        {"writes", AG_LINKS_WRITES},
        {"work-tree", AG_LINKS_WORK_TREE},
        {"cwd", AG_LINKS_CWD},
    };
    const char *text = scalar(node);
    for (size_t i = 0; text != NULL && i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(text, modes[i].name) == 0) {
            spec->makes_links = modes[i].mode;
            return AG_OK;
        }
    }
    return fail_at(parser, node, "unknown makes_links value '%s'; the values are writes, "
                   "work-tree and cwd", text ? text : "(not a word)");
}

static ag_status parse_copy_mode(table_parser *parser, const yaml_node_t *node,
                                 ag_effect_spec *spec)
{
    static const struct {
        const char *name;
        ag_copy_mode mode;
    } modes[] = {
        {"names", AG_COPIES_NAMES},
        {"names-or-cwd", AG_COPIES_NAMES_OR_CWD},
        {"slash-contents", AG_COPIES_SLASH_CONTENTS},
    };
    const char *text = scalar(node);
    for (size_t i = 0; text != NULL && i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(text, modes[i].name) == 0) {
            spec->copies_into = modes[i].mode;
            return AG_OK;
        }
    }
    return fail_at(parser, node, "unknown copies_into value '%s'; the values are names, "
                   "names-or-cwd and slash-contents", text ? text : "(not a word)");
}

static ag_status parse_link_options(table_parser *parser, const yaml_node_t *node,
                                    ag_effect_spec *spec)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return fail_at(parser, node, "'makes_links_with' must be a list of options%s", "");
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    spec->link_options = ag_calloc(count + 1, sizeof(*spec->link_options));
    if (spec->link_options == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node_at(parser, node->data.sequence.items.start[i]);
        const char *option = scalar(item);
        if (option == NULL || option[0] != '-' || option[1] == '\0')
            return fail_at(parser, item, "an option in 'makes_links_with' must start with '-'%s", "");
        if ((spec->link_options[i] = ag_strdup(option)) == NULL)
            return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        spec->link_option_count++;
    }
    return AG_OK;
}

/*
 * Parses a list of words into `list`: options that start with '-' when
 * `options`, else file name globs (runs_files).
 */
static ag_status parse_word_list(table_parser *parser, const yaml_node_t *node, const char *key,
                                 bool options, ag_word_list *list)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return fail_at(parser, node, "'%s' must be a list of words", key);
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    list->items = ag_calloc(count + 1, sizeof(*list->items));
    if (list->items == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node_at(parser, node->data.sequence.items.start[i]);
        const char *word = scalar(item);
        if (word == NULL || word[0] == '\0' || (options && (word[0] != '-' || word[1] == '\0')))
            return fail_at(parser, item, options ? "an item of '%s' must be an option that "
                                                   "starts with '-'"
                                                 : "an item of '%s' must be a file name or glob",
                           key);
        if ((list->items[i] = ag_strdup(word)) == NULL)
            return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        list->count++;
    }
    return AG_OK;
}

static ag_status parse_tree_mode(table_parser *parser, const yaml_node_t *node,
                                 ag_effect_spec *spec)
{
    const char *text = scalar(node);
    if (text != NULL && strcmp(text, "read") == 0)
        spec->tree = AG_TREE_READ;
    else if (text != NULL && strcmp(text, "write") == 0)
        spec->tree = AG_TREE_WRITE;
    else if (text != NULL && strcmp(text, "read-write") == 0)
        spec->tree = AG_TREE_READ_WRITE;
    else
        return fail_at(parser, node, "unknown tree value '%s'; the values are read, write and "
                       "read-write",
                       text != NULL ? text : "(not a word)");
    return AG_OK;
}

/* Parses the keys about trees and the files a command runs; returns false for another key. */
static bool parse_walk_key(table_parser *parser, const char *key, const yaml_node_t *value,
                           ag_effect_spec *spec, ag_status *status)
{
    if (strcmp(key, "tree") == 0)
        *status = parse_tree_mode(parser, value, spec);
    else if (strcmp(key, "tree_with") == 0)
        *status = parse_word_list(parser, value, key, true, &spec->tree_options);
    else if (strcmp(key, "follows_links") == 0)
        *status = parse_flag(parser, value, &spec->follows_links);
    else if (strcmp(key, "follows_links_with") == 0)
        *status = parse_word_list(parser, value, key, true, &spec->follow_options);
    else if (strcmp(key, "follows_links_unless") == 0)
        *status = parse_word_list(parser, value, key, true, &spec->no_follow_options);
    else if (strcmp(key, "runs_files") == 0)
        *status = parse_word_list(parser, value, key, false, &spec->runs_files);
    else if (strcmp(key, "writes") == 0)
        *status = parse_word_list(parser, value, key, false, &spec->writes);
    else if (strcmp(key, "writes_anywhere") == 0)
        *status = parse_flag(parser, value, &spec->writes_anywhere);
    else if (strcmp(key, "writes_anywhere_with") == 0)
        *status = parse_word_list(parser, value, key, true, &spec->anywhere_options);
    else if (strcmp(key, "writes_anywhere_unless") == 0)
        *status = parse_word_list(parser, value, key, true, &spec->no_anywhere_options);
    else if (strcmp(key, "writes_no_code") == 0)
        *status = parse_flag(parser, value, &spec->writes_no_code);
    else if (strcmp(key, "loads_node_modules") == 0)
        *status = parse_flag(parser, value, &spec->loads_node_modules);
    else if (strcmp(key, "loads_site_packages") == 0)
        *status = parse_flag(parser, value, &spec->loads_site_packages);
    else if (strcmp(key, "default_read") == 0)
        *status = parse_text(parser, value, &spec->default_read);
    else if (strcmp(key, "default_read_with") == 0)
        *status = parse_word_list(parser, value, key, true, &spec->default_read_options);
    else
        return false;
    return true;
}

/*
 * Rejects tree keys that would be ignored: tree_with and follows_links
 * without tree, the follows_links lists without follows_links: true, the
 * writes_anywhere lists without writes_anywhere: true and default_read_with
 * without default_read.
 */
static ag_status check_walk_keys(table_parser *parser, const yaml_node_t *node,
                                 const ag_effect_spec *spec)
{
    bool follow_lists = spec->follow_options.count > 0 || spec->no_follow_options.count > 0;
    if (spec->tree == AG_TREE_NONE && (spec->tree_options.count > 0 || spec->follows_links))
        return fail_at(parser, node, "the entry of '%s' sets tree_with or follows_links "
                       "without tree", spec->name);
    if (!spec->follows_links && follow_lists)
        return fail_at(parser, node, "the entry of '%s' lists follows_links options without "
                       "follows_links: true", spec->name);
    bool anywhere_lists = spec->anywhere_options.count > 0 || spec->no_anywhere_options.count > 0;
    if (!spec->writes_anywhere && anywhere_lists)
        return fail_at(parser, node, "the entry of '%s' lists writes_anywhere options without "
                       "writes_anywhere: true", spec->name);
    if (spec->default_read == NULL && spec->default_read_options.count > 0)
        return fail_at(parser, node, "the entry of '%s' sets default_read_with without "
                       "default_read", spec->name);
    return AG_OK;
}

/*
 * Parses the keys that name which paths may hold links. Extraction reads them
 * from the command's own entry or its module's, never from a subcommand's,
 * so there they are an error instead of a key that is silently ignored.
 */
static ag_status parse_link_key(table_parser *parser, const char *key, const yaml_node_t *value,
                                const yaml_node_t *key_node, ag_effect_spec *spec)
{
    if (parser->in_subcommand)
        return fail_at(parser, key_node, "'%s' applies to a whole command; put it on the "
                       "command's entry, not on a subcommand", key);
    if (strcmp(key, "makes_links") == 0)
        return parse_link_mode(parser, value, spec);
    return parse_link_options(parser, value, spec);
}

/* Parses one key of an entry; `aliases` was already read by the caller. */
static ag_status parse_key(table_parser *parser, const char *key, const yaml_node_t *value,
                           const yaml_node_t *key_node, ag_effect_spec *spec)
{
    if (strcmp(key, "aliases") == 0)
        return AG_OK;
    if (strcmp(key, "options") == 0)
        return parse_options(parser, value, spec);
    if (strcmp(key, "operands") == 0)
        return parse_operands(parser, value, spec);
    if (strcmp(key, "last") == 0) {
        bool repeat = false;
        spec->has_last = true;
        return parse_role_node(parser, value, &spec->last, false, &repeat);
    }
    if (strcmp(key, "assignments") == 0)
        return parse_assignments(parser, value, spec);
    if (strcmp(key, "remote_operands") == 0)
        return parse_flag(parser, value, &spec->remote_operands);
    if (strcmp(key, "pathspecs") == 0)
        return parse_flag(parser, value, &spec->pathspecs);
    if (strcmp(key, "revisions_before_dash_dash") == 0)
        return parse_flag(parser, value, &spec->revisions_before_dash_dash);
    if (strcmp(key, "options_first") == 0)
        return parse_flag(parser, value, &spec->options_first);
    if (strcmp(key, "single_dash_long") == 0)
        return parse_flag(parser, value, &spec->single_dash_long);
    if (strcmp(key, "stop_at_option") == 0)
        return parse_flag(parser, value, &spec->stop_at_option);
    if (strcmp(key, "dashless_first") == 0)
        return parse_flag(parser, value, &spec->dashless_first);
    if (strcmp(key, "short_equals") == 0)
        return parse_flag(parser, value, &spec->short_equals);
    if (strcmp(key, "minus_negates") == 0)
        return parse_flag(parser, value, &spec->minus_negates);
    if (strcmp(key, "strict_options") == 0)
        return parse_flag(parser, value, &spec->strict_options);
    if (strcmp(key, "long_prefixes") == 0) {
        bool prefixes = true;
        ag_status status = parse_flag(parser, value, &prefixes);
        spec->exact_long_options = !prefixes;
        return status;
    }
    if (strcmp(key, "default_write") == 0)
        return parse_text(parser, value, &spec->default_write);
    if (strcmp(key, "default_unpack") == 0)
        return parse_text(parser, value, &spec->default_unpack);
    if (strcmp(key, "default_network") == 0)
        return parse_text(parser, value, &spec->default_network);
    if (strcmp(key, "handler") == 0)
        return parse_handler(parser, value, spec);
    if (strcmp(key, "subcommands") == 0)
        return parse_subcommands(parser, value, spec);
    if (strcmp(key, "subcommands_anywhere") == 0)
        return parse_flag(parser, value, &spec->subcommands_anywhere);
    if (strcmp(key, "makes_links") == 0 || strcmp(key, "makes_links_with") == 0)
        return parse_link_key(parser, key, value, key_node, spec);
    if (strcmp(key, "copies_into") == 0)
        return parse_copy_mode(parser, value, spec);
    if (strcmp(key, "modules") == 0)
        return parse_modules(parser, value, spec);
    ag_status status = AG_OK;
    if (parse_walk_key(parser, key, value, spec, &status))
        return status;
    return fail_at(parser, key_node, "unknown key '%s' in an effects entry", key);
}

/* Appends `length` bytes of `word` to `items`, grown by one, unless it is there already. */
static bool append_word(char ***items, size_t *count, const char *word, size_t length)
{
    for (size_t i = 0; i < *count; i++) {
        if (strlen((*items)[i]) == length && memcmp((*items)[i], word, length) == 0)
            return true;
    }
    char **grown = ag_calloc(*count + 2, sizeof(*grown));
    char *copy = ag_strndup(word, length);
    if (grown == NULL || copy == NULL) {
        ag_free(grown);
        ag_free(copy);
        return false;
    }
    if (*count > 0)
        memcpy(grown, *items, *count * sizeof(*grown));
    ag_free(*items);
    grown[(*count)++] = copy;
    *items = grown;
    return true;
}

/*
 * Adds every abbreviation of each `--` option in a list of options that
 * turn a key on (--recur for --recursive), because getopt_long() and
 * argparse accept any unambiguous prefix of a long option. An ambiguous
 * one makes those tools fail, so counting it too is only stricter.
 */
static bool abbreviate_list(char ***items, size_t *count)
{
    size_t listed = *count;
    for (size_t i = 0; i < listed; i++) {
        const char *option = (*items)[i];
        size_t length = strlen(option);
        if (strncmp(option, "--", 2) != 0)
            continue;
        for (size_t prefix = 3; prefix < length; prefix++) {
            if (!append_word(items, count, option, prefix))
                return false;
        }
    }
    return true;
}

/*
 * Abbreviates the options of tree_with, follows_links_with,
 * makes_links_with, writes_anywhere_with and default_read_with. The
 * _unless lists are left as written, because an abbreviation there would
 * turn an effect off.
 */
static ag_status add_abbreviations(table_parser *parser, ag_effect_spec *spec)
{
    if (spec->exact_long_options)
        return AG_OK;
    bool ok = abbreviate_list(&spec->tree_options.items, &spec->tree_options.count)
              && abbreviate_list(&spec->follow_options.items, &spec->follow_options.count)
              && abbreviate_list(&spec->link_options, &spec->link_option_count)
              && abbreviate_list(&spec->anywhere_options.items, &spec->anywhere_options.count)
              && abbreviate_list(&spec->default_read_options.items,
                                 &spec->default_read_options.count);
    return ok ? AG_OK : ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
}

static ag_status parse_spec(table_parser *parser, const char *name, const yaml_node_t *node,
                            ag_effect_spec *spec)
{
    if ((spec->name = ag_strdup(name)) == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0)
        return AG_OK;
    if (node->type != YAML_MAPPING_NODE)
        return fail_at(parser, node, "the entry of '%s' must be a mapping", name);

    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = node_at(parser, pair->key);
        if (scalar(key) == NULL)
            return fail_at(parser, key, "a key must be a word%s", "");
        ag_status status = parse_key(parser, scalar(key), node_at(parser, pair->value), key, spec);
        if (status != AG_OK)
            return status;
    }
    ag_status status = add_abbreviations(parser, spec);
    return status != AG_OK ? status : check_walk_keys(parser, node, spec);
}

static void clear_word_list(ag_word_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        ag_free(list->items[i]);
    ag_free(list->items);
}

static void clear_spec(ag_effect_spec *spec)
{
    ag_free(spec->name);
    for (size_t i = 0; i < spec->option_count; i++)
        ag_free(spec->options[i].name);
    ag_free(spec->options);
    ag_free(spec->operands);
    for (size_t i = 0; i < spec->assignment_count; i++)
        ag_free(spec->assignments[i].key);
    ag_free(spec->assignments);
    ag_free(spec->default_write);
    ag_free(spec->default_unpack);
    ag_free(spec->default_network);
    for (size_t i = 0; i < spec->subcommand_count; i++)
        clear_spec(&spec->subcommands[i]);
    ag_free(spec->subcommands);
    for (size_t i = 0; i < spec->link_option_count; i++)
        ag_free(spec->link_options[i]);
    ag_free(spec->link_options);
    for (size_t i = 0; i < spec->module_count; i++)
        clear_spec(&spec->modules[i]);
    ag_free(spec->modules);
    clear_word_list(&spec->tree_options);
    clear_word_list(&spec->follow_options);
    clear_word_list(&spec->no_follow_options);
    clear_word_list(&spec->runs_files);
    clear_word_list(&spec->anywhere_options);
    clear_word_list(&spec->no_anywhere_options);
    ag_free(spec->default_read);
    clear_word_list(&spec->default_read_options);
    clear_word_list(&spec->writes);
}

void ag_effects_table_free(ag_effects_table *table)
{
    if (table == NULL)
        return;
    for (size_t i = 0; i < table->spec_count; i++)
        clear_spec(&table->specs[i]);
    ag_free(table->specs);
    ag_free(table);
}

static size_t alias_count(table_parser *parser, const yaml_node_t *entry)
{
    if (entry->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *pair = entry->data.mapping.pairs.start;
         pair < entry->data.mapping.pairs.top; pair++) {
        const char *key = scalar(node_at(parser, pair->key));
        yaml_node_t *value = node_at(parser, pair->value);
        if (key != NULL && strcmp(key, "aliases") == 0 && value->type == YAML_SEQUENCE_NODE)
            return (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
    }
    return 0;
}

/* Adds the entry under `name` and once more under each alias. */
static ag_status add_entry(table_parser *parser, ag_effects_table *table, const char *name,
                           const yaml_node_t *entry)
{
    ag_status status = parse_spec(parser, name, entry, &table->specs[table->spec_count++]);
    if (status != AG_OK || entry->type != YAML_MAPPING_NODE)
        return status;

    for (yaml_node_pair_t *pair = entry->data.mapping.pairs.start;
         pair < entry->data.mapping.pairs.top; pair++) {
        const char *key = scalar(node_at(parser, pair->key));
        yaml_node_t *value = node_at(parser, pair->value);
        if (key == NULL || strcmp(key, "aliases") != 0)
            continue;
        if (value->type != YAML_SEQUENCE_NODE)
            return fail_at(parser, value, "'aliases' must be a list of names%s", "");
        for (yaml_node_item_t *item = value->data.sequence.items.start;
             item < value->data.sequence.items.top; item++) {
            const char *alias = scalar(node_at(parser, *item));
            if (alias == NULL)
                return fail_at(parser, value, "an alias must be a word%s", "");
            status = parse_spec(parser, alias, entry, &table->specs[table->spec_count++]);
            if (status != AG_OK)
                return status;
        }
    }
    return AG_OK;
}

/* Finds a spec while the table is parsed, before it is sorted. */
static const ag_effect_spec *find_parsed(const ag_effects_table *table, const char *name)
{
    for (size_t i = 0; i < table->spec_count; i++) {
        if (table->specs[i].name != NULL && strcmp(table->specs[i].name, name) == 0)
            return &table->specs[i];
    }
    return NULL;
}

static int compare_specs(const void *a, const void *b)
{
    return strcmp(((const ag_effect_spec *)a)->name, ((const ag_effect_spec *)b)->name);
}

static ag_status parse_commands(table_parser *parser, ag_effects_table *table)
{
    yaml_node_t *root = yaml_document_get_root_node(parser->document);
    if (root == NULL || root->type != YAML_MAPPING_NODE)
        return fail_at(parser, root, "the effects table must be a mapping with the key 'commands'%s", "");

    yaml_node_t *commands = NULL;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        const char *key = scalar(node_at(parser, pair->key));
        if (key == NULL || strcmp(key, "commands") != 0)
            return fail_at(parser, node_at(parser, pair->key), "unknown top-level key '%s'",
                           key ? key : "(not a word)");
        commands = node_at(parser, pair->value);
    }
    if (commands == NULL || commands->type != YAML_MAPPING_NODE)
        return fail_at(parser, root, "'commands' must be a mapping from command name to entry%s", "");

    size_t count = 0;
    for (yaml_node_pair_t *pair = commands->data.mapping.pairs.start;
         pair < commands->data.mapping.pairs.top; pair++)
        count += 1 + alias_count(parser, node_at(parser, pair->value));
    table->specs = ag_calloc(count + 1, sizeof(*table->specs));
    if (table->specs == NULL)
        return ag_error_set(parser->error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    for (yaml_node_pair_t *pair = commands->data.mapping.pairs.start;
         pair < commands->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = node_at(parser, pair->key);
        if (scalar(key) == NULL)
            return fail_at(parser, key, "a command name must be a word%s", "");
        if (find_parsed(table, scalar(key)) != NULL)
            return fail_at(parser, key, "the command '%s' has two entries", scalar(key));
        ag_status status = add_entry(parser, table, scalar(key), node_at(parser, pair->value));
        if (status != AG_OK)
            return status;
    }

    /* Sorted for ag_effects_table_find(), and compile.c writes the specs in this order. */
    qsort(table->specs, table->spec_count, sizeof(*table->specs), compare_specs);
    if (!ag_effects_table_index_names(table))
        return fail_at(parser, commands,
                       "the table has more commands than half of AG_EFFECTS_NAME_SLOTS; "
                       "raise it in effects.h%s", "");
    for (size_t i = 1; i < table->spec_count; i++) {
        /* An alias can repeat a name that the key check above does not see. */
        if (strcmp(table->specs[i - 1].name, table->specs[i].name) == 0)
            return fail_at(parser, commands, "the command '%s' has two entries",
                           table->specs[i].name);
    }
    return AG_OK;
}

ag_effects_table *ag_effects_table_parse(const char *name, const char *text, size_t length,
                                         ag_error **error)
{
    yaml_parser_t yaml;
    yaml_document_t document;
    if (!yaml_parser_initialize(&yaml)) {
        ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&yaml, (const unsigned char *)text, length);
    if (!yaml_parser_load(&yaml, &document)) {
        ag_error_set(error, AG_ERR_YAML, name, (unsigned)yaml.problem_mark.line + 1,
                     (unsigned)yaml.problem_mark.column + 1, "invalid YAML: %s",
                     yaml.problem != NULL ? yaml.problem : "unknown problem");
        yaml_parser_delete(&yaml);
        return NULL;
    }

    ag_effects_table *table = ag_calloc(1, sizeof(*table));
    table_parser parser = {.document = &document, .name = name, .error = error};
    ag_status status = table != NULL ? parse_commands(&parser, table)
                                     : ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    yaml_document_delete(&document);
    yaml_parser_delete(&yaml);
    if (status != AG_OK) {
        ag_effects_table_free(table);
        return NULL;
    }
    return table;
}

ag_effects_table *ag_effects_table_load(ag_error **error)
{
    return ag_effects_table_parse("effects.yaml", ag_effects_yaml, ag_effects_yaml_length, error);
}

/* FNV-1a of the name's bytes. */
static uint32_t name_hash(const char *name)
{
    uint32_t hash = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++)
        hash = (hash ^ *c) * 16777619u;
    return hash;
}

bool ag_effects_table_index_names(ag_effects_table *table)
{
    memset(table->name_slots, 0, sizeof(table->name_slots));
    if (table->spec_count > AG_EFFECTS_NAME_SLOTS / 2)
        return false;
    for (size_t i = 0; i < table->spec_count; i++) {
        size_t slot = name_hash(table->specs[i].name) % AG_EFFECTS_NAME_SLOTS;
        while (table->name_slots[slot] != 0)
            slot = (slot + 1) % AG_EFFECTS_NAME_SLOTS;
        table->name_slots[slot] = (uint16_t)(i + 1);
    }
    return true;
}

static const ag_effect_spec *find_exact(const ag_effects_table *table, const char *name)
{
    /* The table is at most half full, so a search ends at an empty slot. */
    size_t slot = name_hash(name) % AG_EFFECTS_NAME_SLOTS;
    for (uint16_t entry; (entry = table->name_slots[slot]) != 0;) {
        const ag_effect_spec *spec = &table->specs[entry - 1];
        if (strcmp(spec->name, name) == 0)
            return spec;
        slot = (slot + 1) % AG_EFFECTS_NAME_SLOTS;
    }
    return NULL;
}

/*
 * Returns the length of `name` before a version suffix of digits and dots
 * that starts with a digit (python3.11, pip3.12, perl5.36), or 0 when it
 * has none or is nothing else.
 */
static size_t unversioned_length(const char *name)
{
    size_t length = strlen(name);
    size_t end = length;
    while (end > 0 && (isdigit((unsigned char)name[end - 1]) || name[end - 1] == '.'))
        end--;
    while (end < length && name[end] == '.')
        end++;
    return end < length && end > 0 ? end : 0;
}

const ag_effect_spec *ag_effects_table_find(const ag_effects_table *table, const char *name)
{
    const ag_effect_spec *spec = find_exact(table, name);
    if (spec != NULL)
        return spec;

    /* Versioned names of interpreters and tools (python3.11) share the entry of
       their base name, since aliases can list only the versions known today. */
    char base[64];
    size_t length = unversioned_length(name);
    if (length == 0 || length >= sizeof(base))
        return NULL;
    memcpy(base, name, length);
    base[length] = '\0';
    return find_exact(table, base);
}
