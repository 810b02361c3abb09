/*
 * The public policy API: a builder collects policy sources, and build()
 * compiles them into an immutable ag_policy.
 *
 * Each add parses its source at once, so that its errors come back from the
 * add call, and appends the result to a policy that the builder keeps. A
 * failed add leaves that policy as it was. build() takes the policy over and
 * finishes it, so each source is parsed once. The builder also keeps each
 * source's text, because the next add or build after a build parses them again.
 */
/* realpath() is an XSI function; _POSIX_C_SOURCE alone does not declare it. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/sha256.h"
#include "effects/effects.h"
#include "policy/model.h"
#include "policy/forms.h"
#include "policy/policy.h"

/*
 * Largest policy file read. Policies are hand-written lists of rules, so this
 * only stops a wrong path (a device, a log) from being read into memory.
 */
#define AG_POLICY_MAX_FILE_BYTES (16u * 1024 * 1024)

struct ag_policy_builder {
    ag_policy_source *sources;
    size_t source_count;

    /*
     * The sources parsed so far, in order, without JIT, and merged as build()
     * needs them. NULL after build() took them over: the next add or build
     * parses the sources again from their text.
     */
    ag_policy *parsed;
    bool has_default;    /* a source in `parsed` set `default:` */
};

ag_policy_builder *ag_policy_builder_new(void)
{
    return ag_calloc(1, sizeof(ag_policy_builder));
}

static void free_source(ag_policy_source *source)
{
    ag_free(source->name);
    ag_free(source->text);
    ag_free(source->directory);
    ag_free(source->anchor);
}

void ag_policy_builder_free(ag_policy_builder *builder)
{
    if (builder == NULL)
        return;
    for (size_t i = 0; i < builder->source_count; i++)
        free_source(&builder->sources[i]);
    ag_free(builder->sources);
    ag_policy_free(builder->parsed);
    ag_free(builder);
}

/* Keeps the smallest non-zero value of each limit. */
static void merge_limits(ag_shell_limits *merged, const ag_shell_limits *source)
{
    if (source->max_input_bytes != 0
        && (merged->max_input_bytes == 0 || source->max_input_bytes < merged->max_input_bytes))
        merged->max_input_bytes = source->max_input_bytes;
    if (source->max_depth != 0
        && (merged->max_depth == 0 || source->max_depth < merged->max_depth))
        merged->max_depth = source->max_depth;
    if (source->max_commands != 0
        && (merged->max_commands == 0 || source->max_commands < merged->max_commands))
        merged->max_commands = source->max_commands;
    if (source->timeout_micros != 0
        && (merged->timeout_micros == 0 || source->timeout_micros < merged->timeout_micros))
        merged->timeout_micros = source->timeout_micros;
}

/*
 * Parses one source into `policy` and merges what it sets. On failure
 * `policy` and *has_default are left as they were.
 */
static ag_status add_to_policy(ag_policy *policy, const ag_policy_source *source,
                               bool *has_default, ag_error **error)
{
    ag_policy_settings settings;
    size_t first_rule = policy->rule_count;
    ag_status status = ag_policy_parse_source(policy, source, &settings, error);
    if (status != AG_OK)
        return status;
    ag_model_merge_source(policy, first_rule, &settings, source->layer);

    if (settings.has_default) {
        if (!*has_default || settings.default_decision > policy->default_decision)
            policy->default_decision = settings.default_decision;
        *has_default = true;
    }
    merge_limits(&policy->limits, &settings.limits);
    return AG_OK;
}

