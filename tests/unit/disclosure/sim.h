/* A simulator of one table-year of quarterly reporting, for the property
 * test of the disclosure library (test_attacker.c).
 *
 * A simulated table is one indicator in one municipality and one year: 1..8
 * districts and a total row, or no districts (one row, the municipality
 * itself), flow or stock, k usually 5 and sometimes 3 or 10. Things happen
 * in the order the aggregator would see them, and each makes a new state of
 * the table:
 *   - a quarter arrives for every district active in it, except a few that
 *     are late (their cell stays DC_NONE); quarters arrive in order, or one
 *     is late (Q4 before Q3), or in any order, and some years stop early;
 *   - a late district reports a quarter that arrived before;
 *   - a single value is revised: to a bigger or a smaller one, to 0, a small
 *     one to a big one, a big one to a small one, or back to the value it
 *     had before;
 *   - the catalogue changes: k is raised or lowered; a district is added
 *     (DC_INACTIVE before its first period, DC_NONE where it should have
 *     reported and did not); a district ends (DC_INACTIVE after its last
 *     period, even over a quarter it had reported);
 *   - nothing changes for this table (a catalogue import that leaves it
 *     alone): the same state again.
 * Values are 0..4 a fifth of the time and 5..60 otherwise, so that small
 * cells and their partners are everyday work.
 *
 * Each new state is appended with the fixture's fx_add (a leaf-quarter whose
 * value did not change is the same unknown, a changed or new value a new
 * one; leaves keep a stable id when districts are added or end) and is
 * protected at once with dc_protect against every state before it, as the
 * aggregator records them. The simulator only makes the states and calls
 * dc_protect; what the result is checked against is the caller's. Same
 * seed, same year: a small PRNG of its own (splitmix64), no libc rand. */
#ifndef SAMLAD_SIM_H
#define SAMLAD_SIM_H

#include <stdint.h>
#include "history_fixture.h"

/* The most states a simulated year makes. */
#define SIM_STATES 20
/* The most leaves a table grows to when districts are added. */
#define SIM_LEAVES 10

/* splitmix64: a step of the generator. */
static uint64_t sim_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in 0..n-1 (n >= 1); the bias of the modulo does not matter here. */
static unsigned sim_below(uint64_t *state, unsigned n)
{
	return (unsigned)(sim_next(state) % n);
}

/* True with probability percent / 100. */
static bool sim_chance(uint64_t *state, unsigned percent)
{
	return sim_below(state, 100) < percent;
}

/* One row of the simulated table. */
struct sim_leaf {
	int id;           /* stable across states: which leaf this is for fx_add */
	long long q[4];   /* per quarter: a count, -1 not reported, -2 not part of the table */
	long long was[4]; /* per quarter: the count before its last revision, -1 for none */
};

/* One table-year being simulated. */
struct sim {
	uint64_t rng;                        /* the generator's state */
	struct sim_leaf leaf[SIM_LEAVES];    /* the rows in table order */
	size_t nleaves;                      /* rows used */
	bool total;                          /* districts and a total row; false: one row */
	enum dc_kind kind;                   /* flow or stock */
	long long k;                         /* the catalogue's k now */
	int next_id;                         /* the id of the next district added */
	bool arrived[4];                     /* quarters whose reports have come */
	unsigned events[8];                  /* how many states each kind of event made */
	struct fx *f;                        /* the states so far; borrowed */
	enum dc_status status;               /* the first dc_protect status other than DC_OK */
	size_t fallbacks;                    /* states where dc_protect fell back */
	size_t fallbacks_raised;             /* of which at or after a raised k */
	long long kmin;                      /* the smallest k of the states so far */
	bool raised[FX_STATES];              /* per state: some state up to it had a k
	                                      * above an earlier state's */
	size_t unpassed;                     /* states whose result did not pass */
	size_t unpassed_plain;               /* of which without the fallback */
	size_t earlier_changed;              /* states after whose protection an earlier
	                                      * state's cells were not what they had been */
	bool fell_back[FX_STATES];           /* per state: dc_protect fell back */
	enum dc_cell before[FX_STATES][FX_CELLS]; /* the earlier states' cells before a
	                                           * protection, to compare after it */
};

/* The kinds of event, for the figures. */
enum sim_event {
	SIM_ARRIVE,    /* a quarter arrived */
	SIM_LATE,      /* a late district reported */
	SIM_REVISE,    /* a value was revised */
	SIM_K,         /* k was changed */
	SIM_ADD,       /* a district was added */
	SIM_END,       /* a district ended */
	SIM_SAME,      /* nothing changed */
};

/* A count: 0..4 a fifth of the time, else 5..60. */
static long long sim_value(struct sim *s)
{
	if (sim_chance(&s->rng, 20))
		return sim_below(&s->rng, 5);
	return 5 + sim_below(&s->rng, 56);
}

