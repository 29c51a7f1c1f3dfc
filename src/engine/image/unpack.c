/* Layer unpacking: the streams. The filesystem side is unpack_fs.c.
 *
 * How the diff_id is computed. It is the sha256 of the *uncompressed* tar stream, every byte of it including
 * the end-of-archive blocks and any padding after them, but libarchive's tar reader decompresses internally
 * and never shows the tar bytes. So two readers are chained in one thread, without copies:
 *   src: fd -> gzip or zstd decoder (or none, detected) -> format "raw": its data blocks are the tar bytes;
 *   tar: format tar (ustar, pax, gnu) whose read callback (tar_feed) pulls src's next data block, hashes it
 *        and hands the same buffer on (it stays valid until the next call, which is all libarchive needs).
 * The tar reader stops at the end-of-archive marker; whatever follows is then drained from src into the hash
 * too. Only the built-in decoders are registered: libarchive's fallback to an external program is not
 * something to run on input from a registry, and neither are the other filters (a layer is gzip, zstd or
 * plain).
 *
 * What is not caught here: libarchive 3.6 does not check the gzip trailer (CRC-32 and size), and its tar
 * reader accepts a stream that ends cleanly between entries without the end-of-archive blocks. Such damage is
 * caught by the caller's digests: the blob's against the manifest, the diff_id against the image config. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "base/xalloc.h"
#include "base/libarchive.h"
#include "engine/image/unpack-internal.h"

#define UNPACK_READ_SIZE (128 * 1024)

struct unpack_stream {
	int fd;
	int read_errno;  /* read(2) on fd failed: an I/O error, not a corrupt layer */
	bool src_failed; /* the decoder failed: its message is the one to report */
	bool src_eof;
	struct archive *src; /* fd -> uncompressed tar bytes */
	struct archive *tar; /* uncompressed tar bytes -> entries */
	struct sha256_ctx sha;
	uint64_t size; /* file content handed to unpack_fs */
	char *buf;     /* what src reads fd into */
};

static la_ssize_t src_read(struct archive *a, void *ud, const void **buf)
{
	struct unpack_stream *s = ud;
	for (;;) {
		ssize_t n = read(s->fd, s->buf, UNPACK_READ_SIZE);
		if (n >= 0) {
			*buf = s->buf;
			return n;
		}
		if (errno != EINTR)
			break;
	}
	s->read_errno = errno;
	archive_set_error(a, errno, "reading the layer");
	return -1;
}

static la_ssize_t tar_feed(struct archive *a, void *ud, const void **buf)
{
	struct unpack_stream *s = ud;
	while (!s->src_eof) {
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(s->src, buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			s->src_failed = true;
			archive_set_error(a, -1, "decompressing the layer"); /* -1: libarchive's "misc" */
			return -1;
		}
		if (len == 0)
			continue;
		sha256_update(&s->sha, len, *buf);
		return (la_ssize_t)len;
	}
	s->src_eof = true;
	return 0;
}

static int stream_error(const struct unpack_stream *s, struct archive *a, struct cc_error **err)
{
	if (s->read_errno)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, s->read_errno, "reading the layer");
	const char *msg = archive_error_string(s->src_failed ? s->src : a);
	/* libarchive leaves some truncations (a gzip trailer cut short) without a message */
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "corrupt layer: %s",
			    msg ? msg : "truncated or damaged stream");
}

/* unpack_read_fn over the tar reader: the current regular file's content. */
static int data_read(void *ud, const void **buf, size_t *len, int64_t *off, struct cc_error **err)
{
	struct unpack_stream *s = ud;
	la_int64_t o;
	int r = archive_read_data_block(s->tar, buf, len, &o);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return stream_error(s, s->tar, err);
	*off = o;
	s->size += *len;
	return 1;
}

static struct archive *reader_new(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort(); /* out of memory, as in cc_xmalloc */
	return a;
}

static int stream_open(struct unpack_stream *s, struct cc_error **err)
{
	s->src = reader_new();
	if (archive_read_support_filter_gzip(s->src) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(s->src) != ARCHIVE_OK)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "libarchive lacks built-in gzip or zstd decoding");
	archive_read_support_format_raw(s->src);
	struct archive_entry *e;
	if (archive_read_open2(s->src, s, NULL, src_read, NULL, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(s->src, &e) != ARCHIVE_OK) {
		s->src_failed = true;
		return stream_error(s, s->src, err);
	}
	s->tar = reader_new();
	archive_read_support_format_tar(s->tar);
	if (archive_read_open(s->tar, s, NULL, tar_feed, NULL) != ARCHIVE_OK)
		return stream_error(s, s->tar, err);
	return 0;
}

/* Hash what follows the end-of-archive marker. */
static int stream_drain(struct unpack_stream *s, struct cc_error **err)
{
	while (!s->src_eof) {
		const void *buf;
		if (tar_feed(s->tar, s, &buf) < 0)
			return stream_error(s, s->tar, err);
	}
	return 0;
}

static void stream_release(struct unpack_stream *s)
{
	if (s->tar)
		archive_read_free(s->tar);
	if (s->src)
		archive_read_free(s->src);
	free(s->buf);
}

static void digest_hex(struct sha256_ctx *sha, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_digest(sha, sizeof(d), d);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[7 + 2 * i + 1] = hex[d[i] & 15];
	}
	out[7 + 2 * sizeof(d)] = '\0';
}

static int unpack(struct unpack_stream *s, struct unpack_fs *fs, const char *dir, unsigned flags,
		  struct cc_unpack_stats *out, struct cc_error **err)
{
	if (unpack_fs_open(fs, dir, flags, err) < 0 || stream_open(s, err) < 0)
		return -1;
	uint64_t entries = 0;
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(s->tar, &e);
		if (r == ARCHIVE_EOF)
			break;
		/* ARCHIVE_WARN is a name that did not convert to the locale: kept as it was. RETRY is a
		 * damaged header, which we do not skip. */
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return stream_error(s, s->tar, err);
		entries++;
		if (unpack_fs_entry(fs, e, data_read, s, err) < 0)
			return -1;
	}
	if (stream_drain(s, err) < 0 || unpack_fs_finish(fs, err) < 0)
		return -1;
	if (out) {
		digest_hex(&s->sha, out->diff_id);
		out->size = s->size;
		out->entries = entries;
	}
	return 0;
}

int cc_layer_unpack_flags(int fd, const char *dir, unsigned flags, struct cc_unpack_stats *out,
			  struct cc_error **err)
{
	if (cc_libarchive_ready(err) < 0)
		return -1;
	struct unpack_stream s = {.fd = fd, .buf = cc_xmalloc(UNPACK_READ_SIZE)};
	struct unpack_fs fs = {.root_fd = -1};
	sha256_init(&s.sha);
	/* pax headers carry UTF-8 names, which libarchive converts to the locale's charset: in this thread,
	 * for this call, that is UTF-8, so names land byte for byte whatever the process locale is. */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t prev = utf8 ? uselocale(utf8) : (locale_t)0;
	int r = unpack(&s, &fs, dir, flags, out, err);
	stream_release(&s);
	unpack_fs_release(&fs);
	if (utf8) {
		uselocale(prev);
		freelocale(utf8);
	}
	return r;
}

int cc_layer_unpack(int fd, const char *dir, struct cc_unpack_stats *out, struct cc_error **err)
{
	return cc_layer_unpack_flags(fd, dir, 0, out, err);
}

int cc_tar_unpack(int fd, const char *dir, struct cc_error **err)
{
	struct cc_unpack_stats st;
	return cc_layer_unpack_flags(fd, dir, CC_UNPACK_PLAIN, &st, err);
}
