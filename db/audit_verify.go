package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// ChainBreak describes the first entry whose hash does not match, or what
// else shows the log was cut short.
type ChainBreak struct {
	ID     int64
	Reason string
}

// ChainState is what a walk of the audit chain found.
type ChainState struct {
	Entries   int64  // entries walked
	FirstID   int64  // the oldest entry in the file (0: none)
	LastID    int64  // the newest entry (0: none)
	Head      string // the newest entry's hash (GenesisHash for an empty log)
	HighWater int64  // the largest id ever written (sqlite_sequence)
	// Pruned is how many entries before FirstID a prune checkpoint in the
	// chain accounts for; PrunedHead the hash those entries ended with.
	Pruned     int64
	PrunedHead string
}

// ChainPosition is an entry of the chain by id and hash: where a walk may
// start when a checkpoint vouches for everything up to it.
type ChainPosition struct {
	ID   int64
	Hash string
}

// PruneRecord is what an audit.prune entry holds (its after field): the
// entries removed, first_id through through_id, and the hash the chain had
// at through_id. The first kept entry links to that hash.
type PruneRecord struct {
	Pruned    int64  `json:"pruned"`
	FirstID   int64  `json:"first_id"`
	ThroughID int64  `json:"through_id"`
	Head      string `json:"head"`
	Before    string `json:"before"`
}

// PruneAction is the action of a prune checkpoint entry.
const PruneAction = "audit.prune"

// preimageSQL has SQLite build, for each entry, the bytes HashEntry hashes
// (each field as "len:value;", the length in bytes). Reading one text
// column per entry instead of sixteen is what makes the walk fast: most of
// a walk's cost was crossing from Go into SQLite for each column. A
// preimage SQLite builds differently from HashEntry can only fail to
// match the stored hash, never match it falsely, and a mismatch is
// checked again in Go before it is reported.
var preimageSQL = func() string {
	num := func(x string) string { return "length(" + x + "), ':', " + x + ", ';'" }
	text := func(x string) string { return "octet_length(" + x + "), ':', " + x + ", ';'" }
	parts := []string{
		num("id"), num("at"), text("actor_kind"), num("COALESCE(actor_id, 0)"), text("actor"), text("origin"), text("action"),
		text("target_kind"), num("COALESCE(target_id, 0)"), text("target"), num("COALESCE(staff_id, 0)"), num("COALESCE(client_id, 0)"),
		text("before"), text("after"), text("prev_hash"),
	}
	// concat() builds the string in one pass; chaining || copies it anew
	// for every piece.
	return "concat(" + strings.Join(parts, ", ") + ")"
}()

// VerifyAudit walks the whole chain; it returns the number of entries
// checked and the first break, if any.
func VerifyAudit(ctx context.Context, q Querier) (int64, *ChainBreak, error) {
	st, brk, err := VerifyAuditChain(ctx, q, ChainPosition{})
	return st.Entries, brk, err
}

// VerifyAuditChain walks the chain from the entry after `from` (from the
// start when from.ID is 0) and checks that every entry hashes to its hash
// and links to the one before, with no id missing. From the start, the
// first entry must begin the chain or be accounted for by a prune
// checkpoint. Either way the log must end at its high-water mark, and an
// organisation with members cannot have an empty log.
//
// Everything is read in one snapshot of the file (a read transaction when
// q is the read pool), so entries committed meanwhile are neither walked
// nor mistaken for a log that ends short of its high-water mark.
func VerifyAuditChain(ctx context.Context, q Querier, from ChainPosition) (ChainState, *ChainBreak, error) {
	pool, ok := q.(*sql.DB)
	if !ok {
		return verifyChain(ctx, q, nil, from)
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return ChainState{Head: GenesisHash}, nil, fmt.Errorf("verify audit: %w", err)
	}
	defer tx.Rollback()
	return verifyChain(ctx, tx, pool, from)
}

