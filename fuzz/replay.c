/*
 * Replays files through a fuzz harness without libFuzzer, so a normal build
 * (gcc, or any sanitizer build) runs the committed seeds and regression
 * inputs as a test.
 *
 * Usage: fuzz-replay-NAME PATH...
 * Each PATH is a file or a directory whose regular files (not recursive,
 * names starting with '.' skipped) are replayed in name order. Exits 0 when
 * every input ran; a broken invariant aborts inside the harness, so the test
 * fails with the message of the failed check and the name of the input
 * printed just before it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Inputs larger than this are skipped, like libFuzzer's default -max_len for a seed corpus run. */
#define MAX_INPUT_BYTES (1024 * 1024)

static int replay_file(const char *path, size_t *count)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }

    uint8_t *data = malloc(MAX_INPUT_BYTES);
    if (data == NULL) {
        fclose(file);
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return 1;
    }
    size_t size = fread(data, 1, MAX_INPUT_BYTES, file);
    bool failed = ferror(file) != 0;
    bool too_large = !failed && fgetc(file) != EOF;
    fclose(file);

    if (failed || too_large) {
        fprintf(stderr, "replay: %s %s\n", path,
                failed ? "could not be read" : "is larger than 1 MiB; skip it or shrink it");
        free(data);
        return 1;
    }

    /* Printed first, so the input that broke an invariant is named in the test log. */
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);

    /* A copy of exactly `size` bytes, so ASan reports any read past the end. */
    uint8_t *exact = malloc(size > 0 ? size : 1);
    if (exact == NULL) {
        free(data);
        fprintf(stderr, "replay: out of memory for %s\n", path);
        return 1;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    (*count)++;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_directory(const char *path, size_t *count)
{
    DIR *directory = opendir(path);
    if (directory == NULL) {
        fprintf(stderr, "replay: cannot open directory %s: %s\n", path, strerror(errno));
        return 1;
    }

    char **names = NULL;
    size_t name_count = 0, capacity = 0;
    struct dirent *entry;
    int status = 0;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (name_count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            char **grown = realloc(names, capacity * sizeof(*names));
            if (grown == NULL) {
                status = 1;
                break;
            }
            names = grown;
        }
        size_t length = strlen(path) + 1 + strlen(entry->d_name) + 1;
        names[name_count] = malloc(length);
        if (names[name_count] == NULL) {
            status = 1;
            break;
        }
        snprintf(names[name_count], length, "%s/%s", path, entry->d_name);
        name_count++;
    }
    closedir(directory);

    if (names != NULL)
        qsort(names, name_count, sizeof(*names), compare_names);
    for (size_t i = 0; i < name_count; i++) {
        struct stat info;
        if (status == 0 && stat(names[i], &info) == 0 && S_ISREG(info.st_mode))
            status = replay_file(names[i], count);
        free(names[i]);
    }
    free(names);
    if (status != 0)
        fprintf(stderr, "replay: reading directory %s failed\n", path);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH...\n"
                        "Runs the fuzz harness on each file, and on each file of each directory.\n",
                argv[0]);
        return 2;
    }

    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat info;
        if (stat(argv[i], &info) != 0) {
            fprintf(stderr, "replay: cannot read %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int status = S_ISDIR(info.st_mode) ? replay_directory(argv[i], &count)
                                           : replay_file(argv[i], &count);
        if (status != 0)
            return status;
    }
    if (count == 0) {
        fprintf(stderr, "replay: no input found in the paths given\n");
        return 1;
    }
    fprintf(stderr, "replay: %zu inputs ran\n", count);
    return 0;
}
