/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What a container asks for in its OCI state or config.json: the policy its io.secagent.policy
 * annotation names. JSON through jansson, with what the runtimes make of it in mind: a key given
 * twice is refused (Go's decoder keeps the last, or merges two objects; libyaml kept the first),
 * and so is an "Annotations" spelled otherwise than in lower case (Go matches field names
 * case-insensitively). Where it cannot be told what the container asks for, the hook fails
 * closed.
 */

#include <jansson.h>
#include <stddef.h>

#define OCI_ANNOTATION "io.secagent.policy"

/* @buf parsed as one JSON document, or NULL with @ret_error ("line L, column C: why"; NULL when
 * out of memory) to free. */
json_t *oci_json_parse(const char *buf, size_t len, char **ret_error);

/*
 * The policy @doc's annotations ask for: 1 with @ret_policy set (borrowed from @doc), 0 when @doc
 * has no "annotations" object (the caller may look elsewhere), 2 when it has one without the
 * annotation (the container asks for no policy), or -EBADMSG with @ret_why (static text) when
 * the document is not what a runtime would read the same way.
 */
int oci_annotation_of(json_t *doc, const char **ret_policy, const char **ret_why);