// verifyChain is VerifyAuditChain in the snapshot q; pool, when given,
// lets a long walk run on several connections at once.
func verifyChain(ctx context.Context, q Querier, pool *sql.DB, from ChainPosition) (ChainState, *ChainBreak, error) {
	st := ChainState{Head: GenesisHash}
	// The first read fixes the snapshot.
	firstID, lastID, err := AuditBounds(ctx, q)
	if err != nil {
		return st, nil, fmt.Errorf("verify audit: %w", err)
	}
	prevID, prev := int64(0), GenesisHash
	if from.ID != 0 {
		e, err := auditEntryByID(ctx, q, from.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return st, &ChainBreak{ID: from.ID, Reason: fmt.Sprintf("entry %d, where the walk starts, is missing", from.ID)}, nil
		case err != nil:
			return st, nil, fmt.Errorf("verify audit: %w", err)
		case e.Hash != from.Hash:
			return st, &ChainBreak{ID: from.ID, Reason: fmt.Sprintf("entry %d has hash %s, not %s", from.ID, short(e.Hash), short(from.Hash))}, nil
		case HashEntry(e) != e.Hash:
			return st, &ChainBreak{ID: e.ID, Reason: fmt.Sprintf("entry %d was changed after it was written (hash differs)", e.ID)}, nil
		}
		prevID, prev = from.ID, from.Hash
		st.FirstID, st.LastID, st.Head = from.ID, from.ID, from.Hash
	}
	// From the start, the walk starts at the oldest entry in the file
	// (after a prune, ids begin further on).
	start := prevID
	if from.ID == 0 && firstID > 1 {
		start = firstID - 1
	}
	seg, err := walkChain(ctx, q, pool, start, lastID, prev, from.ID != 0)
	if err != nil {
		return st, nil, err
	}
	st.Entries += seg.entries
	if seg.entries > 0 {
		if st.FirstID == 0 {
			st.FirstID = seg.firstID
		}
		st.LastID, st.Head = seg.lastID, seg.lastHash
	}
	if seg.brk != nil {
		return st, seg.brk, nil
	}
	firstPrevOfFile := seg.firstPrev
	if from.ID == 0 && st.FirstID > 1 {
		if brk, err := checkPruned(ctx, q, &st, firstPrevOfFile); brk != nil || err != nil {
			return st, brk, err
		}
	}
	brk, err := checkEnd(ctx, q, &st)
	return st, brk, err
}

// segment is what walking a range of ids found.
type segment struct {
	entries             int64
	firstID, lastID     int64
	firstPrev, lastHash string
	brk                 *ChainBreak
}

// walkRange walks the entries with lo < id <= hi, oldest first. prevID and
// prev are the entry before the range, when known (linked), else the
// range's first entry is taken as it links and the caller checks it.
func walkRange(ctx context.Context, q Querier, lo, hi, prevID int64, prev string, linked bool) (segment, error) {
	var (
		seg            segment
		id             int64
		prevHash, hash string
		preimage       sql.RawBytes
		sum            [sha256.Size]byte
		sumHex         [2 * sha256.Size]byte
	)
	err := eachRow(ctx, q, "verify audit", func(r rowScanner) error {
		if err := r.Scan(&id, &prevHash, &hash, &preimage); err != nil {
			return fmt.Errorf("verify audit: %w", err)
		}
		seg.entries++
		if seg.entries == 1 {
			seg.firstID, seg.firstPrev = id, prevHash
			if !linked {
				// The oldest entry walked: it starts the chain, or a prune
				// checkpoint or the segment before accounts for it.
				prevID, prev = id-1, prevHash
				if id == 1 && prevHash != GenesisHash {
					seg.brk = &ChainBreak{ID: id, Reason: "entry 1 does not start the chain (its previous hash is not the genesis hash)"}
					return errChainBroken
				}
			}
		}
		switch {
		case id != prevID+1:
			seg.brk = &ChainBreak{ID: id, Reason: fmt.Sprintf("entry %d follows entry %d: entries in between are missing", id, prevID)}
		case prevHash != prev:
			seg.brk = &ChainBreak{ID: id, Reason: fmt.Sprintf("entry %d does not link to entry %d (previous hash differs)", id, prevID)}
		default:
			sum = sha256.Sum256(preimage)
			hex.Encode(sumHex[:], sum[:])
			if string(sumHex[:]) != hash {
				var err error
				if seg.brk, err = confirmChanged(ctx, q, id); err != nil {
					return err
				}
			}
		}
		if seg.brk != nil {
			return errChainBroken
		}
		prevID, prev = id, hash
		seg.lastID, seg.lastHash = id, hash
		return nil
	}, `SELECT id, prev_hash, hash, `+preimageSQL+` FROM audit_log WHERE id > ? AND id <= ? ORDER BY id`, lo, hi)
	if errors.Is(err, errChainBroken) {
		return seg, nil
	}
	return seg, err
}

