/* Times the review's renderer on a synthetic municipality (bench/review.sh
 * runs it): `review-render-bench [INDICATORS DISTRICTS ROUNDS [FILE]]`,
 * default 30 indicators, 10 districts, 6 years (REVIEW_YEARS), 20 rounds.
 * Prints the page size and the time per page; with FILE it also writes the
 * page there (to look at its print layout). Not a test: nothing is
 * asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "review_fixture.h"
#include "review_html.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	size_t nind = argc > 1 ? strtoul(argv[1], NULL, 10) : 30;
	size_t ndist = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
	int rounds = argc > 3 ? atoi(argv[3]) : 20;
	struct fixture *f = fixture_new(nind, ndist, 2024, 987654);
	double best = 1e18, total = 0;
	size_t bytes = 0;

	for (int i = 0; i < rounds; i++) {
		struct buf b = BUF_INIT;
		double t0 = now_ms();
		if (review_html(&b, &f->r, REVIEW_SV) != 0) {
			fprintf(stderr, "render failed\n");
			return 1;
		}
		double dt = now_ms() - t0;
		bytes = b.len;
		if (i == 0 && argc > 4) {
			FILE *out = fopen(argv[4], "w");
			if (!out || fwrite(b.data, 1, b.len, out) != b.len || fclose(out) != 0) {
				fprintf(stderr, "cannot write %s\n", argv[4]);
				return 1;
			}
		}
		total += dt;
		if (dt < best)
			best = dt;
		buf_free(&b);
	}
	printf("{\"indicators\": %zu, \"districts\": %zu, \"years\": %d, \"rounds\": %d, "
	       "\"bytes\": %zu, \"render_ms_mean\": %.2f, \"render_ms_best\": %.2f}\n", nind, ndist,
	       REVIEW_YEARS, rounds, bytes, total / rounds, best);
	fixture_free(f);
	return 0;
}
