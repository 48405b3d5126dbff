// libarchive (Debian: libarchive-dev): streaming reads of tar with gzip, zstd or no
// compression. Only MISImport's ArchiveReader calls it.
#include <archive.h>
#include <archive_entry.h>