// errChainBroken stops walkRange's read at the first break, which its
// segment holds.
var errChainBroken = errors.New("chain broken")

// parallelMin is the smallest walk split across connections: below it,
// starting them costs more than it saves. Tests lower it.
var parallelMin int64 = 50_000

// rangeWalker walks the entries with lo < id <= hi, as walkRange does.
type rangeWalker func(ctx context.Context, lo, hi, prevID int64, prev string, linked bool) (segment, error)

// walkChain walks the entries afterID < id <= lastID. With a read pool on
// a file, the walk reads the file on connections of its own (walkFile),
// split over the processors when it is long; a break found that way is
// confirmed, and named, by a walk in the caller's snapshot q.
func walkChain(ctx context.Context, q Querier, pool *sql.DB, afterID, lastID int64, prev string, linked bool) (segment, error) {
	inSnapshot := func(ctx context.Context, lo, hi, prevID int64, prev string, linked bool) (segment, error) {
		return walkRange(ctx, q, lo, hi, prevID, prev, linked)
	}
	split := lastID-afterID >= parallelMin && runtime.GOMAXPROCS(0) > 1
	var walk rangeWalker
	switch {
	case pool == nil || lastID <= afterID:
		return inSnapshot(ctx, afterID, lastID, afterID, prev, linked)
	case fileWalk:
		if path := poolFile(ctx, pool); path != "" {
			walk = func(ctx context.Context, lo, hi, prevID int64, prev string, linked bool) (segment, error) {
				return walkFile(ctx, path, lo, hi, prevID, prev, linked)
			}
		}
	}
	if walk == nil {
		if !split {
			return inSnapshot(ctx, afterID, lastID, afterID, prev, linked)
		}
		walk = func(ctx context.Context, lo, hi, prevID int64, prev string, linked bool) (segment, error) {
			return walkRange(ctx, pool, lo, hi, prevID, prev, linked)
		}
	}
	var seg segment
	var err error
	if split {
		seg, err = walkParallel(ctx, walk, afterID, lastID, prev, linked)
	} else {
		seg, err = walk(ctx, afterID, lastID, afterID, prev, linked)
	}
	if err != nil || seg.brk == nil {
		return seg, err
	}
	// Read in a snapshot other than the caller's (a prune committed
	// meanwhile could look like missing entries): confirm in the caller's,
	// and report as a single walk would.
	return inSnapshot(ctx, afterID, lastID, afterID, prev, linked)
}

// fileWalk is whether walks read the file on connections of their own;
// tests turn it off to compare with the walk in the caller's snapshot.
var fileWalk = true

