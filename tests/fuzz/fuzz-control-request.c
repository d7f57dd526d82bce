// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: a request on the daemon's control socket, through the parser the daemon dispatches
 * by (verb, arguments and their checks). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_request req;
	const char *why = NULL;
	char reason[512];
	char *buf;

	if (size > CONTROL_MAX_MESSAGE)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (control_request_parse(buf, &req, reason, sizeof(reason), &why) == 0) {
		if (req.verb >= _CONTROL_VERB_MAX)
			abort();
		for (unsigned k = 0; k < control_verbs[req.verb].n_args; k++)
			if (!req.args[k] || !*req.args[k])
				abort(); /* a handler would get an empty argument */
	} else if (!why || !*why)
		abort(); /* a refusal must say why */
	free(buf);
	return 0;
}
