/* fuzz_engine: pop3d's command handling and scan list parser.
 *
 * An input is client lines for a fixed maildrop (ranges of a memfd
 * mailbox and one file), or, when it starts with "pop3scan ", a scan
 * list up to the first empty line followed by client lines for the
 * maildrop it describes.  Answers go to /dev/null; the sanitizers and
 * the engine's own checks are the oracle.  Fuzzed paths with '/' are
 * refused so that no input can make the harness read /dev/zero or a
 * terminal. */
#include "engine.h"
#include "maildrop.h"
#include "msgfilter.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char file_path[64];
static const char file_text[] = "A: b\n\n.x\nend\n";
static const char mailbox_text[] =
	"From a\nSubject: one\nStatus: RO\n\nbody\n.dot\n>From x\n"
	"From b\r\nSubject: two\r\n\r\nline\r\n"
	"From c\nX-UID: 1\n  cont\n\n\nno newline";

/* Built by setup(): ranges after each "From " line, sizes by msgfilter. */
static char default_list[512];
static size_t default_list_len;

static void build_default_list(void)
{
	static const char *const seps[] = { "From a\n", "From b\r\n", "From c\n" };
	const unsigned flags = MSGF_MBOXRD | MSGF_HIDE_STATUS;
	const char *box = mailbox_text;
	size_t box_len = sizeof mailbox_text - 1;
	uint64_t off[3], len[3], size[4], total = 0;
	for (int i = 0; i < 3; i++) {
		const char *at = strstr(box, seps[i]);
		off[i] = (uint64_t)(at - box) + strlen(seps[i]);
	}
	for (int i = 0; i < 3; i++) {
		uint64_t next = i < 2 ? (uint64_t)(strstr(box, seps[i + 1]) - box) : box_len;
		len[i] = next - off[i];
		size[i] = msgfilter_size(box + off[i], len[i], flags);
		total += size[i];
	}
	size[3] = msgfilter_size(file_text, sizeof file_text - 1, flags);
	total += size[3];
	int n = snprintf(default_list, sizeof default_list,
	                 "pop3scan 1 4 %llu mboxrd hide-status\n"
	                 "%llu u1 @%llu+%llu\n%llu u2 @%llu+%llu\n%llu u3 @%llu+%llu\n"
	                 "%llu file %s\n",
	                 (unsigned long long)total,
	                 (unsigned long long)size[0], (unsigned long long)off[0], (unsigned long long)len[0],
	                 (unsigned long long)size[1], (unsigned long long)off[1], (unsigned long long)len[1],
	                 (unsigned long long)size[2], (unsigned long long)off[2], (unsigned long long)len[2],
	                 (unsigned long long)size[3], file_path);
	default_list_len = (size_t)n;
}

static int null_fd = -1, mailbox_fd = -1;

static char temp_dir[32];

static void remove_temp(void)
{
	unlink(file_path);
	rmdir(temp_dir);
}

static void setup(void)
{
	if (null_fd >= 0)
		return;
	null_fd = open("/dev/null", O_WRONLY);
	mailbox_fd = memfd_create("mailbox", 0);
	if (null_fd < 0 || mailbox_fd < 0 ||
	    write(mailbox_fd, mailbox_text, sizeof mailbox_text - 1) < 0)
		abort();
	/* No chdir: libFuzzer writes its corpus to relative paths. */
	snprintf(temp_dir, sizeof temp_dir, "/tmp/fuzz_engine.XXXXXX");
	if (!mkdtemp(temp_dir))
		abort();
	snprintf(file_path, sizeof file_path, "%s/file1", temp_dir);
	atexit(remove_temp);
	FILE *f = fopen(file_path, "w");
	if (!f)
		abort();
	fputs(file_text, f);
	fclose(f);
	build_default_list();
}

static int paths_are_local(const struct maildrop *m)
{
	for (uint32_t i = 0; i < m->count; i++) {
		const char *p = maildrop_path(m, i);
		if (p && strchr(p, '/'))
			return 0;
	}
	return 1;
}

static void run_commands(struct maildrop *m, const uint8_t *data, size_t size)
{
	static struct engine e;
	static char obuf[65536];
	struct outbuf out;
	outbuf_init(&out, null_fd, obuf, sizeof obuf, 1000);
	engine_init(&e, m, &out, mailbox_fd, -1);
	e.last_enabled = size > 0 && (data[0] & 1);
	e.nul_replace = size > 0 && (data[0] & 2);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum engine_result r;
		if (len >= POP3_LINE_MAX) {
			engine_line_too_long(&e);
			r = ENGINE_CONTINUE;
		} else {
			r = engine_command(&e, p, len);
		}
		if (r != ENGINE_CONTINUE)
			break;
		p += len + 1;
	}
	outbuf_flush(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maildrop m;
	const char *why;
	uint64_t lineno;

	setup();
	if (size >= 9 && memcmp(data, "pop3scan ", 9) == 0) {
		const uint8_t *sep = memmem(data, size, "\n\n", 2);
		size_t list_len = sep ? (size_t)(sep - data) + 1 : size;
		if (maildrop_load_buffer(&m, (const char *)data, list_len, &why, &lineno) < 0)
			return 0;
		if (paths_are_local(&m) && sep)
			run_commands(&m, sep + 2, size - list_len - 1);
		maildrop_free(&m);
		return 0;
	}
	if (maildrop_load_buffer(&m, default_list, default_list_len, &why, &lineno) < 0)
		abort();
	run_commands(&m, data, size);
	maildrop_free(&m);
	return 0;
}