// walkParallel walks the entries afterID < id <= lastID in as many id
// ranges as there are CPUs, each by walk on a goroutine of its own, and
// joins them: each range must start where the one before ended. Most of a
// walk's time is SQLite reading rows, which runs in parallel on separate
// connections. A break in the joined segment is for the caller to confirm.
func walkParallel(ctx context.Context, walk rangeWalker, afterID, lastID int64, prev string, linked bool) (segment, error) {
	workers := min(runtime.GOMAXPROCS(0), 8)
	span := lastID - afterID
	segs := make([]segment, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo := afterID + span*int64(w)/int64(workers)
		hi := afterID + span*int64(w+1)/int64(workers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			segs[w], errs[w] = walk(ctx, lo, hi, afterID, prev, w == 0 && linked)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return segment{}, err
	}
	joined := segment{}
	for _, s := range segs {
		if s.entries == 0 {
			continue
		}
		if joined.entries > 0 && s.brk == nil {
			switch {
			case s.firstID != joined.lastID+1:
				s.brk = &ChainBreak{ID: s.firstID, Reason: fmt.Sprintf("entry %d follows entry %d: entries in between are missing", s.firstID, joined.lastID)}
			case s.firstPrev != joined.lastHash:
				s.brk = &ChainBreak{ID: s.firstID, Reason: fmt.Sprintf("entry %d does not link to entry %d (previous hash differs)", s.firstID, joined.lastID)}
			}
		}
		if joined.entries == 0 {
			joined.firstID, joined.firstPrev = s.firstID, s.firstPrev
		}
		joined.entries += s.entries
		if s.brk != nil {
			joined.brk = s.brk
			return joined, nil
		}
		joined.lastID, joined.lastHash = s.lastID, s.lastHash
	}
	return joined, nil
}

// checkPruned finds the prune checkpoint that accounts for the entries
// before the oldest one in the file: it must name the entry just before
// and the hash the oldest entry links to.
func checkPruned(ctx context.Context, q Querier, st *ChainState, firstPrev string) (*ChainBreak, error) {
	recs, err := PruneRecords(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.ThroughID == st.FirstID-1 && r.Head == firstPrev {
			st.Pruned, st.PrunedHead = r.ThroughID, r.Head
			return nil, nil
		}
	}
	return &ChainBreak{ID: st.FirstID, Reason: fmt.Sprintf("entries 1 to %d are missing and no prune checkpoint in the log accounts for them", st.FirstID-1)}, nil
}

// PruneRecords returns what every prune checkpoint entry in the file
// holds, oldest first.
func PruneRecords(ctx context.Context, q Querier) ([]PruneRecord, error) {
	const what = "verify audit: read prune checkpoints"
	var out []PruneRecord
	err := eachRow(ctx, q, what, func(row rowScanner) error {
		var id int64
		var after string
		if err := row.Scan(&id, &after); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var r PruneRecord
		if json.Unmarshal([]byte(after), &r) == nil {
			out = append(out, r)
		}
		return nil
	}, `SELECT id, after FROM audit_log WHERE action = ? ORDER BY id`, PruneAction)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkEnd compares the end of the log with what the file remembers: the
// high-water mark of ids, and whether the organisation has members.
func checkEnd(ctx context.Context, q Querier, st *ChainState) (*ChainBreak, error) {
	hw, err := AuditHighWater(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("verify audit: read high-water mark: %w", err)
	}
	st.HighWater = hw
	if hw > st.LastID {
		if st.LastID == 0 {
			return &ChainBreak{ID: hw, Reason: fmt.Sprintf("the log is empty, but entries up to %d were written (high-water mark): they were deleted", hw)}, nil
		}
		return &ChainBreak{ID: hw, Reason: fmt.Sprintf("the log ends at entry %d, but entries up to %d were written (high-water mark): the newest %d were deleted",
			st.LastID, hw, hw-st.LastID)}, nil
	}
	if st.LastID == 0 {
		var members int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM staff`).Scan(&members); err != nil {
			return nil, fmt.Errorf("verify audit: count members: %w", err)
		}
		if members > 0 {
			return &ChainBreak{ID: 0, Reason: fmt.Sprintf("the log is empty, but the organisation has %d members: every change writes an entry, so it was emptied", members)}, nil
		}
	}
	return nil, nil
}

// confirmChanged checks in Go an entry whose SQL-built preimage did not
// match its hash, and names it.
func confirmChanged(ctx context.Context, q Querier, id int64) (*ChainBreak, error) {
	e, err := auditEntryByID(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("verify audit: entry %d: %w", id, err)
	}
	if HashEntry(e) == e.Hash {
		return nil, nil
	}
	return &ChainBreak{ID: id, Reason: fmt.Sprintf("entry %d was changed after it was written (hash differs)", id)}, nil
}

func auditEntryByID(ctx context.Context, q Querier, id int64) (AuditEntry, error) {
	return scanAudit(q.QueryRowContext(ctx, auditSelect+` WHERE a.id = ?`, id))
}

// AuditEntryByID returns one entry, whoever may see it; for verification
// and tail, which check scope themselves.
func AuditEntryByID(ctx context.Context, q Querier, id int64) (AuditEntry, error) {
	e, err := auditEntryByID(ctx, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	return e, err
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// AuditBounds returns the oldest and newest entry ids in the file (0, 0
// for an empty log).
func AuditBounds(ctx context.Context, q Querier) (first, last int64, err error) {
	// Two subqueries: SQLite reads min() or max() of the key from one end
	// of the table only when it is the query's sole aggregate.
	err = q.QueryRowContext(ctx, `SELECT COALESCE((SELECT min(id) FROM audit_log), 0), COALESCE((SELECT max(id) FROM audit_log), 0)`).Scan(&first, &last)
	return first, last, err
}

// AuditHashAt returns the hash of entry id, or "" when there is none.
func AuditHashAt(ctx context.Context, q Querier, id int64) (string, error) {
	var h string
	err := q.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE id = ?`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return h, err
}

// AuditIDOfHash returns the id of the entry whose hash is h, or 0. It
// reads the whole log: hashes are not indexed.
func AuditIDOfHash(ctx context.Context, q Querier, h string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM audit_log WHERE hash = ? ORDER BY id LIMIT 1`, h).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
