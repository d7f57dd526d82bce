// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: what a runtime hands the OCI hook (its state on stdin, or the bundle's config.json),
 * through the JSON parser and the reading of the policy annotation. */
#include <stdint.h>
#include <stdlib.h>

#include "oci-annotation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *error = NULL;
	const char *policy = NULL, *why = NULL;
	json_t *doc = oci_json_parse((const char *)data, size, &error);

	free(error);
	if (!doc)
		return 0;
	if (oci_annotation_of(doc, &policy, &why) == 1 && !policy)
		abort(); /* a policy was found but not returned */
	json_decref(doc);
	return 0;
}
