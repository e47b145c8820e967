package db

// The file walk: audit verification's hot loop in C, on a read-only SQLite
// connection of its own.
//
// Through database/sql, each row of the walk costs a trip through the
// driver (a Go string made of every text column, an interface per value,
// the pool's locks): about 0.3 µs for a row of one integer, and 2.2 µs for
// the sixteen columns of an entry, whether SQLite joins them into the
// hashed bytes (concat(), most of which is turning numbers into text) or
// Go does. Here C steps the statement and writes each entry's hashed bytes
// ("len:value;" per field, the same bytes HashEntry hashes) straight from
// SQLite's column memory into a buffer Go provides, a few thousand entries
// per call; Go then hashes each entry and checks its links without
// allocating. The SQLite functions are the ones go-sqlite3 compiles into
// the binary; only the declarations below are repeated.

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
extern int sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs);
extern int sqlite3_close_v2(sqlite3 *db);
extern int sqlite3_busy_timeout(sqlite3 *db, int ms);
extern int sqlite3_exec(sqlite3 *db, const char *sql, void *callback, void *arg, char **errmsg);
extern int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **stmt, const char **tail);
extern int sqlite3_bind_int64(sqlite3_stmt *stmt, int i, long long v);
extern int sqlite3_step(sqlite3_stmt *stmt);
extern int sqlite3_finalize(sqlite3_stmt *stmt);
extern int sqlite3_column_type(sqlite3_stmt *stmt, int i);
extern long long sqlite3_column_int64(sqlite3_stmt *stmt, int i);
extern const unsigned char *sqlite3_column_text(sqlite3_stmt *stmt, int i);
extern int sqlite3_column_bytes(sqlite3_stmt *stmt, int i);
extern const char *sqlite3_errmsg(sqlite3 *db);
extern const char *sqlite3_errstr(int rc);

#define GH_OPEN_READONLY 0x00000001
#define GH_OPEN_NOMUTEX 0x00008000
#define GH_ROW 100
#define GH_DONE 101
#define GH_INTEGER 1
#define GH_NULL 5

// How each column is written. NUM: an integer as its decimal text (a NULL
// writes nothing between the separators, as concat() skipped it); NUMZ: a
// NULL is 0 (the COALESCE of the nullable ids); TEXT: the bytes as stored.
enum { NUM, NUMZ, TEXT };
static const int gh_kinds[15] = {NUM, NUM, TEXT, NUMZ, TEXT, TEXT, TEXT, TEXT, NUMZ, TEXT, NUMZ, NUMZ, TEXT, TEXT, TEXT};
#define GH_FIELDS 15
#define GH_HEADER 24

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int pending; // the current row was stepped to but not yet written
} gh_walk;

static int gh_udec(char *p, unsigned long long v) {
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++) p[i] = tmp[n - 1 - i];
	return n;
}

static int gh_dec(char *p, long long v) {
	if (v < 0) {
		p[0] = '-';
		return 1 + gh_udec(p + 1, (unsigned long long)0 - (unsigned long long)v);
	}
	return gh_udec(p, (unsigned long long)v);
}

// gh_field appends "len:value;".
static char *gh_field(char *p, const char *v, int n, int present) {
	if (present) p += gh_dec(p, n);
	*p++ = ':';
	memcpy(p, v, (size_t)n);
	p += n;
	*p++ = ';';
	return p;
}

