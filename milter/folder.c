/*
 * NAME
 *	folder 3
 * SUMMARY
 *	the message files of a Maildir, an MH folder or a directory tree
 * SYNOPSIS
 *	#include "folder.h"
 *
 *	int	folder_walk(dir, out, ctx)
 * DESCRIPTION
 *	folder_walk() hands each message file under the directory dir to
 *	out->file(ctx, path), in a stable order, and each trouble to
 *	out->error(ctx, path, errno) before it goes on with the rest.
 *
 *	A directory with cur/ and new/ subdirectories is a Maildir: its
 *	files are those of cur/, then those of new/ (tmp/ holds mail
 *	still being delivered).  Any other directory (an MH folder, a
 *	tree of them, a directory of mbox files) is walked recursively;
 *	a subdirectory that is a Maildir is read as one.
 *
 *	A file is a regular file whose name does not start with '.'
 *	(MH's .mh_sequences, Maildir++ subfolders, editors' litter); a
 *	symbolic link to a regular file counts, one to a directory is not
 *	followed (no loops), other file types are passed over.  Within a
 *	directory, names made of digits alone (MH messages) come first, in
 *	numeric order, then the others in byte order: the order does not
 *	depend on the locale or on the file system.
 *
 *	Errors are reported and walked past: a directory that cannot be
 *	listed, an entry that vanished or a dangling link, a path longer
 *	than FOLDER_PATH_MAX, nesting deeper than FOLDER_DEPTH_MAX
 *	(ELOOP), no memory for a directory's names (ENOMEM).  folder_walk()
 *	returns 0, or what a callback returned to stop it.
 * STATE AND MEMORY
 *	One path buffer (FOLDER_PATH_MAX) on the stack of folder_walk();
 *	the sorted names of each directory on the way down, held while its
 *	subdirectories are walked; one directory open at a time.
 * BUGS
 *	Maildir++ subfolders (.Sent/, .Trash/) are hidden names: name them
 *	on the command line to scan them.  Hard links and bind mounts are
 *	walked as often as they are met.
 */

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "folder.h"

struct folder_walk {
	const struct folder_out *out;
	void   *ctx;
	char	path[FOLDER_PATH_MAX];
	int	stop;			/* sticky: what a callback returned */
};

static void folder_dir(struct folder_walk *, size_t, unsigned);

/* folder_error - one trouble, reported */

static void folder_error(struct folder_walk *w, int err)
{
	if (w->stop == 0)
		w->stop = w->out->error(w->ctx, w->path, err);
}

/* folder_digits - the length of a name of digits alone, leading zeros off; 0 else */

static size_t folder_digits(const char *s, const char **start)
{
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++)
		 /* void */ ;
	if (*p != 0 || p == s)
		return (0);
	while (*s == '0' && s[1] != 0)
		s++;
	*start = s;
	return (p - s);
}

/* folder_cmp - qsort order: numbers first, by value, then bytes */

static int folder_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *) a, *y = *(char *const *) b;
	const char *xs = 0, *ys = 0;
	size_t  xn = folder_digits(x, &xs), yn = folder_digits(y, &ys);
	int     c;

	if ((xn == 0) != (yn == 0))
		return (xn == 0 ? 1 : -1);
	if (xn != 0) {
		if (xn != yn)
			return (xn < yn ? -1 : 1);
		if ((c = memcmp(xs, ys, xn)) != 0)
			return (c);
	}
	return (strcmp(x, y));
}

/* folder_append - path + "/" + name in place; 0, or -1 when too long */

static int folder_append(struct folder_walk *w, size_t len, const char *name, size_t *nlen)
{
	size_t  n = strlen(name);
	int     slash = (len > 0 && w->path[len - 1] != '/');

	if (len + slash + n >= sizeof(w->path))
		return (-1);
	if (slash)
		w->path[len++] = '/';
	memcpy(w->path + len, name, n + 1);
	*nlen = len + n;
	return (0);
}

/* folder_names - the visible names of directory path, sorted; -1 on error */