/* Parses the stored sources again when a build took over what their adds parsed. */
static ag_status ensure_parsed(ag_policy_builder *builder, ag_error **error)
{
    if (builder->parsed != NULL)
        return AG_OK;
    ag_policy *policy = ag_calloc(1, sizeof(*policy));
    if (policy == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    bool has_default = false;
    ag_status status = AG_OK;
    for (size_t i = 0; i < builder->source_count && status == AG_OK; i++)
        status = add_to_policy(policy, &builder->sources[i], &has_default, error);
    if (status != AG_OK) {
        ag_policy_free(policy);
        return status;
    }
    builder->parsed = policy;
    builder->has_default = has_default;
    return AG_OK;
}

/*
 * Parses `source` into the builder's policy and, on success, takes ownership
 * of the source's strings. On failure the builder is left as it was.
 */
static ag_status add_source(ag_policy_builder *builder, const ag_policy_source *source,
                            ag_error **error)
{
    ag_status status = ensure_parsed(builder, error);
    if (status != AG_OK)
        return status;

    /* Grown first, so that nothing can fail once the source is parsed. */
    ag_policy_source *sources = ag_realloc(builder->sources,
                                           (builder->source_count + 1) * sizeof(*sources));
    if (sources == NULL)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    builder->sources = sources;

    status = add_to_policy(builder->parsed, source, &builder->has_default, error);
    if (status != AG_OK)
        return status;
    sources[builder->source_count++] = *source;
    return AG_OK;
}

/*
 * Rejects a layer outside ag_layer before any file is read or text parsed, so
 * the caller gets AG_ERR_ARGUMENT, as the header promises, and not the error
 * of a source that was never meant to load.
 */
static ag_status check_layer(ag_layer layer, ag_error **error)
{
    if ((unsigned)layer > AG_LAYER_USER)
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                            "the layer %d is not an ag_layer value", (int)layer);
    return AG_OK;
}

ag_status ag_policy_builder_add_string(ag_policy_builder *builder, const char *name,
                                       const char *text, size_t length, ag_error **error)
{
    return ag_policy_builder_add_string_in_layer(builder, name, text, length,
                                                 AG_LAYER_COMMAND_LINE, error);
}

ag_status ag_policy_builder_add_string_in_layer(ag_policy_builder *builder, const char *name,
                                                const char *text, size_t length,
                                                ag_layer layer, ag_error **error)
{
    if (builder == NULL || (text == NULL && length > 0))
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                            "ag_policy_builder_add_string: builder or text is NULL");
    if (check_layer(layer, error) != AG_OK)
        return AG_ERR_ARGUMENT;
    if (name == NULL)
        name = "<string>";

    ag_policy_source source = {ag_strdup(name), ag_strndup(text != NULL ? text : "", length),
                               length, NULL, NULL, layer};
    ag_status status = source.name != NULL && source.text != NULL
                           ? add_source(builder, &source, error)
                           : ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    if (status != AG_OK)
        free_source(&source);
    return status;
}

static ag_status io_error(ag_error **error, const char *path, const char *action)
{
    char reason[256];
    if (strerror_r(errno, reason, sizeof(reason)) != 0)
        snprintf(reason, sizeof(reason), "error %d", errno);
    return ag_error_set(error, AG_ERR_IO, path, 0, 0,
                        "cannot %s the policy file: %s; check the path and its permissions",
                        action, reason);
}

/* Reads a whole file into a NUL-terminated buffer. */
static ag_status read_file(const char *path, ag_buffer *content, ag_error **error)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return io_error(error, path, "open");

    char chunk[8192];
    size_t got;
    ag_buffer_append(content, "", 0);
    while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0) {
        if (content->length + got > AG_POLICY_MAX_FILE_BYTES) {
            fclose(file);
            return ag_error_set(error, AG_ERR_LIMIT, path, 0, 0,
                                "the policy file is larger than the maximum of %u bytes "
                                "(16 MiB); split its rules into several files",
                                AG_POLICY_MAX_FILE_BYTES);
        }
        ag_buffer_append(content, chunk, got);
    }

    bool failed = ferror(file) != 0;
    int saved = errno;
    fclose(file);
    if (failed) {
        errno = saved;
        return io_error(error, path, "read");
    }
    if (content->failed)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return AG_OK;
}