static int gh_open(const char *path, long long lo, long long hi, const char *pragma, gh_walk **out, char *err, int errcap) {
	gh_walk *w = calloc(1, sizeof(gh_walk));
	if (!w) return 7; // SQLITE_NOMEM
	int rc = sqlite3_open_v2(path, &w->db, GH_OPEN_READONLY | GH_OPEN_NOMUTEX, 0);
	if (rc == 0) rc = sqlite3_busy_timeout(w->db, 15000);
	if (rc == 0) rc = sqlite3_exec(w->db, pragma, 0, 0, 0);
	if (rc == 0) rc = sqlite3_prepare_v2(w->db,
		"SELECT id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target, staff_id, client_id, "
		"before, after, prev_hash, hash FROM audit_log WHERE id > ?1 AND id <= ?2 ORDER BY id", -1, &w->stmt, 0);
	if (rc == 0) rc = sqlite3_bind_int64(w->stmt, 1, lo);
	if (rc == 0) rc = sqlite3_bind_int64(w->stmt, 2, hi);
	if (rc != 0) {
		const char *msg = w->db ? sqlite3_errmsg(w->db) : sqlite3_errstr(rc);
		strncpy(err, msg, (size_t)errcap - 1);
		err[errcap - 1] = 0;
		sqlite3_finalize(w->stmt);
		sqlite3_close_v2(w->db);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

static void gh_close(gh_walk *w) {
	sqlite3_finalize(w->stmt);
	sqlite3_close_v2(w->db);
	free(w);
}

// gh_fill writes entries into buf, each as a header (id as int64; the
// preimage's, the previous hash's and the hash's lengths as uint32; 4
// bytes unused), the preimage and the hash, until the buffer cannot take
// the next one or the rows end. It returns GH_ROW when more may follow,
// GH_DONE at the end, or SQLite's error code; *used is the bytes written
// and *need, when not even one entry fits, the size it needs.
static int gh_fill(gh_walk *w, char *buf, int cap, int *used, int *need) {
	sqlite3_stmt *s = w->stmt;
	char *p = buf, *end = buf + cap;
	*used = 0;
	*need = 0;
	for (;;) {
		if (!w->pending) {
			int rc = sqlite3_step(s);
			if (rc == GH_DONE) {
				*used = (int)(p - buf);
				return GH_DONE;
			}
			if (rc != GH_ROW) {
				*used = (int)(p - buf);
				return rc;
			}
			w->pending = 1;
		}
		const char *val[GH_FIELDS + 1];
		int len[GH_FIELDS + 1];
		long long num[GH_FIELDS];
		int type[GH_FIELDS];
		long long bound = GH_HEADER;
		for (int i = 0; i <= GH_FIELDS; i++) {
			int t = sqlite3_column_type(s, i);
			if (i < GH_FIELDS) type[i] = t;
			if (i < GH_FIELDS && gh_kinds[i] != TEXT && (t == GH_INTEGER || t == GH_NULL)) {
				num[i] = t == GH_NULL ? 0 : sqlite3_column_int64(s, i);
				val[i] = 0;
				len[i] = 0;
				bound += 48;
				continue;
			}
			if (t == GH_NULL) {
				val[i] = "";
				len[i] = 0;
			} else {
				val[i] = (const char *)sqlite3_column_text(s, i);
				len[i] = sqlite3_column_bytes(s, i);
			}
			bound += (long long)len[i] + 24;
		}
		if (bound > end - p) {
			*used = (int)(p - buf);
			if (p == buf) *need = (int)bound;
			return GH_ROW;
		}
		char *hdr = p;
		char *q = p + GH_HEADER;
		for (int i = 0; i < GH_FIELDS; i++) {
			if (val[i]) {
				// Text, or a number stored as something else: SQLite's text
				// of it, as concat() and length() saw it.
				q = gh_field(q, val[i], len[i], type[i] != GH_NULL);
			} else if (type[i] == GH_NULL && gh_kinds[i] == NUM) {
				q = gh_field(q, "", 0, 0);
			} else {
				char digits[24];
				int n = gh_dec(digits, num[i]);
				q = gh_field(q, digits, n, 1);
			}
		}
		int pre = (int)(q - (p + GH_HEADER));
		memcpy(q, val[GH_FIELDS], (size_t)len[GH_FIELDS]);
		q += len[GH_FIELDS];
		long long id = sqlite3_column_int64(s, 0);
		uint32_t lens[4] = {(uint32_t)pre, (uint32_t)len[GH_FIELDS - 1], (uint32_t)len[GH_FIELDS], 0};
		memcpy(hdr, &id, 8);
		memcpy(hdr + 8, lens, 16);
		p = q;
		w->pending = 0;
	}
}
*/
import "C"

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// fileWalkBuffer is the buffer one call into C fills: about 2,000 entries
// of the generated organisations. Tests shrink it to make every entry
// cross a call, or need a larger buffer.
var fileWalkBuffer = 1 << 20

// fileWalkPragma configures the walk's connection: no memory map, as the
// read pool (db.go). Measured interleaved on the demo organisation, one
// vCPU, the walk took 1.6–2.1 µs of processor time per entry reading and
// 2.0–2.4 µs mapped: each first touch of a mapped page is a fault, which
// costs more than reading the page on the machine the figures come from.
const fileWalkPragma = "PRAGMA mmap_size = 0"

// poolFile is the file a read pool reads, or "" when it is not a file
// (an in-memory database) or not SQLite.
func poolFile(ctx context.Context, pool *sql.DB) string {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return ""
	}
	defer conn.Close()
	var path string
	conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			path = c.GetFilename("main")
		}
		return nil
	})
	return path
}