/* Appends the table as it is now as a new state and protects it against
 * every state before it, noting what the protection said. */
static void sim_emit(struct sim *s, enum sim_event why)
{
	struct fx *f = s->f;
	long long q[SIM_LEAVES][4];
	int ids[SIM_LEAVES];
	size_t n = f->h.nstates;

	for (size_t l = 0; l < s->nleaves; l++) {
		memcpy(q[l], s->leaf[l].q, sizeof q[l]);
		ids[l] = s->leaf[l].id;
	}
	memcpy(s->before, f->cells, n * sizeof s->before[0]);
	fx_add(f, s->nleaves, s->total, s->kind, s->k, (const long long(*)[4])q, ids);
	enum dc_status st = dc_protect(&f->h, &f->last);
	if (st != DC_OK && s->status == DC_OK)
		s->status = st;
	s->fallbacks += f->last.fallback;
	s->raised[n] = n > 0 && (s->raised[n - 1] || s->k > s->kmin);
	s->fallbacks_raised += f->last.fallback && s->raised[n];
	s->kmin = n == 0 || s->k < s->kmin ? s->k : s->kmin;
	s->unpassed += !f->last.passed;
	s->unpassed_plain += !f->last.passed && !f->last.fallback;
	s->earlier_changed += memcmp(s->before, f->cells, n * sizeof s->before[0]) != 0;
	s->fell_back[n] = f->last.fallback;
	s->events[why]++;
}

/* Whether leaf-quarter (l, q) is part of the table. */
static bool sim_active(const struct sim *s, size_t l, size_t q)
{
	return s->leaf[l].q[q] != -2;
}

/* A quarter arrives: every active leaf reports it, except the late ones. */
static void sim_arrive(struct sim *s, size_t q)
{
	s->arrived[q] = true;
	for (size_t l = 0; l < s->nleaves; l++)
		if (sim_active(s, l, q) && !sim_chance(&s->rng, 12))
			s->leaf[l].q[q] = sim_value(s);
}

/* Picks at random a leaf-quarter of an arrived quarter that holds a count
 * (reported) or that is late (not reported); false when there is none. */
static bool sim_pick(struct sim *s, bool reported, size_t *leaf, size_t *quarter)
{
	size_t n = 0;
	for (size_t l = 0; l < s->nleaves; l++)
		for (size_t q = 0; q < 4; q++)
			n += s->arrived[q] && (reported ? s->leaf[l].q[q] >= 0 : s->leaf[l].q[q] == -1);
	if (n == 0)
		return false;
	size_t pick = sim_below(&s->rng, (unsigned)n);
	for (size_t l = 0; l < s->nleaves; l++)
		for (size_t q = 0; q < 4; q++) {
			bool fits = s->arrived[q] &&
			            (reported ? s->leaf[l].q[q] >= 0 : s->leaf[l].q[q] == -1);
			if (fits && pick-- == 0) {
				*leaf = l;
				*quarter = q;
				return true;
			}
		}
	return false;
}

/* A late district reports one quarter that arrived before. */
static bool sim_late(struct sim *s)
{
	size_t l, q;
	if (!sim_pick(s, false, &l, &q))
		return false;
	s->leaf[l].q[q] = sim_value(s);
	return true;
}

/* The revised value of a count v. */
static long long sim_revised(struct sim *s, long long v, long long was)
{
	switch (sim_below(&s->rng, 6)) {
	case 0:
		return v + 1 + sim_below(&s->rng, 10);                /* bigger */
	case 1:
		return v > 0 ? (long long)sim_below(&s->rng, (unsigned)v) : 1;  /* smaller */
	case 2:
		return 0;
	case 3:
		return 1 + sim_below(&s->rng, (unsigned)(s->k > 1 ? s->k - 1 : 1));  /* small */
	case 4:
		return s->k + sim_below(&s->rng, 40);                 /* big */
	default:
		return was >= 0 && was != v ? was : sim_value(s);     /* back */
	}
}

/* A single count is revised. */
static bool sim_revise(struct sim *s)
{
	size_t l, q;
	if (!sim_pick(s, true, &l, &q))
		return false;
	long long v = s->leaf[l].q[q];
	s->leaf[l].q[q] = sim_revised(s, v, s->leaf[l].was[q]);
	s->leaf[l].was[q] = v;
	return true;
}

/* The catalogue's k changes to one of 3, 5 and 10 other than today's. */
static bool sim_k(struct sim *s)
{
	static const long long ks[3] = { 3, 5, 10 };
	long long k;
	do
		k = ks[sim_below(&s->rng, 3)];
	while (k == s->k);
	s->k = k;
	return true;
}

/* A district is added at a random place among the rows. Its first period
 * is a quarter of the year (or after it: no part of the table at all);
 * quarters already arrived from then on come with it or stay late. */
