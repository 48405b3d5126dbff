// zlib (Debian: zlib1g-dev): deflate with a gzip wrapper, to measure the gzip size of a
// file for `--file-size gzip`. Only MISImport's GzipSizeCounter calls it.
#include <zlib.h>
