// SPDX-License-Identifier: GPL-2.0-or-later
#include "oci-annotation.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "util.h"

#define ANNOTATION OCI_ANNOTATION

json_t *oci_json_parse(const char *buf, size_t len, char **ret_error)
{
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);

	if (!j && asprintf(ret_error, "line %d, column %d: %s", e.line, e.column, e.text) < 0)
		*ret_error = NULL;
	return j;
}

int oci_annotation_of(json_t *doc, const char **ret_policy, const char **ret_why)
{
	const char *key;
	json_t *v, *annotations = NULL, *policy;

	if (!json_is_object(doc)) {
		*ret_why = "is not a JSON object";
		return -EBADMSG;
	}
	json_object_foreach(doc, key, v) if (strcasecmp(key, "annotations") == 0)
	{
		if (!streq(key, "annotations")) {
			*ret_why = "spells \"annotations\" in another case, which the Go "
				   "runtimes would read as the annotations";
			return -EBADMSG;
		}
		annotations = v;
	}
	if (!annotations || json_is_null(annotations))
		return 0;
	if (!json_is_object(annotations)) {
		*ret_why = "has \"annotations\" that are not an object";
		return -EBADMSG;
	}
	policy = json_object_get(annotations, ANNOTATION);
	if (!policy)
		return 2;
	if (!json_is_string(policy)) {
		*ret_why = "has an annotation " ANNOTATION " that is not a string";
		return -EBADMSG;
	}
	*ret_policy = json_string_value(policy);
	return 1;
}
