/*
 * NAME
 *	folder 3h
 * SUMMARY
 *	the message files of a Maildir, an MH folder or a directory tree
 * SYNOPSIS
 *	#include "folder.h"
 * DESCRIPTION
 *	See folder.c.
 */
#ifndef DEFUSE_FOLDER_H
#define DEFUSE_FOLDER_H

#define FOLDER_PATH_MAX		4096	/* longest path walked */
#define FOLDER_DEPTH_MAX	64	/* directories below the top */

/* Where the files go; each returns non-zero to stop the walk. */
struct folder_out {
	int     (*file) (void *ctx, const char *path);
	int     (*error) (void *ctx, const char *path, int err);
};

extern int folder_walk(const char *dir, const struct folder_out *, void *ctx);

#endif
