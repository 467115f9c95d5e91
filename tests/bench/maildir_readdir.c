/* maildir_readdir: the floor for listing a Maildir, for
 * tests/bench/maildir_bench.sh: readdir of DIR/new and DIR/cur, names
 * counted and their lengths summed (so nothing is optimised away),
 * nothing else.  maildirscan with W= names is measured against this. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned long entries = 0, octets = 0;
	char path[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: maildir_readdir DIR\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", argv[1], i ? "cur" : "new");
		DIR *d = opendir(path);
		if (!d) {
			perror(path);
			return 111;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			entries++;
			octets += strlen(e->d_name);
		}
		closedir(d);
	}
	printf("%lu %lu\n", entries, octets);
	return 0;
}