/* Returns the absolute form of `directory` with its links resolved, or NULL. */
static char *resolve_directory(const char *directory)
{
    char *resolved = realpath(directory, NULL);
    if (resolved == NULL)
        return NULL;
    char *copy = ag_strdup(resolved);
    free(resolved);    /* realpath() allocates with malloc() */
    return copy;
}

/* Returns the directory part of `path` as written: "." for a bare name, "/" for the root. */
static char *written_directory(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return ag_strdup(".");
    return ag_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/*
 * Returns the absolute directory of the policy file at `path` (links in the
 * directory resolved, the file name kept), which protects the file and
 * anchors its relative additional directories, or NULL when it cannot be
 * resolved.
 * TODO(paths): a NULL directory anchors `/path` rules at the request's cwd.
 */
static char *file_directory(const char *path)
{
    char *directory = written_directory(path);
    if (directory == NULL)
        return NULL;
    char *resolved = resolve_directory(directory);
    ag_free(directory);
    return resolved;
}

static bool is_claude_directory(const char *name, size_t length)
{
    return length == 7 && memcmp(name, ".claude", 7) == 0;
}

/*
 * Returns the project root that `/path` rules of a project or local
 * settings file start at, or NULL to keep the file's directory. Claude Code
 * reads both files from `<root>/.claude/` and anchors `/path` in them at the
 * project root: `Edit(/src/x.c)` in `<root>/.claude/settings.json` is
 * `<root>/src/x.c`. The root is the parent of the `.claude` directory as
 * written, so that a `.claude` that is a link to another place still
 * anchors at the project. A `.claude` reached only by resolving links
 * (`settings.json` given inside it) gives the parent of the resolved one.
 */
static char *settings_anchor(const char *path, const char *directory, ag_layer layer)
{
    if (!ag_load_is_settings_name(path)
        || (layer != AG_LAYER_PROJECT && layer != AG_LAYER_LOCAL_PROJECT) || directory == NULL)
        return NULL;

    char *written = written_directory(path);
    if (written == NULL)
        return NULL;
    const char *slash = strrchr(written, '/');
    const char *name = slash != NULL ? slash + 1 : written;
    char *root = NULL;
    if (is_claude_directory(name, strlen(name))) {
        /* "x/.claude" gives "x", "/.claude" gives "/" and ".claude" gives ".". */
        size_t root_length = 0;
        if (slash == written)
            root_length = 1;
        else if (slash != NULL)
            root_length = (size_t)(slash - written);
        written[root_length] = '\0';
        root = resolve_directory(root_length > 0 ? written : ".");
    }
    ag_free(written);
    if (root != NULL)
        return root;

    slash = strrchr(directory, '/');
    if (slash == NULL || !is_claude_directory(slash + 1, strlen(slash + 1)))
        return NULL;
    return ag_strndup(directory, slash == directory ? 1 : (size_t)(slash - directory));
}

ag_status ag_policy_builder_add_file(ag_policy_builder *builder, const char *path,
                                     ag_error **error)
{
    return ag_policy_builder_add_file_in_layer(builder, path, AG_LAYER_COMMAND_LINE, error);
}

ag_status ag_policy_builder_add_file_in_layer(ag_policy_builder *builder, const char *path,
                                              ag_layer layer, ag_error **error)
{
    if (builder == NULL || path == NULL)
        return ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                            "ag_policy_builder_add_file: builder or path is NULL");
    if (check_layer(layer, error) != AG_OK)
        return AG_ERR_ARGUMENT;

    ag_buffer content;
    ag_buffer_init(&content);
    ag_status status = read_file(path, &content, error);
    if (status != AG_OK) {
        ag_buffer_release(&content);
        return status;
    }

    /* The parse anchors `/path` rules at the directory or the anchor, so both are resolved. */
    char *directory = file_directory(path);
    ag_policy_source source = {ag_strdup(path), content.data, content.length, directory,
                               settings_anchor(path, directory, layer), layer};
    status = source.name != NULL ? add_source(builder, &source, error)
                                 : ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0,
                                                "out of memory");
    if (status != AG_OK)
        free_source(&source);
    return status;
}