static int folder_names(struct folder_walk *w, char ***list, size_t *count)
{
	DIR    *dp;
	struct dirent *de;
	char  **names = 0, **grown;
	size_t  n = 0, size = 0;
	int     err = 0;

	if ((dp = opendir(w->path)) == 0) {
		folder_error(w, errno);
		return (-1);
	}
	for (errno = 0; (de = readdir(dp)) != 0; errno = 0) {
		if (de->d_name[0] == '.')
			continue;
		if (n == size) {
			size = size ? 2 * size : 64;
			if ((grown = realloc(names, size * sizeof(*names))) == 0) {
				err = ENOMEM;
				break;
			}
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == 0) {
			err = ENOMEM;
			break;
		}
		n++;
	}
	if (err == 0 && errno != 0)
		err = errno;
	closedir(dp);
	if (err != 0) {
		folder_error(w, err);
		while (n > 0)
			free(names[--n]);
		free(names);
		return (-1);
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), folder_cmp);
	*list = names;
	*count = n;
	return (0);
}

/* folder_entry - one name of a directory: a file, a directory, or neither */

static void folder_entry(struct folder_walk *w, size_t len, unsigned depth, int files_only)
{
	struct stat st;

	if (lstat(w->path, &st) != 0) {
		folder_error(w, errno);
	} else if (S_ISREG(st.st_mode)) {
		w->stop = w->out->file(w->ctx, w->path);
	} else if (S_ISDIR(st.st_mode)) {
		if (!files_only)
			folder_dir(w, len, depth + 1);
	} else if (S_ISLNK(st.st_mode)) {
		/* a link to a file is read; to a directory, never followed */
		if (stat(w->path, &st) != 0)
			folder_error(w, errno);
		else if (S_ISREG(st.st_mode))
			w->stop = w->out->file(w->ctx, w->path);
	}
}

/* folder_list - the entries of directory path, in order */

static void folder_list(struct folder_walk *w, size_t len, unsigned depth, int files_only)
{
	char  **names = 0;
	size_t  count = 0, nlen;

	if (folder_names(w, &names, &count) != 0)
		return;
	for (size_t i = 0; i < count; i++) {
		if (w->stop == 0) {
			if (folder_append(w, len, names[i], &nlen) != 0)
				folder_error(w, ENAMETOOLONG);
			else
				folder_entry(w, nlen, depth, files_only);
			w->path[len] = 0;
		}
		free(names[i]);
	}
	free(names);
}

/* folder_is_dir - is path + "/" + name a directory (not a link to one)? */

static int folder_is_dir(struct folder_walk *w, size_t len, const char *name)
{
	struct stat st;
	size_t  nlen;
	int     yes;

	yes = (folder_append(w, len, name, &nlen) == 0
	       && lstat(w->path, &st) == 0 && S_ISDIR(st.st_mode));
	w->path[len] = 0;
	return (yes);
}

/* folder_dir - a directory: a Maildir's cur/ and new/, or everything */

static void folder_dir(struct folder_walk *w, size_t len, unsigned depth)
{
	static const char *const maildir[] = {"cur", "new"};
	size_t  nlen;

	if (depth > FOLDER_DEPTH_MAX) {
		folder_error(w, ELOOP);
		return;
	}
	if (!folder_is_dir(w, len, "cur") || !folder_is_dir(w, len, "new")) {
		folder_list(w, len, depth, 0);
		return;
	}
	for (size_t i = 0; i < sizeof(maildir) / sizeof(maildir[0]) && w->stop == 0; i++) {
		(void) folder_append(w, len, maildir[i], &nlen);
		folder_list(w, nlen, depth, 1);
		w->path[len] = 0;
	}
}

/* folder_walk - every message file under dir */

int     folder_walk(const char *dir, const struct folder_out *out, void *ctx)
{
	struct folder_walk w;
	size_t  len = strlen(dir);

	w.out = out;
	w.ctx = ctx;
	w.stop = 0;
	if (len >= sizeof(w.path)) {
		w.stop = out->error(ctx, dir, ENAMETOOLONG);
	} else {
		memcpy(w.path, dir, len + 1);
		folder_dir(&w, len, 0);
	}
	return (w.stop);
}
