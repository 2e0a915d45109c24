/* common/http_encoding.c: which Accept-Encoding values accept gzip, which
 * types are compressed, a gzip round trip through zlib, entity tags and
 * If-None-Match, case by case. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http_encoding.h"
#include "tap.h"

static void test_accepts(void)
{
	static const struct { const char *v; bool want; } cases[] = {
		{ NULL, false }, { "", false }, { "gzip", true }, { "GZIP", true },
		{ "deflate, gzip;q=0.5", true }, { "gzip;q=0", false }, { "gzip; q=0.0", false },
		{ "x-gzip", true }, { "*", true }, { "*;q=0", false }, { "br", false },
		{ "identity", false }, { "gzip;q=0, *", false }, { "br, *;q=0.1", true },
		{ "gzipx", false }, { " gzip ", true }, { "deflate,gzip", true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		is_int(http_accepts_gzip(cases[i].v), cases[i].want, "Accept-Encoding '%s'",
		       cases[i].v ? cases[i].v : "(absent)");
}

static void test_types(void)
{
	ok(http_compressible("application/json"), "json");
	ok(http_compressible("text/csv; charset=utf-8"), "csv");
	ok(http_compressible("text/html; charset=utf-8"), "html");
	ok(http_compressible("application/vnd.sdmx.data+json; version=2.1.0"), "sdmx");
	ok(http_compressible("image/svg+xml"), "svg");
	ok(!http_compressible("application/pdf"), "not pdf");
	ok(!http_compressible("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
	   "not xlsx (already a zip)");
	ok(!http_compressible(NULL), "not without a type");
}

static void test_gzip(void)
{
	char *body = malloc(100000), *gz, *back = malloc(100000);
	size_t gz_len;
	uLongf back_len = 100000;

	for (int i = 0; i < 100000; i++)
		body[i] = "indicator,area,period,value\r\n"[i % 29];
	is_int(http_gzip(body, 100000, &gz, &gz_len), 0, "gzip: compresses");
	ok(gz_len < 2000 && (unsigned char)gz[0] == 0x1f && (unsigned char)gz[1] == 0x8b,
	   "gzip: a gzip member, much smaller (%zu bytes)", gz_len);
	z_stream z = { 0 };
	inflateInit2(&z, 31);
	z.next_in = (Bytef *)gz;
	z.avail_in = (uInt)gz_len;
	z.next_out = (Bytef *)back;
	z.avail_out = (uInt)back_len;
	is_int(inflate(&z, Z_FINISH), Z_STREAM_END, "gzip: zlib reads it to the end");
	is_int((long long)z.total_out, 100000, "gzip: the whole body");
	ok(memcmp(body, back, 100000) == 0, "gzip: the same bytes");
	inflateEnd(&z);
	free(gz);
	free(body);
	free(back);
}

static void test_etag(void)
{
	char a[HTTP_ETAG_MAX], b[HTTP_ETAG_MAX], c[HTTP_ETAG_MAX];

	http_etag("abc", 3, "", a);
	/* SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad */
	is_str(a, "\"ba7816bf8f01cfea414140de5dae2223\"", "etag: 32 hex digits of SHA-256, quoted");
	http_etag("abc", 3, "-gzip", b);
	is_str(b, "\"ba7816bf8f01cfea414140de5dae2223-gzip\"", "etag: the gzip variant differs");
	http_etag("abd", 3, "", c);
	ok(strcmp(a, c) != 0, "etag: another body, another tag");
	ok(http_etag_matches(a, a), "match: itself");
	ok(http_etag_matches("*", a), "match: *");
	ok(http_etag_matches("\"x\", \"ba7816bf8f01cfea414140de5dae2223\"", a), "match: in a list");
	ok(http_etag_matches("W/\"ba7816bf8f01cfea414140de5dae2223\"", a), "match: weak form");
	ok(!http_etag_matches(b, a), "no match: the other encoding");
	ok(!http_etag_matches("\"ba7816bf8f01cfea414140de5dae222\"", a), "no match: a prefix");
	ok(!http_etag_matches(NULL, a), "no match: absent");
	ok(!http_etag_matches("", a), "no match: empty");
}

int main(void)
{
	test_accepts();
	test_types();
	test_gzip();
	test_etag();
	return tap_done();
}