static bool sim_add(struct sim *s)
{
	if (!s->total || s->nleaves >= SIM_LEAVES)
		return false;
	size_t at = sim_below(&s->rng, (unsigned)s->nleaves + 1);
	unsigned first = sim_chance(&s->rng, 10) ? 4 : sim_below(&s->rng, 4);
	struct sim_leaf d = { .id = s->next_id++, .was = { -1, -1, -1, -1 } };

	for (unsigned q = 0; q < 4; q++) {
		if (q < first)
			d.q[q] = -2;
		else
			d.q[q] = s->arrived[q] && sim_chance(&s->rng, 50) ? sim_value(s) : -1;
	}
	memmove(&s->leaf[at + 1], &s->leaf[at], (s->nleaves - at) * sizeof *s->leaf);
	s->leaf[at] = d;
	s->nleaves++;
	return true;
}

/* A district ends: its quarters after its last period (Q1..Q3) are no
 * part of the table any more, whether or not it had reported them. */
static bool sim_end(struct sim *s)
{
	if (!s->total)
		return false;
	size_t l = sim_below(&s->rng, (unsigned)s->nleaves);
	unsigned last = sim_below(&s->rng, 3);
	bool changed = false;
	for (unsigned q = last + 1; q < 4; q++) {
		changed = changed || s->leaf[l].q[q] != -2;
		s->leaf[l].q[q] = -2;
	}
	return changed;
}

/* One event between arrivals; the kind it turned out to be. A kind that
 * cannot happen now (no late report pending, say) becomes a revision, and
 * failing that the same state again. */
static enum sim_event sim_event(struct sim *s)
{
	unsigned r = sim_below(&s->rng, 100);
	if (r < 25 && sim_late(s))
		return SIM_LATE;
	if (r >= 25 && r < 35 && sim_k(s))
		return SIM_K;
	if (r >= 35 && r < 45 && sim_add(s))
		return SIM_ADD;
	if (r >= 45 && r < 53 && sim_end(s))
		return SIM_END;
	if (r >= 53 && r < 57)
		return SIM_SAME;
	return sim_revise(s) ? SIM_REVISE : SIM_SAME;
}

/* The order the quarters arrive in: mostly Q1..Q4; sometimes one is late
 * (two neighbours swapped), sometimes any order. */
static void sim_order(struct sim *s, size_t order[4])
{
	for (size_t q = 0; q < 4; q++)
		order[q] = q;
	unsigned r = sim_below(&s->rng, 100);
	if (r < 20) {
		size_t i = sim_below(&s->rng, 3), t = order[i];
		order[i] = order[i + 1];
		order[i + 1] = t;
	} else if (r < 30) {
		for (size_t i = 3; i > 0; i--) {
			size_t j = sim_below(&s->rng, (unsigned)i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	}
}

/* The table before anything arrived: its shape, kind and k. */
static void sim_start(struct sim *s, uint64_t seed, struct fx *f)
{
	memset(s, 0, sizeof *s);
	s->rng = seed;
	s->f = f;
	fx_init(f);
	size_t districts = sim_chance(&s->rng, 15) ? 0 : 1 + sim_below(&s->rng, 8);
	s->total = districts > 0;
	s->nleaves = districts > 0 ? districts : 1;
	s->kind = sim_chance(&s->rng, 50) ? DC_FLOW : DC_STOCK;
	unsigned r = sim_below(&s->rng, 100);
	s->k = r < 70 ? 5 : r < 85 ? 3 : 10;
	for (size_t l = 0; l < s->nleaves; l++)
		s->leaf[l] = (struct sim_leaf){ (int)l, { -1, -1, -1, -1 }, { -1, -1, -1, -1 } };
	s->next_id = (int)s->nleaves;
}

/* Simulates one table-year from a seed into f: states protected in order.
 * Between arrivals 0..3 other events; after the last, up to 6 more (late
 * reports and revisions go on into the next year). At most SIM_STATES. */
static void sim_year(struct sim *s, uint64_t seed, struct fx *f)
{
	size_t order[4];
	sim_start(s, seed, f);
	sim_order(s, order);
	size_t quarters = sim_chance(&s->rng, 15) ? 1 + sim_below(&s->rng, 3) : 4;

	for (size_t i = 0; i < quarters && f->h.nstates < SIM_STATES; i++) {
		sim_arrive(s, order[i]);
		sim_emit(s, SIM_ARRIVE);
		unsigned extra = sim_below(&s->rng, 4);
		for (unsigned e = 0; e < extra && f->h.nstates < SIM_STATES; e++)
			sim_emit(s, sim_event(s));
	}
	unsigned after = sim_below(&s->rng, 7);
	for (unsigned e = 0; e < after && f->h.nstates < SIM_STATES; e++)
		sim_emit(s, sim_event(s));
}

#endif
