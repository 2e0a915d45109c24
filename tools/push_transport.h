/* Transport failures of samlad-push told as a person understands them, and
 * whether a retry could mend them: a certificate that does not verify, or
 * TLS spoken to a plain-HTTP collector (or plain HTTP to an HTTPS one), is
 * a mistake in the setup, and retrying it for minutes only hides that. */
#ifndef SAMLAD_PUSH_TRANSPORT_H
#define SAMLAD_PUSH_TRANSPORT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include "push.h"

/* Looks at a failed transfer to url (libcurl's `code`) and, when it is a
 * setup mistake, writes a sentence saying what to change into out (size
 * bytes, libcurl's own text kept after it) and returns true: final, not to
 * be retried. Returns false, out untouched, for failures that may pass. A
 * plain http:// URL whose server sent nothing back is checked once more
 * with a TLS handshake, which tells an HTTPS collector from a failing one. */
bool push_transport_explain(const struct push_config *cfg, const char *url, CURLcode code,
                            char *out, size_t size);

#endif