static void apply_default_limits(ag_shell_limits *limits)
{
    if (limits->max_input_bytes == 0)
        limits->max_input_bytes = AG_SHELL_DEFAULT_MAX_INPUT_BYTES;
    if (limits->max_depth == 0)
        limits->max_depth = AG_SHELL_DEFAULT_MAX_DEPTH;
    if (limits->max_commands == 0)
        limits->max_commands = AG_SHELL_DEFAULT_MAX_COMMANDS;
    if (limits->timeout_micros == 0)
        limits->timeout_micros = AG_SHELL_DEFAULT_TIMEOUT_MICROS;
}

/* Protects a policy file from writes: its resolved directory and its file name. */
static ag_status add_policy_path(ag_policy *policy, const ag_policy_source *source)
{
    const char *slash = strrchr(source->name, '/');
    const char *base = slash != NULL ? slash + 1 : source->name;
    ag_buffer path;
    ag_buffer_init(&path);
    ag_buffer_append_string(&path, source->directory);
    if (strcmp(source->directory, "/") != 0)
        ag_buffer_append_char(&path, '/');
    ag_buffer_append_string(&path, base);
    ag_buffer_append(&path, "", 0);
    ag_status status = path.failed ? AG_ERR_NOMEM : ag_model_add_policy_path(policy, path.data, source->layer);
    ag_buffer_release(&path);
    return status;
}

/* Feeds "LENGTH:BYTES," so that no two lists of sources hash the same bytes. */
static void hash_netstring(ag_sha256 *context, const char *bytes, size_t length)
{
    char prefix[32];
    int prefix_length = snprintf(prefix, sizeof(prefix), "%zu:", length);
    ag_sha256_update(context, prefix, (size_t)prefix_length);
    ag_sha256_update(context, bytes, length);
    ag_sha256_update(context, ",", 1);
}

/* Stores the digest that ag_policy_digest() documents. */
static void compute_digest(ag_policy *policy, const ag_policy_source *sources, size_t count)
{
    ag_sha256 context;
    unsigned char digest[AG_SHA256_DIGEST_BYTES];
    ag_sha256_init(&context);
    for (size_t i = 0; i < count; i++) {
        hash_netstring(&context, sources[i].name, strlen(sources[i].name));
        hash_netstring(&context, sources[i].text, sources[i].length);
    }
    ag_sha256_final(&context, digest);
    ag_sha256_to_hex(digest, policy->digest);
}

/* Protects every policy file of the sources from writes, in the order added. */
static ag_status add_policy_paths(ag_policy *policy, const ag_policy_source *sources,
                                  size_t count, ag_error **error)
{
    for (size_t i = 0; i < count; i++)
        if (sources[i].directory != NULL && add_policy_path(policy, &sources[i]) != AG_OK)
            return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
    return AG_OK;
}

/* JIT-compiles the rules the policy kept: the adds parsed them without JIT. */
static void jit_rules(ag_policy *policy)
{
    for (size_t i = 0; i < policy->rule_count; i++)
        ag_rule_jit(&policy->rules[i]);
}

static ag_policy_source builtin_source(void)
{
    const char *text = ag_default_policy_text();
    ag_policy_source builtin = {AG_DEFAULT_POLICY_NAME, (char *)text, strlen(text), NULL, NULL,
                                AG_LAYER_COMMAND_LINE};
    return builtin;
}

/*
 * Returns the parsed sources for build() to finish. This is the builder's own
 * policy, which the builder gives up, or the built-in default when no source
 * was added.
 */
