/* The words of the collector's pages (the form, docs/collector.md), in
 * Swedish, the default, and in English (lang=en). The batch's checks
 * (ingest, validate, store) say their conflicts in English, as the API
 * does; words_conflict gives the Swedish page its own sentence for each
 * conflict a person typing or uploading counts can meet. */
#ifndef SAMLAD_WORDS_H
#define SAMLAD_WORDS_H

/* One language's words. */
struct words {
	const char *lang;           /* "sv" or "en", the page's lang attribute */
	const char *title;          /* the pages' title */
	const char *sign_in;        /* the sign-in heading and button */
	const char *token;          /* the token field's label */
	const char *sign_in_help;   /* under the sign-in form, before the session's hours */
	const char *hours;          /* after them */
	const char *no_token;       /* the form came without a token */
	const char *bad_token;      /* an unknown or unreadable token */
	const char *revoked;        /* a revoked token */
	const char *wrong_role;     /* an analyst's or admin's token */
	const char *cross_site;     /* a form posted from another site */
	const char *form_type;      /* a body of another Content-Type */
	const char *unavailable;    /* the database cannot be reached */
	const char *sign_out;       /* the sign-out button */
	const char *signed_in_as;   /* "Signed in for" before the agency's name */
	const char *quarter;        /* the quarter picker's label */
	const char *choose;         /* the picker's button */
	const char *bad_quarter;    /* a quarter that cannot be reported */
	const char *indicator;      /* the grid's corner heading */
	const char *check;          /* the check button */
	const char *submit;         /* the submit button */
	const char *state_new;      /* a cell with nothing stored */
	const char *state_stored;   /* a cell showing the stored value */
	const char *state_changed;  /* a cell whose entered value differs from it */
	const char *nothing;        /* a cell of no permission */
	const char *no_indicators;  /* the agency may report nothing */
	const char *stored_receipt; /* "Stored:" before the receipt's counts */
	const char *checked_receipt; /* "Checked:", the same for a check */
	const char *n_created;      /* after the count of new values */
	const char *n_updated;      /* after the count of changed values */
	const char *n_unchanged;    /* after the count of unchanged values */
	const char *submission;     /* "Submission" before its id */
	const char *nothing_stored; /* after a check */
	const char *errors;         /* above the list of errors */
	const char *other_quarter;  /* the link back to the picker */
	const char *upload;         /* the upload heading */
	const char *upload_help;    /* what the file must be */
	const char *upload_button;  /* the upload button */
	const char *template_link;  /* the template's link */
	const char *no_file;        /* an upload without a file */
	const char *upload_type;    /* an upload that is no multipart form */
	const char *spreadsheet;    /* a workbook uploaded where CSV was expected: save it as CSV UTF-8 */
	const char *empty_form;     /* a form with every cell empty */
	const char *line;           /* "line" before a CSV line's number */
};

/* The words of `lang`: English for "en", Swedish for anything else. */
const struct words *words_for(const char *lang);

/* A conflict's sentence on a page of w: the Swedish one of `code` on a
 * Swedish page, else `english` (the API's, also for a code with none). */
const char *words_conflict(const struct words *w, const char *code, const char *english);

/* A field's name on a page of w ("value" is "värde" in Swedish); a name
 * not of a batch's fields is given back as it is. */
const char *words_field(const struct words *w, const char *field);

#endif
