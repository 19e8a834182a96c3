/*
 * A small, bounded reader for the subset of YAML that kvmd's configuration files use:
 * block mappings by indentation, plain / 'single' / "double" quoted scalars, comments,
 * flow mappings ({a: b, c: {d: e}}), and `key: !include file` (or a [list] of files).
 * Sequences, block scalars (| >), anchors and other constructs are stepped over: they
 * produce no values, and an error only if the caller cares about that part of the tree.
 *
 * The reader calls back once per scalar with its dotted path ("ipmi.sol.device"); it
 * never allocates and never recurses deeper than YAML_DEPTH_MAX.
 */
#ifndef BMCD_YAML_H
#define BMCD_YAML_H

#include <stdbool.h>
#include <stddef.h>

#define YAML_DEPTH_MAX 16
#define YAML_PATH_MAX 256
#define YAML_VALUE_MAX 512

enum yaml_kind { YAML_SCALAR, YAML_INCLUDE, YAML_ERROR };

/* kind YAML_SCALAR: value is the scalar (unquoted); YAML_INCLUDE: value is one file name
 * to include at `path`; YAML_ERROR: value is the message. line is 1-based. Return non-zero
 * to stop. */
typedef int (*yaml_cb)(void *ctx, enum yaml_kind kind, const char *path, const char *value,
		       int line);

/* Parses text[0..len); paths are prefixed with `prefix` (may be ""). Returns the number of
 * errors reported. */
int yaml_parse(const char *text, size_t len, const char *prefix, yaml_cb cb, void *ctx);

#endif
