/* The catalogue in memory: its lookups and its snapshots; the reading is
 * catalogue_db.c. Arrays are sorted here, not by the server, so that the
 * order is exactly the one bsearch uses whatever the database's collation. */
#include "catalogue.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int agency_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_agency *)a)->code, ((const struct cat_agency *)b)->code);
}

static int area_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_area *)a)->code, ((const struct cat_area *)b)->code);
}

static int indicator_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cat_indicator *)a)->code,
	              ((const struct cat_indicator *)b)->code);
}

static int permission_cmp(const void *a, const void *b)
{
	const struct cat_permission *x = a, *y = b;
	if (x->agency_id != y->agency_id)
		return x->agency_id < y->agency_id ? -1 : 1;
	if (x->indicator_id != y->indicator_id)
		return x->indicator_id < y->indicator_id ? -1 : 1;
	return (x->area_id > y->area_id) - (x->area_id < y->area_id);
}

/* Logs why a catalogue cannot be indexed; -1. */
static int index_failed(const char *why)
{
	log_error("catalogue: %s", why);
	return -1;
}

/* While loading, `parent` holds the parent's id (0 for none); once the array
 * is sorted it becomes the parent's index, and children are counted. */
static int resolve_parents(struct catalogue *cat)
{
	for (size_t i = 0; i < cat->nareas; i++) {
		int id = cat->areas[i].parent;
		const struct cat_area *p = id ? catalogue_area_by_id(cat, id) : NULL;
		if (id && !p)
			return index_failed("an area names a parent that does not exist");
		cat->areas[i].parent = p ? (int)(p - cat->areas) : -1;
	}
	for (size_t i = 0; i < cat->nareas; i++)
		if (cat->areas[i].parent >= 0)
			cat->areas[cat->areas[i].parent].nchildren++;
	return 0;
}

/* While loading, `agency` holds the agency's id; it becomes its index. */
static int resolve_agencies(struct catalogue *cat)
{
	for (size_t i = 0; i < cat->nindicators; i++) {
		const struct cat_agency *a = catalogue_agency_by_id(cat, cat->indicators[i].agency);
		if (!a)
			return index_failed("an indicator names an agency that does not exist");
		cat->indicators[i].agency = (int)(a - cat->agencies);
	}
	return 0;
}

/* An array whose elements start with an int id, for qsort_r. */
struct id_array {
	const void *base;  /* the elements */
	size_t size;       /* the size of one */
};

static int id_at(const struct id_array *a, size_t i)
{
	return *(const int *)((const char *)a->base + i * a->size);
}

static int cmp_index(const void *x, const void *y, void *arg)
{
	int a = id_at(arg, *(const size_t *)x), b = id_at(arg, *(const size_t *)y);
	return (a > b) - (a < b);
}

/* The indices of n elements sorted by id; NULL when out of memory. */
static size_t *id_index(const void *base, size_t n, size_t size)
{
	struct id_array a = { base, size };
	size_t *ix = malloc((n + 1) * sizeof *ix);
	if (!ix)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof *ix, cmp_index, &a);
	return ix;
}

/* Finds an id through an index; -1 when absent. */
static long find_id(const size_t *ix, const void *base, size_t n, size_t size, int id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int v = *(const int *)((const char *)base + ix[mid] * size);
		if (v == id)
			return (long)ix[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int catalogue_index(struct catalogue *cat)
{
	qsort(cat->agencies, cat->nagencies, sizeof *cat->agencies, agency_cmp);
	qsort(cat->areas, cat->nareas, sizeof *cat->areas, area_cmp);
	qsort(cat->indicators, cat->nindicators, sizeof *cat->indicators, indicator_cmp);
	qsort(cat->permissions, cat->npermissions, sizeof *cat->permissions, permission_cmp);
	if (resolve_parents(cat) != 0 || resolve_agencies(cat) != 0)
		return -1;
	cat->areas_by_id = id_index(cat->areas, cat->nareas, sizeof *cat->areas);
	cat->indicators_by_id = id_index(cat->indicators, cat->nindicators,
	                                 sizeof *cat->indicators);
	if (!cat->areas_by_id || !cat->indicators_by_id)
		return index_failed("out of memory");
	atomic_init(&cat->refs, 1);
	return 0;
}

void catalogue_free(struct catalogue *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->nagencies; i++) {
		free(cat->agencies[i].code);
		free(cat->agencies[i].name);
		free(cat->agencies[i].contact);
	}
	for (size_t i = 0; i < cat->nareas; i++) {
		free(cat->areas[i].code);
		free(cat->areas[i].name);
	}
	for (size_t i = 0; i < cat->nindicators; i++) {
		free(cat->indicators[i].code);
		free(cat->indicators[i].name_sv);
		free(cat->indicators[i].name_en);
	}
	free(cat->agencies);
	free(cat->areas);
	free(cat->indicators);
	free(cat->permissions);
	free(cat->areas_by_id);
	free(cat->indicators_by_id);
	free(cat);
}

/* bsearch comparators: a code against an element's code. */
static int agency_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cat_agency *)elem)->code);
}

static int area_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cat_area *)elem)->code);
}

static int indicator_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cat_indicator *)elem)->code);
}

const struct cat_agency *catalogue_agency(const struct catalogue *cat, const char *code)
{
	return bsearch(code, cat->agencies, cat->nagencies, sizeof *cat->agencies,
	               agency_key_cmp);
}