static ag_policy *take_parsed(ag_policy_builder *builder, const ag_policy_source *builtin,
                              bool *has_default, ag_error **error)
{
    if (builder->source_count > 0) {
        if (ensure_parsed(builder, error) != AG_OK)
            return NULL;
        ag_policy *policy = builder->parsed;
        *has_default = builder->has_default;
        builder->parsed = NULL;
        builder->has_default = false;
        return policy;
    }

    ag_policy *policy = ag_calloc(1, sizeof(*policy));
    if (policy == NULL) {
        ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    *has_default = false;
    if (add_to_policy(policy, builtin, has_default, error) != AG_OK) {
        ag_policy_free(policy);
        return NULL;
    }
    return policy;
}

/* Finishes the parsed sources into a policy that checkers can use. */
static ag_status finish_policy(ag_policy *policy, const ag_policy_source *sources, size_t count,
                               bool has_default, ag_error **error)
{
    ag_status status = add_policy_paths(policy, sources, count, error);
    if (status != AG_OK)
        return status;
    ag_model_finish(policy);

    /* After ag_model_finish(), so that the allow rules it drops cost no JIT. */
    jit_rules(policy);

    /* Parsed at build time: an invalid effects.yaml fails the library's build. */
    policy->effects = ag_effects_table_builtin();

    if (!has_default)
        policy->default_decision = AG_ASK;
    apply_default_limits(&policy->limits);
    compute_digest(policy, sources, count);

    if (ag_policy_index_build(policy) != AG_OK)
        return ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");

    /* Needs the finished policy: it checks rule examples with a checker. */
    return ag_forms_finish(policy, error);
}

ag_policy *ag_policy_builder_build(ag_policy_builder *builder, ag_error **error)
{
    if (builder == NULL) {
        ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0, "ag_policy_builder_build: builder is NULL");
        return NULL;
    }

    ag_policy_source builtin = builtin_source();
    const ag_policy_source *sources = builder->source_count > 0 ? builder->sources : &builtin;
    size_t count = builder->source_count > 0 ? builder->source_count : 1;

    bool has_default = false;
    ag_policy *policy = take_parsed(builder, &builtin, &has_default, error);
    if (policy == NULL)
        return NULL;
    if (finish_policy(policy, sources, count, has_default, error) != AG_OK) {
        ag_policy_free(policy);
        return NULL;
    }
    return policy;
}

static ag_policy *build_once(ag_policy_builder *builder, ag_status status, ag_error **error)
{
    ag_policy *policy = status == AG_OK ? ag_policy_builder_build(builder, error) : NULL;
    ag_policy_builder_free(builder);
    return policy;
}

ag_policy *ag_policy_load_file(const char *path, ag_error **error)
{
    ag_policy_builder *builder = ag_policy_builder_new();
    if (builder == NULL) {
        ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    return build_once(builder, ag_policy_builder_add_file(builder, path, error), error);
}

ag_policy *ag_policy_load_string(const char *name, const char *text, size_t length,
                                 ag_error **error)
{
    ag_policy_builder *builder = ag_policy_builder_new();
    if (builder == NULL) {
        ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    return build_once(builder, ag_policy_builder_add_string(builder, name, text, length, error),
                      error);
}

ag_policy *ag_policy_load_default(ag_error **error)
{
    ag_policy_builder *builder = ag_policy_builder_new();
    if (builder == NULL) {
        ag_error_set(error, AG_ERR_NOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    return build_once(builder, AG_OK, error);
}

void ag_policy_free(ag_policy *policy)
{
    if (policy == NULL)
        return;
    policy->effects = NULL;
    ag_policy_index_free(policy->index);
    policy->index = NULL;
    ag_model_clear(policy);
    ag_policy_clear(policy);
    ag_free(policy);
}

size_t ag_policy_rule_count(const ag_policy *policy)
{
    return policy != NULL ? policy->rule_count : 0;
}

const char *ag_policy_digest(const ag_policy *policy)
{
    return policy != NULL ? policy->digest : NULL;
}