// walkFile is walkRange on a connection of its own to the file at path,
// in a snapshot of its own: a break it finds is for the caller to confirm
// in its snapshot.
func walkFile(ctx context.Context, path string, lo, hi, prevID int64, prev string, linked bool) (segment, error) {
	var seg segment
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cpragma := C.CString(fileWalkPragma)
	defer C.free(unsafe.Pointer(cpragma))
	var errBuf [256]C.char
	var w *C.gh_walk
	if rc := C.gh_open(cpath, C.longlong(lo), C.longlong(hi), cpragma, &w, &errBuf[0], C.int(len(errBuf))); rc != 0 {
		return seg, fmt.Errorf("verify audit: open %s: %s (%d)", path, C.GoString(&errBuf[0]), int(rc))
	}
	defer C.gh_close(w)

	buf := make([]byte, fileWalkBuffer)
	prevHash := append(make([]byte, 0, 64), prev...)
	var sumHex [2 * sha256.Size]byte
	for {
		if err := ctx.Err(); err != nil {
			return seg, fmt.Errorf("verify audit: %w", err)
		}
		var used, need C.int
		rc := C.gh_fill(w, (*C.char)(unsafe.Pointer(&buf[0])), C.int(len(buf)), &used, &need)
		if rc != C.GH_ROW && rc != C.GH_DONE {
			return seg, fmt.Errorf("verify audit: read %s: %s", path, C.GoString(C.sqlite3_errstr(rc)))
		}
		if need > 0 {
			buf = make([]byte, int(need)*2)
			continue
		}
		for b := buf[:used]; len(b) > 0; {
			id := int64(binary.NativeEndian.Uint64(b))
			preLen := int(binary.NativeEndian.Uint32(b[8:]))
			prevLen := int(binary.NativeEndian.Uint32(b[12:]))
			hashLen := int(binary.NativeEndian.Uint32(b[16:]))
			preimage := b[24 : 24+preLen]
			// The preimage ends with the previous hash's field.
			linkedTo := preimage[preLen-1-prevLen : preLen-1]
			hash := b[24+preLen : 24+preLen+hashLen]
			b = b[24+preLen+hashLen:]

			seg.entries++
			if seg.entries == 1 {
				seg.firstID, seg.firstPrev = id, string(linkedTo)
				if !linked {
					prevID, prevHash = id-1, append(prevHash[:0], linkedTo...)
					if id == 1 && string(linkedTo) != GenesisHash {
						seg.brk = &ChainBreak{ID: id, Reason: "entry 1 does not start the chain (its previous hash is not the genesis hash)"}
						return seg, nil
					}
				}
			}
			switch {
			case id != prevID+1:
				seg.brk = &ChainBreak{ID: id, Reason: fmt.Sprintf("entry %d follows entry %d: entries in between are missing", id, prevID)}
			case !bytes.Equal(linkedTo, prevHash):
				seg.brk = &ChainBreak{ID: id, Reason: fmt.Sprintf("entry %d does not link to entry %d (previous hash differs)", id, prevID)}
			default:
				sum := sha256.Sum256(preimage)
				hex.Encode(sumHex[:], sum[:])
				if !bytes.Equal(sumHex[:], hash) {
					seg.brk = &ChainBreak{ID: id, Reason: fmt.Sprintf("entry %d was changed after it was written (hash differs)", id)}
				}
			}
			if seg.brk != nil {
				return seg, nil
			}
			prevID, prevHash = id, append(prevHash[:0], hash...)
			seg.lastID = id
		}
		if rc == C.GH_DONE {
			seg.lastHash = string(prevHash)
			if seg.entries == 0 {
				seg.lastHash = ""
			}
			return seg, nil
		}
	}
}