const struct cat_area *catalogue_area(const struct catalogue *cat, const char *code)
{
	return bsearch(code, cat->areas, cat->nareas, sizeof *cat->areas, area_key_cmp);
}

const struct cat_indicator *catalogue_indicator(const struct catalogue *cat, const char *code)
{
	return bsearch(code, cat->indicators, cat->nindicators, sizeof *cat->indicators,
	               indicator_key_cmp);
}

/* Lookups by id go through the id index of a loaded catalogue (a national
 * one holds thousands of areas); a catalogue built by hand, as tests do,
 * has none and is scanned. */
const struct cat_agency *catalogue_agency_by_id(const struct catalogue *cat, int id)
{
	for (size_t i = 0; i < cat->nagencies; i++)
		if (cat->agencies[i].id == id)
			return &cat->agencies[i];
	return NULL;
}

const struct cat_area *catalogue_area_by_id(const struct catalogue *cat, int id)
{
	if (cat->areas_by_id) {
		long i = find_id(cat->areas_by_id, cat->areas, cat->nareas, sizeof *cat->areas, id);
		return i < 0 ? NULL : &cat->areas[i];
	}
	for (size_t i = 0; i < cat->nareas; i++)
		if (cat->areas[i].id == id)
			return &cat->areas[i];
	return NULL;
}

const struct cat_indicator *catalogue_indicator_by_id(const struct catalogue *cat, int id)
{
	if (cat->indicators_by_id) {
		long i = find_id(cat->indicators_by_id, cat->indicators, cat->nindicators,
		                 sizeof *cat->indicators, id);
		return i < 0 ? NULL : &cat->indicators[i];
	}
	for (size_t i = 0; i < cat->nindicators; i++)
		if (cat->indicators[i].id == id)
			return &cat->indicators[i];
	return NULL;
}

bool catalogue_area_is_leaf(const struct cat_area *area)
{
	return area->nchildren == 0;
}

bool catalogue_area_active(const struct cat_area *area, int period)
{
	return (!area->first_period || period >= area->first_period) &&
	       (!area->last_period || period <= area->last_period);
}

long long catalogue_k(const struct catalogue *cat, const struct cat_indicator *ind)
{
	return ind->suppress_below > 0 ? ind->suppress_below : cat->suppress_below;
}

const struct cat_area *catalogue_area_parent(const struct catalogue *cat,
                                             const struct cat_area *area)
{
	return area->parent >= 0 ? &cat->areas[area->parent] : NULL;
}

bool catalogue_permitted(const struct catalogue *cat, int agency_id,
                         int indicator_id, int area_id)
{
	struct cat_permission key = { agency_id, indicator_id, area_id };
	return bsearch(&key, cat->permissions, cat->npermissions,
	               sizeof *cat->permissions, permission_cmp) != NULL;
}

const char *catalogue_level_name(enum indicator_level level)
{
	return level == LEVEL_SPECIALISED ? "specialised" : "first_line";
}

const char *catalogue_kind_name(enum indicator_kind kind)
{
	return kind == KIND_STOCK ? "stock" : "flow";
}

struct catalogue *catalogue_hold(struct catalogue_holder *h)
{
	pthread_mutex_lock(&h->lock);
	struct catalogue *cat = h->cur;
	if (cat)
		atomic_fetch_add_explicit(&cat->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&h->lock);
	return cat;
}

void catalogue_unref(struct catalogue *cat)
{
	/* acq_rel: the last owner sees every other owner's reads finished. */
	if (cat && atomic_fetch_sub_explicit(&cat->refs, 1, memory_order_acq_rel) == 1)
		catalogue_free(cat);
}

struct catalogue *catalogue_holder_swap(struct catalogue_holder *h, struct catalogue *cat)
{
	pthread_mutex_lock(&h->lock);
	struct catalogue *old = h->cur;
	h->cur = cat;
	pthread_mutex_unlock(&h->lock);
	return old;
}

void catalogue_holder_set(struct catalogue_holder *h, struct catalogue *cat)
{
	catalogue_unref(catalogue_holder_swap(h, cat));
}

void catalogue_holder_destroy(struct catalogue_holder *h)
{
	catalogue_holder_set(h, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->reloading);
}


/* The local part of a contact address, s[0..n). */
static bool contact_local_valid(const char *s, size_t n)
{
	if (n < 1 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || strchr("._%+-", c);
		if (!ok || (c == '.' && s[i + 1] == '.'))
			return false;
	}
	return true;
}

/* The domain of a contact address: two or more dot-separated labels. */
static bool contact_domain_valid(const char *s)
{
	size_t labels = 0, len = 0;

	for (const char *p = s;; p++) {
		char c = *p;
		if (c == '.' || c == '\0') {
			if (len < 1 || len > 63 || p[-1] == '-' || p[-(ptrdiff_t)len] == '-')
				return false;
			labels++;
			len = 0;
			if (c == '\0')
				return labels >= 2;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		len++;
	}
}

bool catalogue_contact_valid(const char *s)
{
	const char *at = strchr(s, '@');

	return at && strlen(s) <= CATALOGUE_CONTACT_MAX &&
	       contact_local_valid(s, (size_t)(at - s)) && contact_domain_valid(at + 1);
}
